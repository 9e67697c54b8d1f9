#!/bin/bash
# Issue 15's target measured against its own baseline: "halve the server CPU per coding command (4.2–4.9 ms on 2 cores)".
# Those figures are session 3's ("Coding workflow" in docs/benchmarks.md: the mixed coding scenario, 16 workers, 30 s runs,
# 100,000 queued charts, commit d503111). This runs that scenario on the baseline build and on this checkout's, alternated,
# each on a freshly created database seeded by its own build, and prints CPU per command (web process + PostgreSQL, /proc).
#   BEFORE_DIR=/tmp/baseline infra/bench/coding-baseline.sh [pairs=3] [charts=100000] [workers=16] [seconds=30]
# BEFORE_DIR: a checkout of the baseline commit with `dotnet build -c Release src/Portal.Web` done. Each build runs from its
# own src/Portal.Web (its own appsettings and content). Both are driven by this checkout's tests/Portal.Load (Release), so
# the HTTP traffic is the same; WARMUP seconds (default 20) of the same scenario first, not measured. ALT_ENV="NAME=value ..."
# adds a third run per round: this checkout again with those settings (e.g. Portal__Identity__ReuseValidatedTokens=false).
# Build first: dotnet build -c Release src/Portal.Web && dotnet build -c Release tests/Portal.Load
set -u
cd "$(dirname "$0")/../.."
root=$(pwd)
PAIRS=${1:-3} CHARTS=${2:-100000} WORKERS=${3:-16} SECONDS_=${4:-30}
: "${BEFORE_DIR:?BEFORE_DIR=checkout of the baseline commit, built in Release}"
export PORTAL_PG_PORT=${PORTAL_PG_PORT:-54359} PGPASSWORD=portal-dev-only
WEB_PORT=${WEB_PORT:-5096}
load="$root/tests/Portal.Load/bin/Release/net10.0/Portal.Load.dll"
PSQL="psql -h 127.0.0.1 -p $PORTAL_PG_PORT -U postgres -d postgres -qc"
CS="Host=127.0.0.1;Port=$PORTAL_PG_PORT;Username=postgres;Password=portal-dev-only;Database=portal_baseline"
infra/postgres/start.sh >/dev/null
ticks() { local total=0; for p in "$1" $(pgrep -P "$1" || true); do
  [[ -r /proc/$p/stat ]] && total=$((total + $(awk '{print $14+$15}' /proc/$p/stat))); done; echo $total; }
hz=$(getconf CLK_TCK)
pg=$(ss -ltnp "sport = :$PORTAL_PG_PORT" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)

run() { # label, checkout[, extra environment]
  local label=$1 dir=$2/src/Portal.Web extra=${3:-}
  $PSQL 'drop database if exists portal_baseline with (force)'; $PSQL 'create database portal_baseline'
  (cd "$dir" && { [[ -z "$extra" ]] || export $extra; } && ASPNETCORE_ENVIRONMENT=Development Portal__SeedDemoData=true ConnectionStrings__Portal="$CS" \
    Portal__ApiLimits__Plans__standard__PermitLimit=100000000 Portal__RateLimits__PerAddress__PermitLimit=100000000 \
    exec dotnet bin/Release/net10.0/Portal.Web.dll --urls "http://127.0.0.1:$WEB_PORT" >"/tmp/portal-bench-baseline-$label.log" 2>&1) &
  local node=$!
  for _ in $(seq 1 600); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$WEB_PORT/")" != 000 ]] && break; sleep 0.5
  done
  sleep 2  # the seed of the demo data finishes after Kestrel listens on the older build
  (cd "$dir" && ASPNETCORE_ENVIRONMENT=Development ConnectionStrings__Portal="$CS" \
    dotnet bin/Release/net10.0/Portal.Web.dll coding seed --charts "$CHARTS" | grep 'coding seed')
  dotnet "$load" --url "http://127.0.0.1:$WEB_PORT" --scenario coding --workers "$WORKERS" --seconds "${WARMUP:-20}" >/dev/null
  local l0; l0=$(cut -d' ' -f1-3 /proc/loadavg)
  local w0 p0 w1 p1 out n
  w0=$(ticks "$node"); p0=$(ticks "$pg")
  out=$(dotnet "$load" --url "http://127.0.0.1:$WEB_PORT" --scenario coding --workers "$WORKERS" --seconds "$SECONDS_")
  w1=$(ticks "$node"); p1=$(ticks "$pg")
  kill "$node"; wait "$node" 2>/dev/null
  n=$(echo "$out" | sed -n 's/.*commands=\([0-9]*\).*/\1/p' | head -1)
  echo "== $label $(date -u +%T): $(echo "$out" | grep -E 'errors=' | sed 's/.*errors=/errors=/'); $(echo "$out" | grep throughput)"
  awk -v w=$((w1 - w0)) -v p=$((p1 - p0)) -v hz="$hz" -v n="$n" -v l="$label" 'BEGIN {
    printf "%s: cpu per command: web %.2f ms + postgres %.2f ms = %.2f ms\n", l, 1000*w/hz/n, 1000*p/hz/n, 1000*(w+p)/hz/n }'
  echo "$label: load average before $l0, after $(cut -d' ' -f1-3 /proc/loadavg)"
}
for i in $(seq 1 "$PAIRS"); do
  run "baseline-$i" "$BEFORE_DIR"; run "now-$i" "$root"
  [[ -n "${ALT_ENV:-}" ]] && run "now-alt-$i" "$root" "$ALT_ENV"
done
$PSQL 'drop database if exists portal_baseline with (force)'
