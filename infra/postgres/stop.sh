#!/usr/bin/env bash
# Stop the private development PostgreSQL started by the app, the tests or start.sh.
set -euo pipefail
port="${PORTAL_PG_PORT:-54329}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
for data in "$repo/.data/postgres-$port" "/var/tmp/portal-postgres-$port"; do
  [ -f "$data/postmaster.pid" ] || continue
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V -r | head -1)
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$bin/pg_ctl" -D "$data" -m fast stop; else "$bin/pg_ctl" -D "$data" -m fast stop; fi
done
