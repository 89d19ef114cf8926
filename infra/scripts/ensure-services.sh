#!/usr/bin/env bash
# Makes sure the Postgres and Redis the tests use are up: starts them if installed and stopped, installs them
# with apt when absent (as root), and creates the `test` database. Idempotent.
set -euo pipefail

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

log() { echo "[ensure-services] $*"; }

pg_up() { pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

apt_install() {
  log "installing $* with apt"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

if ! pg_up; then
  if ! command -v pg_ctlcluster >/dev/null; then apt_install postgresql postgresql-client; fi
  version=$(ls /etc/postgresql | sort -V | tail -1)
  log "starting PostgreSQL $version"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 50); do pg_up && break; sleep 0.2; done
  pg_up || { log "PostgreSQL did not come up on $PGHOST:$PGPORT"; exit 1; }
fi
# Tests connect as postgres over TCP without a password (trust auth on loopback, as on CI machines).
if ! psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -tAc "select 1 from pg_database where datname='test'" 2>/dev/null | grep -q 1; then
  log "creating database test"
  psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -c "create database test" >/dev/null
fi
log "PostgreSQL is up on $PGHOST:$PGPORT"

if ! redis_up; then
  if ! command -v redis-server >/dev/null; then apt_install redis-server; fi
  log "starting redis-server on :$REDIS_PORT"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >/dev/null
  for _ in $(seq 1 50); do redis_up && break; sleep 0.2; done
  redis_up || { log "Redis did not come up on :$REDIS_PORT"; exit 1; }
fi
log "Redis is up on 127.0.0.1:$REDIS_PORT"
