#!/usr/bin/env bash
# The payout import's own check (issue 15, README "Payouts") over real sockets: GoblinPay as a
# service makes PAYOUTS synthetic payouts from CONCURRENCY senders SLEEP_MS apart and notifies
# `till serve` of each (10% of notifications sent twice, 10% never), acknowledgements failing
# at ACK_FAILURE_RATE. With --kill, the till is SIGKILLed in the middle and started again.
# Afterwards: Till's payout count == GoblinPay's total == GoblinPay's processing, no payout
# recorded twice, and the distribution of acknowledgements per payout. Needs curl and sqlite3:
#   swift build -c release --product till && scripts/payouts-loadtest.sh 0.05 [--kill]
set -euo pipefail
cd "$(dirname "$0")/.."
till=${TILL:-.build/release/till}
ack=${1:-0.05}
kill_midway=${2:-}
payouts=${PAYOUTS:-10000} concurrency=${CONCURRENCY:-100} sleep_ms=${SLEEP_MS:-20}
work=$(mktemp -d)
secrets=$(mktemp -d)
export TILL_DB=$work/till.sqlite TILL_SECRETS_DIR=$secrets TILL_API_TOKEN=payout-load-test-token-0123
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
gp_port=$(free_port) till_port=$(free_port)
export TILL_GOBLINPAY_URL=http://127.0.0.1:$gp_port
pids=()
cleanup() { for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work" "$secrets"; }
trap cleanup EXIT
wait_for() { for _ in $(seq 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; cat "$1" >&2; return 1; }

"$till" goblinpay serve --port "$gp_port" --ledger "$work/goblinpay.sqlite" --ack-failure-rate "$ack" \
    --webhook-url "http://127.0.0.1:$till_port/goblinpay/webhook/" --webhook-duplicate-rate 0.1 --webhook-drop-rate 0.1 \
    2> "$work/goblinpay.log" &
pids+=($!)
wait_for "$work/goblinpay.log" "listening on"
start_till() {
    "$till" serve --port "$till_port" --payout-poll-ms 2000 2>> "$work/serve.log" &
    till_pid=$!
    pids+=($till_pid)
}
start_till
wait_for "$work/serve.log" "listening on"

started=$(date +%s.%N)
"$till" goblinpay produce --payouts "$payouts" --concurrency "$concurrency" --sleep-ms "$sleep_ms" > "$work/produce.json" &
producer=$!
if [ "$kill_midway" = --kill ]; then
    sleep "${KILL_AFTER:-2}"
    kill -KILL "$till_pid"
    wait "$till_pid" 2>/dev/null || true
    echo "killed the till (SIGKILL) after 2 s; Till had $(sqlite3 "$TILL_DB" 'SELECT COUNT(*) FROM payouts') payouts"
    sleep 1
    start_till
fi
wait "$producer"
produced=$(date +%s.%N)
# Faults stop when production ends; the importer's poll finds what notifications missed.
count() { curl -sf "$TILL_GOBLINPAY_URL/api/payouts/count"; }
for _ in $(seq 600); do
    processing=$(count | python3 -c 'import sys,json; print(json.load(sys.stdin)["processing"])')
    [ "$processing" = "$payouts" ] && break
    sleep 0.2
done
settled=$(date +%s.%N)
kill -TERM "$till_pid"; wait "$till_pid" 2>/dev/null || true
read -r till_total till_distinct till_acked < <(sqlite3 -separator ' ' "$TILL_DB" \
    "SELECT COUNT(*), COUNT(DISTINCT id), COUNT(acknowledged_at) FROM payouts")
gp=$(count)
echo "produce: $(cat "$work/produce.json")"
echo "GoblinPay count: $gp"
echo "Till: $till_total payouts ($till_distinct distinct, $till_acked acknowledged)"
echo "acknowledgements per payout (update_count: payouts):"
sqlite3 -separator ': ' "$work/goblinpay.sqlite" "SELECT update_count, COUNT(*) FROM payout GROUP BY update_count ORDER BY update_count"
printf 'produce took %.1f s; all processing %.1f s after production ended\n' \
    "$(echo "$produced - $started" | bc -l)" "$(echo "$settled - $produced" | bc -l)"
total=$(echo "$gp" | python3 -c 'import sys,json; print(json.load(sys.stdin)["total"])')
processing=$(echo "$gp" | python3 -c 'import sys,json; print(json.load(sys.stdin)["processing"])')
if [ "$till_total" = "$total" ] && [ "$total" = "$processing" ] && [ "$till_total" = "$till_distinct" ] && [ "$total" = "$payouts" ]; then
    echo "ok: Till's payouts == GoblinPay's total == GoblinPay's processing == $payouts"
else
    echo "payouts-loadtest: the counts disagree" >&2
    exit 1
fi
