#!/usr/bin/env bash
# Backup and restore of one ledger with PostgreSQL's own tools (custom-format pg_dump, parallel pg_restore).
#   infra/backup.sh dump FILE              dump the ledger's schema (events, read models, audit chain, daemon progress)
#   infra/backup.sh restore FILE DATABASE  create DATABASE (must not exist) and restore the dump into it
# Then check the copy: ConnectionStrings__Ledger=<the new database> dotnet Ledger.Api.dll verify
# Settings (environment): LEDGER_DB_HOST, LEDGER_DB_PORT, LEDGER_DB_USER, LEDGER_DB_PASSWORD, LEDGER_DB_NAME, LEDGER_SCHEMA
# (defaults 127.0.0.1/5432/ledger/ledger/ledger/ledger). The dump is consistent (one snapshot) while the API keeps running.
set -euo pipefail

export PGHOST=${LEDGER_DB_HOST:-127.0.0.1} PGPORT=${LEDGER_DB_PORT:-5432} PGUSER=${LEDGER_DB_USER:-ledger} PGPASSWORD=${LEDGER_DB_PASSWORD:-ledger}
DB_NAME=${LEDGER_DB_NAME:-ledger}
SCHEMA=${LEDGER_SCHEMA:-ledger}

case "${1:-}" in
  dump)
    file=${2:?usage: backup.sh dump FILE}
    pg_dump --format=custom --schema="$SCHEMA" --no-owner --file="$file" "$DB_NAME"
    echo "dumped schema $SCHEMA of $DB_NAME to $file ($(du -h "$file" | cut -f1))"
    ;;
  restore)
    file=${2:?usage: backup.sh restore FILE DATABASE}
    target=${3:?usage: backup.sh restore FILE DATABASE}
    createdb "$target"
    pg_restore --no-owner --exit-on-error --jobs=2 --dbname="$target" "$file"
    PGOPTIONS="-c client_min_messages=error" psql -qAt -d "$target" -c "analyze" # statistics for the planner (the dump has none)
    echo "restored $file into database $target"
    ;;
  *)
    echo "usage: backup.sh dump FILE | restore FILE DATABASE" >&2
    exit 2
    ;;
esac
