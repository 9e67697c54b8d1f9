#!/usr/bin/env bash
# The whole test suite, timed: wall time, CPU of the test processes (dotnet test and what it starts: the test hosts,
# chromium, sshd) and CPU of the PostgreSQL cluster, plus per-test durations in xUnit XML reports.
#   infra/bench/suite.sh [results-folder] [extra dotnet test arguments...]
# Builds first (not timed), starts the private cluster before the run so its CPU is counted apart, and prints the load
# average before and after: on a shared machine the wall time is mostly queueing, the CPU seconds are the suite's cost.
set -uo pipefail
cd "$(dirname "$0")/../.."
out="$(realpath -m "${1:-.data/suite-$(date -u +%Y%m%d-%H%M)}")"; shift || true
mkdir -p "$out"
export PORTAL_PG_PORT="${PORTAL_PG_PORT:-54329}"
export PORTAL_SUITE_TIMINGS="$out/reset-timings.txt"
export PORTAL_SUITE_CPU="$out/cpu-by-class.tsv"
dotnet build >"$out/build.log" 2>&1 || { tail -20 "$out/build.log"; exit 1; }
infra/postgres/start.sh >/dev/null
pg_before=$(infra/bench/pg-cpu.sh)
echo "before: $(uptime)" | tee "$out/summary.txt"
/usr/bin/time -f "%e s wall, %U s user, %S s sys (test processes)" -o "$out/time.txt" \
  timeout "${SUITE_TIMEOUT:-2400}" dotnet test --no-build --report-xunit --results-directory "$out" "$@" >"$out/test.log" 2>&1
status=$?
sleep 3
pg_after=$(infra/bench/pg-cpu.sh)
{
  echo "after: $(uptime)"
  cat "$out/time.txt"
  echo "PostgreSQL: $(echo "$pg_after - $pg_before" | bc) s CPU"
  grep -E "^\s*(total|failed|succeeded|skipped):" "$out/test.log"
  echo "exit $status; per-test durations: $out/*.xml (infra/bench/suite_report.py summarises them)"
} | tee -a "$out/summary.txt"
exit $status
