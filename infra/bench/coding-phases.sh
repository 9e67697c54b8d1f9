#!/usr/bin/env bash
# CPU per coding command, per command type (docs/benchmarks.md, "Coding commands per type"). Loopback only, bounded.
#   infra/bench/coding-phases.sh [charts-per-run=2000] [workers=8] [runs=2] [seed=8000]
#   (WARMUP=seconds of the mixed scenario first, default 15; MIXED=seconds of the mixed scenario measured after the phases,
#    default 30, 0 to skip; FRESH=1 drops the portal database first; PG_STATS=1 writes each phase's statements from
#    pg_stat_statements to /tmp/portal-phase-PGPORT-*.txt, for a cluster started with shared_preload_libraries=pg_stat_statements;
#    WEB_PORT=port of the node, default 5093; WEB_BIN=folder runs another build of Portal.Web, e.g. a copy of
#    bin/Release/net10.0 from before a change, for A/B runs; builds whose schemas differ need a database each:
#    ConnectionStrings__Portal=…;Database=other plus PORTAL_BENCH_DB=other so PG_STATS counts that database's statements)
# Starts one Portal.Web node from the Release build on 127.0.0.1:$WEB_PORT (rate limits lifted, as coding-nodes.sh does), seeds
# the queue, warms up with the mixed coding scenario, then runs tests/Portal.Load --scenario coding-phases `runs` times:
# all workers pull `charts` charts, then code their diagnoses, then lines, then submit, with the web process's and
# PostgreSQL's CPU (from /proc) per command of each type, and what the reactions to the submissions cost afterwards.
# Then the mixed scenario (pull, diagnoses, lines, submit per chart) for MIXED seconds with its CPU per command.
# The machine's load average is printed before and after: CPU per command moves less with load than throughput, not nothing.
# Build first:  dotnet build -c Release src/Portal.Web && dotnet build -c Release tests/Portal.Load
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
CHARTS=${1:-2000} WORKERS=${2:-8} RUNS=${3:-2} SEED=${4:-8000}
export PORTAL_PG_PORT=${PORTAL_PG_PORT:-54359}
WEB_PORT=${WEB_PORT:-5093}   # another engineer's bench may hold 5093 on a shared machine
load="$root/tests/Portal.Load/bin/Release/net10.0/Portal.Load.dll"
node=""
stop() { [[ -n "$node" ]] && kill "$node" 2>/dev/null || true; }
trap stop EXIT

if [[ "${FRESH:-0}" == 1 ]] && PGPASSWORD=portal-dev-only psql -h 127.0.0.1 -p "$PORTAL_PG_PORT" -U postgres -d postgres -qc 'select 1' >/dev/null 2>&1; then
  PGPASSWORD=portal-dev-only psql -h 127.0.0.1 -p "$PORTAL_PG_PORT" -U postgres -d postgres -qc 'drop database if exists portal with (force)'
fi
(cd src/Portal.Web && ASPNETCORE_ENVIRONMENT=Development Portal__SeedDemoData=true \
  Portal__ApiLimits__Plans__standard__PermitLimit=100000000 Portal__RateLimits__PerAddress__PermitLimit=100000000 \
  exec dotnet "${WEB_BIN:-bin/Release/net10.0}/Portal.Web.dll" --urls "http://127.0.0.1:$WEB_PORT" >/tmp/portal-bench-phases-node.log 2>&1) &
node=$!
for _ in $(seq 1 600); do curl -sf -o /dev/null "http://127.0.0.1:$WEB_PORT/health/ready" && break; sleep 0.5; done
if [[ "$SEED" != 0 ]]; then
  dotnet run -c Release --no-build --project src/Portal.Web -- coding seed --charts "$SEED" | grep 'coding seed'
fi
web=$(ss -ltnp "sport = :$WEB_PORT" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
pg=$(ss -ltnp "sport = :$PORTAL_PG_PORT" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
[[ "${WARMUP:-15}" != 0 ]] && dotnet "$load" --url http://127.0.0.1:$WEB_PORT --scenario coding --workers "$WORKERS" --seconds "${WARMUP:-15}" >/dev/null
for r in $(seq 1 "$RUNS"); do
  echo "run $r: load average before $(cut -d' ' -f1-3 /proc/loadavg)"
  dotnet "$load" --url http://127.0.0.1:$WEB_PORT --scenario coding-phases --workers "$WORKERS" --charts "$CHARTS" --web-pid "$web" --pg-pid "$pg" \
    ${PG_STATS:+--pg-stats "$PORTAL_PG_PORT"}
  echo "run $r: load average after $(cut -d' ' -f1-3 /proc/loadavg)"
done
if [[ "${MIXED:-30}" != 0 ]]; then
  ticks() { local total=0; for parent in "$@"; do for p in "$parent" $(pgrep -P "$parent" || true); do
    [[ -r /proc/$p/stat ]] && total=$((total + $(awk '{print $14+$15}' /proc/$p/stat))); done; done; echo $total; }
  l0=$(cut -d' ' -f1-3 /proc/loadavg); w0=$(ticks "$web"); p0=$(ticks "$pg")
  out=$(dotnet "$load" --url http://127.0.0.1:$WEB_PORT --scenario coding --workers "$WORKERS" --seconds "${MIXED:-30}")
  w1=$(ticks "$web"); p1=$(ticks "$pg")
  echo "$out" | grep -E 'throughput|next chart'
  n=$(echo "$out" | sed -n 's/.*commands=\([0-9]*\).*/\1/p' | head -1)
  awk -v w=$((w1 - w0)) -v p=$((p1 - p0)) -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN {
    printf "mixed: cpu per command: web %.2f ms + postgres %.2f ms = %.2f ms\n", 1000*w/hz/n, 1000*p/hz/n, 1000*(w+p)/hz/n }'
  echo "mixed: load average before $l0, after $(cut -d' ' -f1-3 /proc/loadavg)"
fi
