#!/usr/bin/env bash
# Runs every test: starts PostgreSQL and RabbitMQ the same way as run.sh, builds, runs all test projects,
# and ends with one plain line: "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
bash infra/services.sh up || { echo "tests: 0 passed, 1 failed"; exit 1; }
bash infra/replica.sh up || { echo "tests: 0 passed, 1 failed"; exit 1; }
bash infra/console.sh || { echo "tests: 0 passed, 1 failed"; exit 1; }
bash infra/browser.sh || { echo "tests: 0 passed, 1 failed"; exit 1; }
log=$(mktemp)
status=0
dotnet build Ledger.sln -c Release -nologo -v quiet || { echo "tests: 0 passed, 1 failed"; exit 1; }
dotnet test Ledger.sln -c Release --no-build -nologo 2>&1 | tee "$log" || status=$?
# dotnet test prints one summary per test assembly: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12".
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
passed=${passed:-0}; failed=${failed:-0}
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
rm -f "$log"
echo "tests: ${passed} passed, ${failed} failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
