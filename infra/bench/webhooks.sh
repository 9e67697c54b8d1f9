#!/usr/bin/env bash
# Webhook throughput with a slow receiver (docs/benchmarks.md, "Webhooks"). Loopback only, bounded.
#   infra/bench/webhooks.sh [deliveries=10000] [receiver-delay-seconds=1]
# Expects Portal running (Development, demo data) on 127.0.0.1:5080 against PORTAL_PG_PORT, e.g.
#   PORTAL_PG_PORT=54316 dotnet run -c Release --project src/Portal.Web --urls http://127.0.0.1:5080
# It starts a receiver that answers after 1 s, subscribes it (as the demo app north-app, which holds practice.admin), queues N
# ping deliveries through the API, then reports how fast they were delivered, the web process's CPU time, and the latency of
# another API call (GET /api/v1/practices) measured while the sender works: the "without delaying other work" part.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-10000}; DELAY=${2:-1}; URL=http://127.0.0.1:5080; RPORT=8471
echo "machine: nproc=$(nproc); $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'); load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 infra/bench/slow_receiver.py $RPORT "$DELAY" > /tmp/slow_receiver.log 2>&1 &
receiver=$!; trap 'kill $receiver 2>/dev/null || true' EXIT
TOKEN=$(curl -s -X POST $URL/connect/token -d grant_type=client_credentials -d client_id=north-app -d client_secret=north-app-dev-secret \
  -d "scope=practice.read practice.admin" | jq -r .access_token)
P=0197a000-0000-7000-8000-000000000001
SUB=$(curl -s -X POST $URL/api/v1/practices/$P/webhooks -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
  -d "{\"url\":\"http://127.0.0.1:$RPORT/hook\",\"events\":[\"claim.state_changed\"]}" | jq -r .subscription.id)
web=$(ss -ltnp "sport = :5080" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
cpu() { awk '{print $14+$15}' /proc/$web/stat; }
start_cpu=$(cpu); start=$(date +%s.%N)
# Queue N pings with 32 parallel requests (each is one delivery; the sender starts at once).
seq "$N" | xargs -P 32 -I{} curl -s -o /dev/null -X POST "$URL/api/v1/practices/$P/webhooks/$SUB/ping" -H "Authorization: Bearer $TOKEN"
queued=$(date +%s.%N)
echo "queued $N pings in $(echo "$queued - $start" | bc) s"
# Meanwhile: latency of another call while the sender has hundreds of slow sends in flight.
for i in $(seq 1 50); do curl -s -o /dev/null -w '%{time_total}\n' "$URL/api/v1/practices" -H "Authorization: Bearer $TOKEN"; done \
  | sort -n | awk '{a[NR]=$1} END {printf "GET /api/v1/practices during sending: p50 %.0f ms, p95 %.0f ms\n", a[int(NR*0.5)]*1000, a[int(NR*0.95)]*1000}'
while :; do
  done_=$(curl -s "$URL/api/v1/practices/$P/webhook-deliveries?status=pending&limit=1" -H "Authorization: Bearer $TOKEN" | jq '.items | length')
  [[ "$done_" == 0 ]] && break
  sleep 2
done
end=$(date +%s.%N); end_cpu=$(cpu)
secs=$(echo "$end - $start" | bc)
echo "delivered $N in $secs s: $(echo "$N * 60 / $secs" | bc) per minute; web CPU $(echo "($end_cpu - $start_cpu) / $(getconf CLK_TCK)" | bc -l | xargs printf '%.1f') s"
echo "receiver: $(tail -1 /tmp/slow_receiver.log)"
