#!/usr/bin/env bash
# Runs the benchmark (not part of the tests): starts PostgreSQL and RabbitMQ as run.sh does, builds in Release, measures
# raw PostgreSQL and the ledger side by side in one run, prints the table and writes benchmark-results.md here.
# Options: --seconds N (per load phase, default 10), --warmup N (before the command phases, default 15), --clients 1,16,64 | none,
# --samples N (per query, default 200), --events N (history imported and rebuilt, default 1000000; 0 skips).
set -euo pipefail
cd "$(dirname "$0")"
bash infra/services.sh up
dotnet build tests/Ledger.Benchmarks -c Release -nologo -v quiet
here=$(pwd)
cd tests/Ledger.Benchmarks/bin/Release/net10.0
dotnet Ledger.Benchmarks.dll "$@"
mv benchmark-results.md "$here/benchmark-results.md"
