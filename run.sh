#!/usr/bin/env bash
# Runs Alliance Ledger: starts PostgreSQL and RabbitMQ (installing them from Debian packages when missing),
# applies the schema, loads the demo alliance through the command path and serves the API on http://127.0.0.1:5080.
set -euo pipefail
cd "$(dirname "$0")"
bash infra/services.sh up
bash infra/console.sh
dotnet build src/Ledger.Api -c Release -nologo -v quiet
# Run from the build output so appsettings.json is found whatever the caller's directory.
cd src/Ledger.Api/bin/Release/net10.0
exec dotnet Ledger.Api.dll serve "$@" --load-demo
