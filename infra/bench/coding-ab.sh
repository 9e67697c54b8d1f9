#!/bin/bash
# Before/after CPU per coding command, each run on a freshly created and seeded database, alternated (docs/benchmarks.md,
# "Quiet-machine re-runs after session 9's merges").
#   BEFORE_BIN=/tmp/main-before infra/bench/coding-ab.sh [pairs=3]
# BEFORE_BIN: a copy of src/Portal.Web/bin/Release/net10.0 built at the commit to compare with; "after" is this checkout's
# Release build (dotnet build -c Release src/Portal.Web && dotnet build -c Release tests/Portal.Load). After runs on database
# portal, before on portal_before (builds whose schemas differ must not share one), both seeded with 8,000 charts by their own
# build, 10 s of mixed warm-up, then coding-phases with 8 workers and 1,000 charts per phase.
set -u
cd "$(dirname "$0")/../.."
PAIRS=${1:-3}
: "${BEFORE_BIN:?BEFORE_BIN=folder of the before build}"
export PORTAL_PG_PORT=${PORTAL_PG_PORT:-54359} PGPASSWORD=portal-dev-only
PSQL="psql -h 127.0.0.1 -p $PORTAL_PG_PORT -U postgres -d postgres -qc"
CS="Host=127.0.0.1;Port=$PORTAL_PG_PORT;Username=postgres;Password=portal-dev-only;Database=portal_before"
after() {
  echo "== after $1 $(date -u +%T) $(uptime)"
  FRESH=1 WARMUP=10 MIXED=0 infra/bench/coding-phases.sh 1000 8 1 8000
}
before() {
  $PSQL 'drop database if exists portal_before with (force)'; $PSQL 'create database portal_before'
  (cd src/Portal.Web && ASPNETCORE_ENVIRONMENT=Development Portal__SeedDemoData=true ConnectionStrings__Portal="$CS" \
    exec dotnet "$BEFORE_BIN/Portal.Web.dll" --urls http://127.0.0.1:5095 >/tmp/portal-bench-ab-before.log 2>&1) &
  local n=$!
  for _ in $(seq 1 600); do curl -sf -o /dev/null http://127.0.0.1:5095/health/ready && break; sleep 0.5; done
  (cd src/Portal.Web && ASPNETCORE_ENVIRONMENT=Development ConnectionStrings__Portal="$CS" dotnet "$BEFORE_BIN/Portal.Web.dll" coding seed --charts 8000 | grep 'coding seed')
  kill $n; wait $n 2>/dev/null
  echo "== before $1 $(date -u +%T) $(uptime)"
  WARMUP=10 MIXED=0 WEB_BIN="$BEFORE_BIN" ConnectionStrings__Portal="$CS" PORTAL_BENCH_DB=portal_before infra/bench/coding-phases.sh 1000 8 1 0
}
# The first after run starts the embedded cluster (through the seed command); before needs it running.
for i in $(seq 1 "$PAIRS"); do after "$i"; before "$i"; done
echo "== end $(date -u +%T) $(uptime)"
