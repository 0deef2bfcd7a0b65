#!/usr/bin/env bash
# Builds the web console (src/Ledger.Console) with npm and Vite into src/Ledger.Console/dist, which the API project copies
# beside its dll and serves under /console/. Installs the packages from the lock file when they are missing or older.
set -euo pipefail
cd "$(dirname "$0")/../src/Ledger.Console"
if ! command -v npm >/dev/null 2>&1; then
  echo "console: npm not found; installing Debian's nodejs and npm" >&2
  apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build -- --logLevel warn
echo "console built: $(ls dist/assets | wc -l) assets in src/Ledger.Console/dist"
