#!/usr/bin/env bash
# Installs (when missing) and starts PostgreSQL 15 and RabbitMQ from Debian packages, without systemd,
# bound to 127.0.0.1 only. Idempotent: services already running are left alone.
#   infra/services.sh up     install if needed, start, create the role and database
#   infra/services.sh down   stop both
# Settings (environment): LEDGER_DB_USER, LEDGER_DB_PASSWORD, LEDGER_DB_NAME (defaults: ledger/ledger/ledger).
set -euo pipefail

DB_USER=${LEDGER_DB_USER:-ledger}
DB_PASSWORD=${LEDGER_DB_PASSWORD:-ledger}
DB_NAME=${LEDGER_DB_NAME:-ledger}
PG_VERSION=15

log() { printf '[infra] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    log "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    apt_updated=1
  fi
  log "installing $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

postgres_up() {
  if [ ! -x /usr/lib/postgresql/$PG_VERSION/bin/postgres ]; then
    apt_install postgresql-$PG_VERSION postgresql-client-$PG_VERSION
  fi
  if [ ! -d /etc/postgresql/$PG_VERSION/main ]; then
    as_root pg_createcluster $PG_VERSION main >/dev/null
  fi
  as_root mkdir -p /var/run/postgresql
  as_root chown postgres:postgres /var/run/postgresql
  local conf=/etc/postgresql/$PG_VERSION/main/postgresql.conf
  if ! grep -q '^# alliance-ledger' "$conf"; then
    # Loopback only; enough connections for parallel test classes and the benchmark.
    as_root tee -a "$conf" >/dev/null <<CONF
# alliance-ledger
listen_addresses = '127.0.0.1'
max_connections = 300
CONF
  fi
  local restart=0
  if ! grep -q '^# alliance-ledger sizing' "$conf"; then
    # Debian's defaults are sized for a small shared host (128 MB of shared buffers, 1 GB of WAL between checkpoints):
    # give PostgreSQL a quarter of the memory (at most 8 GB) and room for bulk writes between checkpoints.
    local mem_mb shared_mb
    mem_mb=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)
    shared_mb=$(( mem_mb / 4 )); [ "$shared_mb" -gt 8192 ] && shared_mb=8192; [ "$shared_mb" -lt 128 ] && shared_mb=128
    as_root tee -a "$conf" >/dev/null <<CONF
# alliance-ledger sizing
shared_buffers = ${shared_mb}MB
effective_cache_size = $(( mem_mb / 2 ))MB
max_wal_size = 8GB
checkpoint_timeout = 15min
CONF
    restart=1
  fi
  if as_root pg_ctlcluster $PG_VERSION main status >/dev/null 2>&1 && [ "$restart" = 1 ]; then
    log "restarting PostgreSQL $PG_VERSION for its new settings"
    as_root pg_ctlcluster $PG_VERSION main restart
  fi
  if ! as_root pg_ctlcluster $PG_VERSION main status >/dev/null 2>&1; then
    log "starting PostgreSQL $PG_VERSION"
    as_root pg_ctlcluster $PG_VERSION main start
  fi
  for _ in $(seq 1 30); do
    as_root su postgres -c "psql -qAtc 'select 1'" >/dev/null 2>&1 && break
    sleep 0.5
  done
  as_root su postgres -c "psql -v ON_ERROR_STOP=1 -qAt" >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE "$DB_USER" LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
  END IF;
END \$\$;
SQL
  if ! as_root su postgres -c "psql -qAtc \"select 1 from pg_database where datname='$DB_NAME'\"" | grep -q 1; then
    as_root su postgres -c "createdb -O $DB_USER $DB_NAME"
  fi
  log "PostgreSQL ready on 127.0.0.1:5432 (database $DB_NAME, role $DB_USER)"
}

rabbit_up() {
  if [ ! -x /usr/sbin/rabbitmq-server ]; then
    apt_install rabbitmq-server
  fi
  # Pin the node name and bind listeners and epmd to loopback: RabbitMQ then starts reliably without systemd.
  as_root mkdir -p /etc/rabbitmq
  if ! grep -q 'NODENAME=rabbit@localhost' /etc/rabbitmq/rabbitmq-env.conf 2>/dev/null; then
    as_root tee /etc/rabbitmq/rabbitmq-env.conf >/dev/null <<CONF
NODENAME=rabbit@localhost
NODE_IP_ADDRESS=127.0.0.1
CONF
  fi
  export ERL_EPMD_ADDRESS=127.0.0.1
  if as_root /usr/sbin/rabbitmqctl -q status >/dev/null 2>&1; then
    log "RabbitMQ already running"
  else
    log "starting RabbitMQ"
    as_root env ERL_EPMD_ADDRESS=127.0.0.1 /usr/sbin/rabbitmq-server -detached >/dev/null 2>&1 || true
    # await_startup fails at once while the node has not yet registered with epmd: retry until it answers.
    local ok=0
    for _ in $(seq 1 60); do
      if as_root env ERL_EPMD_ADDRESS=127.0.0.1 /usr/sbin/rabbitmqctl -q await_startup --timeout 30 >/dev/null 2>&1; then ok=1; break; fi
      sleep 1
    done
    [ "$ok" = 1 ] || { log "RabbitMQ did not start; see /var/log/rabbitmq/"; exit 1; }
  fi
  log "RabbitMQ ready on 127.0.0.1:5672 (guest over loopback)"
}

postgres_down() {
  if as_root pg_ctlcluster $PG_VERSION main status >/dev/null 2>&1; then
    as_root pg_ctlcluster $PG_VERSION main stop
    log "PostgreSQL stopped"
  fi
}

rabbit_down() {
  if [ -x /usr/sbin/rabbitmqctl ] && as_root /usr/sbin/rabbitmqctl -q status >/dev/null 2>&1; then
    as_root /usr/sbin/rabbitmqctl -q stop >/dev/null 2>&1 || true
    log "RabbitMQ stopped"
  fi
}

case "${1:-up}" in
  up) postgres_up; rabbit_up ;;
  down) rabbit_down; postgres_down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
