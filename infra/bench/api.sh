#!/usr/bin/env bash
# API latency and throughput on loopback (docs/benchmarks.md): starts a Release build of Portal on the embedded
# PostgreSQL, runs tests/Portal.Load's bounded scenarios against it, then stops it. Nothing leaves 127.0.0.1.
#   infra/bench/api.sh [seconds-per-scenario] [workers]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-15}"; workers="${2:-16}"; port=5088
echo "machine: nproc=$(nproc); $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'); mem $(free -h | awk '/Mem:/ {print $2}'); load $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet build -c Release src/Portal.Web -v quiet -nologo >/dev/null
dotnet build -c Release tests/Portal.Load -v quiet -nologo >/dev/null
ASPNETCORE_ENVIRONMENT=Development Logging__LogLevel__Default=Warning \
  dotnet src/Portal.Web/bin/Release/net10.0/Portal.Web.dll --urls "http://127.0.0.1:$port" --contentRoot "$(pwd)/src/Portal.Web" >/tmp/portal-bench.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; kill -0 $server 2>/dev/null || { cat /tmp/portal-bench.log; exit 1; }; sleep 1; done
for scenario in ${SCENARIOS:-practices engagements codes}; do
  dotnet tests/Portal.Load/bin/Release/net10.0/Portal.Load.dll --url "http://127.0.0.1:$port" --scenario "$scenario" \
    --workers "$workers" --seconds "$seconds"
done
