#!/usr/bin/env bash
# Coding workflow on several Portal nodes against one PostgreSQL (docs/benchmarks.md, "Coding workflow on two nodes";
# docs/deployment.md, "Capacity plan"). Loopback only, bounded in time.
#   infra/bench/coding-nodes.sh [nodes=2] [workers=16] [seconds=30] [charts=100000]     (WARMUP=seconds, default 20; DAEMON=Solo to compare)
# Starts the nodes itself from the Release build (node 1 seeds the demo data; all run Portal:Daemon=HotCold) on ports
# 5093, 5094, …, seeds the queue, then runs one load generator per node (the workers split evenly) at the same time.
# Prints each node's throughput, the sum, and the CPU the web processes and PostgreSQL spent per command (from /proc), which
# does not depend on what else the machine runs. Build first:
#   dotnet build -c Release src/Portal.Web && dotnet build -c Release tests/Portal.Load
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
NODES=${1:-2} WORKERS=${2:-16} SECONDS_=${3:-30} CHARTS=${4:-100000}
export PORTAL_PG_PORT=${PORTAL_PG_PORT:-54359}
load="$root/tests/Portal.Load/bin/Release/net10.0/Portal.Load.dll"
nodes=()
stop() { for p in "${nodes[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap stop EXIT

for i in $(seq 1 "$NODES"); do
  port=$((5092 + i))
  seed=$([[ $i == 1 ]] && echo true || echo false)
  # The content root is the project folder (appsettings.json), as with `dotnet run`.
  # The API plans' and per-address rate limits would answer 429 to a load generator on loopback: lifted for the bench.
  (cd src/Portal.Web && ASPNETCORE_ENVIRONMENT=Development Portal__SeedDemoData=$seed Portal__Daemon=${DAEMON:-HotCold} \
    Portal__ApiLimits__Plans__standard__PermitLimit=100000000 Portal__RateLimits__PerAddress__PermitLimit=100000000 \
    exec dotnet bin/Release/net10.0/Portal.Web.dll --urls "http://127.0.0.1:$port" >"/tmp/portal-bench-node-$i.log" 2>&1) &
  nodes+=($!)
  for _ in $(seq 1 600); do curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready" && break; sleep 0.5; done
done
if [[ "$CHARTS" != 0 ]]; then
  dotnet run -c Release --no-build --project src/Portal.Web -- coding seed --charts "$CHARTS" | grep 'coding seed'
fi
webpids=$(for i in $(seq 1 "$NODES"); do ss -ltnp "sport = :$((5092 + i))" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2; done)
pg=$(ss -ltnp "sport = :$PORTAL_PG_PORT" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
ticks() { # utime+stime of processes and their children (PostgreSQL backends are children of the postmaster)
  local total=0
  for parent in "$@"; do
    for p in "$parent" $(pgrep -P "$parent" || true); do
      [[ -r /proc/$p/stat ]] && total=$((total + $(awk '{print $14+$15}' /proc/$p/stat)))
    done
  done
  echo $total
}
hz=$(getconf CLK_TCK)
per=$((WORKERS / NODES))
run() { # seconds → one generator per node at once; prints their outputs
  local pids=() i
  for i in $(seq 1 "$NODES"); do
    dotnet "$load" --url "http://127.0.0.1:$((5092 + i))" --scenario coding --workers "$per" --seconds "$1" >"/tmp/portal-bench-load-$i.txt" &
    pids+=($!)
  done
  wait "${pids[@]}"
}
[[ "${WARMUP:-20}" != 0 ]] && run "${WARMUP:-20}"
l0=$(cut -d' ' -f1-3 /proc/loadavg)
w0=$(ticks $webpids); p0=$(ticks "$pg")
run "$SECONDS_"
w1=$(ticks $webpids); p1=$(ticks "$pg")
total=0
for i in $(seq 1 "$NODES"); do
  n=$(sed -n 's/.*commands=\([0-9]*\).*/\1/p' "/tmp/portal-bench-load-$i.txt" | head -1)
  echo "node $i: $(grep -h 'throughput=' "/tmp/portal-bench-load-$i.txt")  $(grep -h 'next chart' "/tmp/portal-bench-load-$i.txt" | tr -s ' ')"
  total=$((total + n))
done
awk -v w=$((w1 - w0)) -v p=$((p1 - p0)) -v hz="$hz" -v n="$total" -v s="$SECONDS_" -v nodes="$NODES" 'BEGIN {
  printf "%d node(s): %.0f coding commands/s in all\n", nodes, n / s
  printf "cpu per command: web (all nodes) %.2f ms + postgres %.2f ms = %.2f ms\n", 1000*w/hz/n, 1000*p/hz/n, 1000*(w+p)/hz/n }'
echo "machine: nproc=$(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average before $l0, after $(cut -d' ' -f1-3 /proc/loadavg)"
