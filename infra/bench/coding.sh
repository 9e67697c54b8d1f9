#!/usr/bin/env bash
# Coding workflow load test (docs/benchmarks.md, "Coding workflow"). Loopback only, bounded in time.
#   infra/bench/coding.sh [charts=100000] [workers=16] [seconds=30]      (WARMUP=seconds before measuring, default 20)
# Expects Portal running in Release on 127.0.0.1:5093 against PORTAL_PG_PORT (default 54359):
#   PORTAL_PG_PORT=54359 dotnet run -c Release --project src/Portal.Web --urls http://127.0.0.1:5093
# Besides latency and throughput it prints the CPU time the web process and PostgreSQL spent per command, which does not
# depend on what else the machine is running (our CI/dev hosts are shared).
set -euo pipefail
cd "$(dirname "$0")/../.."
CHARTS=${1:-100000} WORKERS=${2:-16} SECONDS_=${3:-30}
export PORTAL_PG_PORT=${PORTAL_PG_PORT:-54359}

if [[ "$CHARTS" != 0 ]]; then
  dotnet run -c Release --no-build --project src/Portal.Web -- coding seed --charts "$CHARTS" | grep 'coding seed'
fi
web=$(ss -ltnp "sport = :5093" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
pg=$(ss -ltnp "sport = :$PORTAL_PG_PORT" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
ticks() { # utime+stime of a process and its children (PostgreSQL backends are children of the postmaster)
  local total=0
  for p in "$1" $(pgrep -P "$1" || true); do
    [[ -r /proc/$p/stat ]] && total=$((total + $(awk '{print $14+$15}' /proc/$p/stat)))
  done
  echo $total
}
hz=$(getconf CLK_TCK)
# Warm up first (JIT tiering, Marten's generated code, connection pools, prepared statements): WARMUP seconds, not measured.
if [[ "${WARMUP:-20}" != 0 ]]; then
  dotnet tests/Portal.Load/bin/Release/net10.0/Portal.Load.dll --url http://127.0.0.1:5093 --scenario coding \
    --workers "$WORKERS" --seconds "${WARMUP:-20}" >/dev/null
fi
w0=$(ticks "$web"); p0=$(ticks "$pg")
out=$(dotnet tests/Portal.Load/bin/Release/net10.0/Portal.Load.dll --url http://127.0.0.1:5093 --scenario coding \
  --workers "$WORKERS" --seconds "$SECONDS_")
w1=$(ticks "$web"); p1=$(ticks "$pg")
echo "$out"
commands=$(echo "$out" | sed -n 's/.*commands=\([0-9]*\).*/\1/p' | head -1)
awk -v w=$((w1 - w0)) -v p=$((p1 - p0)) -v hz="$hz" -v n="$commands" 'BEGIN {
  printf "cpu per command: web %.2f ms + postgres %.2f ms = %.2f ms  (=> ~%.0f commands/s if 2 cores were ours alone)\n",
    1000*w/hz/n, 1000*p/hz/n, 1000*(w+p)/hz/n, 2000/(1000*(w+p)/hz/n) }'
echo "machine: nproc=$(nproc), $(free -h | awk '/Mem:/ {print $2}') RAM, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
