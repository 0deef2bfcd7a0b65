#!/usr/bin/env bash
# A PostgreSQL streaming replica of the local cluster on 127.0.0.1:5433 (Debian's pg_createcluster, pg_basebackup),
# for the read-replica test and for trying ConnectionStrings:LedgerReadReplica by hand. Idempotent.
#   infra/replica.sh up     create (first time: a base backup of the primary) and start the standby
#   infra/replica.sh down   stop it
set -euo pipefail

PG_VERSION=15
NAME=replica
PORT=5433
DATA=/var/lib/postgresql/$PG_VERSION/$NAME
CONF=/etc/postgresql/$PG_VERSION/$NAME/postgresql.conf

log() { printf '[infra] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

up() {
  if [ ! -f "$DATA/standby.signal" ]; then
    log "creating the streaming replica on 127.0.0.1:$PORT (base backup of the primary)"
    as_root pg_dropcluster --stop $PG_VERSION $NAME 2>/dev/null || true
    as_root pg_createcluster $PG_VERSION $NAME --port $PORT >/dev/null
    as_root find "$DATA" -mindepth 1 -delete
    # Over the local socket as postgres (Debian's pg_hba allows local replication by peer); -R writes standby.signal
    # and primary_conninfo, -X stream copies the WAL written meanwhile.
    as_root su postgres -c "pg_basebackup -D $DATA -R -X stream -c fast"
    as_root tee -a "$CONF" >/dev/null <<CONF
# alliance-ledger replica
listen_addresses = '127.0.0.1'
max_connections = 300
shared_buffers = 256MB
hot_standby = on
CONF
  fi
  if ! as_root pg_ctlcluster $PG_VERSION $NAME status >/dev/null 2>&1; then
    as_root pg_ctlcluster $PG_VERSION $NAME start
  fi
  for _ in $(seq 1 60); do
    if [ "$(as_root su postgres -c "psql -p $PORT -qAtc 'select pg_is_in_recovery()'" 2>/dev/null)" = "t" ]; then
      log "PostgreSQL replica streaming on 127.0.0.1:$PORT"
      return 0
    fi
    sleep 0.5
  done
  log "the replica did not start; see /var/log/postgresql/postgresql-$PG_VERSION-$NAME.log"
  exit 1
}

down() {
  if as_root pg_ctlcluster $PG_VERSION $NAME status >/dev/null 2>&1; then
    as_root pg_ctlcluster $PG_VERSION $NAME stop
    log "PostgreSQL replica stopped"
  fi
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
