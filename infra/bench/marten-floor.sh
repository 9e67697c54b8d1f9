#!/usr/bin/env bash
# The floor of a command on a Marten stream (docs/benchmarks.md, "The floor of a coding command"). Loopback only, bounded.
#   infra/bench/marten-floor.sh [workers=16] [seconds=20] [rounds=2]     (WARMUP=seconds per kind, default 10)
# Starts infra/bench/marten-floor (Marten configured as Portal.Web, schema "floor" of database portal on PORTAL_PG_PORT, 20,000
# streams), then for each kind (ping: HTTP only; read: one document load; write: FetchForWriting + one event + inline snapshot)
# runs the load generator and prints the CPU per request of the web process and of PostgreSQL (from /proc), as coding-nodes.sh
# does for Portal. The cluster must be running (any Portal command starts it: dotnet run --project src/Portal.Web).
set -euo pipefail
cd "$(dirname "$0")/../.."
WORKERS=${1:-16} SECONDS_=${2:-20} ROUNDS=${3:-2}
export PORTAL_PG_PORT=${PORTAL_PG_PORT:-54359}
dotnet build -c Release infra/bench/marten-floor -o /tmp/marten-floor >/dev/null
port=5095
dotnet /tmp/marten-floor/MartenFloor.dll serve --urls "http://127.0.0.1:$port" >/tmp/marten-floor-node.log 2>&1 &
node=$!
trap 'kill $node 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do curl -sf -o /dev/null "http://127.0.0.1:$port/ping" && break; sleep 0.5; done
pg=$(ss -ltnp "sport = :$PORTAL_PG_PORT" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
ticks() { local total=0; for parent in "$@"; do for p in "$parent" $(pgrep -P "$parent" || true); do
  [[ -r /proc/$p/stat ]] && total=$((total + $(awk '{print $14+$15}' /proc/$p/stat))); done; done; echo $total; }
hz=$(getconf CLK_TCK)
for kind in ping read write; do
  dotnet /tmp/marten-floor/MartenFloor.dll load --url "http://127.0.0.1:$port" --kind $kind --workers "$WORKERS" --seconds "${WARMUP:-10}" >/dev/null
done
for r in $(seq 1 "$ROUNDS"); do
  for kind in ping read write; do
    w0=$(ticks $node); p0=$(ticks "$pg")
    out=$(dotnet /tmp/marten-floor/MartenFloor.dll load --url "http://127.0.0.1:$port" --kind $kind --workers "$WORKERS" --seconds "$SECONDS_")
    w1=$(ticks $node); p1=$(ticks "$pg")
    n=$(echo "$out" | sed -n 's/.*requests=\([0-9]*\).*/\1/p')
    awk -v w=$((w1 - w0)) -v p=$((p1 - p0)) -v hz="$hz" -v n="$n" -v s="$SECONDS_" -v k="$kind" -v r="$r" 'BEGIN {
      printf "round %d %-5s %6.0f/s  cpu per request: web %.3f ms + postgres %.3f ms = %.3f ms\n", r, k, n/s, 1000*w/hz/n, 1000*p/hz/n, 1000*(w+p)/hz/n }'
  done
done
echo "machine: nproc=$(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
