#!/usr/bin/env bash
# Start (or reuse) the private PostgreSQL that Portal's development run and tests use when no connection string is
# configured. The app does this by itself; this script is for psql sessions, or to start it before anything else.
#   infra/postgres/start.sh            # port 54329 (PORTAL_PG_PORT to change)
#   psql "host=127.0.0.1 port=54329 user=postgres password=portal-dev-only dbname=portal"
set -euo pipefail
port="${PORTAL_PG_PORT:-54329}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"

bin=""
for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do [ -x "$dir/pg_ctl" ] && bin="$dir" && break; done
if [ -z "$bin" ]; then
  echo "PostgreSQL server binaries were not found: install them with 'sudo apt-get install -y postgresql'." >&2
  exit 1
fi

data="$repo/.data/postgres-$port"
run() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
  mkdir -p "$repo/.data"
  if ! runuser -u postgres -- test -x "$repo/.data" 2>/dev/null; then data="/var/tmp/portal-postgres-$port"; fi
  run() { runuser -u postgres -- "$@"; }
fi

if pg_isready -h 127.0.0.1 -p "$port" >/dev/null 2>&1; then
  echo "PostgreSQL is already running on 127.0.0.1:$port"
  exit 0
fi
if [ ! -f "$data/PG_VERSION" ]; then
  mkdir -p "$data"; pw="$(mktemp)"; echo "portal-dev-only" > "$pw"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$data" "$pw"; fi
  run "$bin/initdb" -D "$data" -U postgres --pwfile "$pw" --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pw"
fi
run "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
  -o "-p $port -c listen_addresses=127.0.0.1 -k $data -c max_connections=300 -c fsync=off -c synchronous_commit=off" start
echo "PostgreSQL is running on 127.0.0.1:$port (data: $data)"
