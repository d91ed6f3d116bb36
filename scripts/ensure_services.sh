#!/usr/bin/env bash
# Start PostgreSQL and Redis on this machine if they are not answering, and create the database.
set -euo pipefail
DB_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/itsm}"

if ! pg_isready -h 127.0.0.1 -q 2>/dev/null; then
  if ! command -v pg_ctlcluster >/dev/null; then
    echo "PostgreSQL is not running and not installed: apt-get install postgresql (or docker compose up -d postgres)" >&2
    exit 1
  fi
  echo "Starting PostgreSQL…"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -q && break; sleep 0.5; done
fi

if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  if ! command -v redis-server >/dev/null; then
    echo "Redis is not running and not installed: apt-get install redis-server (or docker compose up -d redis)" >&2
    exit 1
  fi
  echo "Starting Redis…"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/itsm-redis.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.2; done
fi

# Create the database named in DATABASE_URL if it does not exist yet.
DB_NAME="${DB_URL##*/}"; DB_NAME="${DB_NAME%%\?*}"
ADMIN_URL="${DB_URL%/*}/postgres"
if ! psql "$ADMIN_URL" -tAc "SELECT 1 FROM pg_database WHERE datname='${DB_NAME}'" | grep -q 1; then
  psql "$ADMIN_URL" -qc "CREATE DATABASE \"${DB_NAME}\""
fi
