#!/usr/bin/env bash
# Code-set import and search benchmark (docs/benchmarks.md). Bounded: one import, 850 timed searches.
# Uses versions 2099 (far future) so it never becomes the version in force. Set PORTAL_PG_PORT for your cluster.
set -euo pipefail
cd "$(dirname "$0")/../.."
file="${1:-/tmp/icd10cm_order_bench.txt}"
[ -f "$file" ] || python3 infra/bench/generate_icd10cm_order.py "$file"
echo "machine: nproc=$(nproc); $(grep -m1 'model name' /proc/cpuinfo); $(free -h | awk '/Mem:/ {print "mem " $2}')"
dotnet build -c Release src/Portal.Web -v quiet -nologo
/usr/bin/time -f "import wall %e s, max RSS %M KB" \
  dotnet run -c Release --no-build --project src/Portal.Web -- codes import icd10cm "$file" --version 2099
dotnet run -c Release --no-build --project src/Portal.Web -- codes bench icd10cm --version 2099
