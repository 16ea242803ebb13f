#!/usr/bin/env bash
# The load test of `till serve` over real sockets (issue 14, README "HTTP API"): durable account
# deposits from 1 connection, then from 64, each for SECONDS (default 10) with wrk, against one
# server on a fresh SQLite ledger. Afterwards every acknowledged deposit must be in the balance
# (0 lost) and no transaction id applied twice. Needs wrk, curl and sqlite3; a release build:
#   swift build -c release --product till && scripts/loadtest.sh
set -euo pipefail
cd "$(dirname "$0")/.."
till=${TILL:-.build/release/till}
seconds=${SECONDS_PER_RUN:-10}
work=$(mktemp -d)
secrets=$(mktemp -d)
export TILL_DB=$work/ledger.sqlite TILL_SECRETS_DIR=$secrets TILL_API_TOKEN=load-test-token-0123456789
"$till" serve --port 0 2> "$work/serve.log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work" "$secrets"' EXIT
for _ in $(seq 300); do grep -q "listening on" "$work/serve.log" && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$work/serve.log" | head -1)
[ -n "$url" ] || { cat "$work/serve.log" >&2; echo "loadtest: the server did not start" >&2; exit 1; }
auth="Authorization: Bearer $TILL_API_TOKEN"

declare -A rate acked p50 p99
for connections in 1 64; do
    curl -sf -H "$auth" -H 'Content-Type: application/json' -d "{\"name\":\"load-$connections\"}" "$url/accounts" >/dev/null
    ACCOUNT=load-$connections TOKEN=$TILL_API_TOKEN RUN=c$connections \
        wrk -t1 -c"$connections" -d"${seconds}s" --timeout 10s -s scripts/deposits.lua "$url" > "$work/wrk-$connections.txt"
    rate[$connections]=$(awk '/^rate /{print $2}' "$work/wrk-$connections.txt")
    acked[$connections]=$(awk '/^acknowledged /{print $2}' "$work/wrk-$connections.txt")
    p50[$connections]=$(awk '/^p50_us /{print $2}' "$work/wrk-$connections.txt")
    p99[$connections]=$(awk '/^p99_us /{print $2}' "$work/wrk-$connections.txt")
    rejected=$(awk '/^not_acknowledged /{print $2}' "$work/wrk-$connections.txt")
    [ "$rejected" = 0 ] || echo "loadtest: $rejected deposits were not acknowledged (status other than 200)" >&2
done
# Stop the server (SIGTERM: requests in flight finish), then read the ledger itself.
kill -TERM $pid
wait $pid || true
status=0
echo "| connections | deposits/s | p50 | p99 | acknowledged | in the balance | applied twice |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for connections in 1 64; do
    read -r balance events distinct < <(sqlite3 -separator ' ' "$TILL_DB" \
        "SELECT (SELECT balance FROM wallets WHERE key = 'load-$connections'), COUNT(*), COUNT(DISTINCT reference) FROM wallet_events WHERE wallet_key = 'load-$connections' AND kind = 'credited'")
    twice=$((events - distinct))
    lost=$((acked[$connections] - balance))
    [ "$lost" -le 0 ] && [ "$twice" = 0 ] || status=1
    printf '| %d | %.0f | %.2f ms | %.2f ms | %d | %d | %d |\n' "$connections" "${rate[$connections]}" \
        "$(echo "${p50[$connections]} / 1000" | bc -l)" "$(echo "${p99[$connections]} / 1000" | bc -l)" "${acked[$connections]}" "$balance" "$twice"
done
ratio=$(echo "${rate[64]} / ${rate[1]}" | bc -l)
printf '64 connections / 1 connection: %.2f× (goal ≥ 10×)\n' "$ratio"
[ "$status" = 0 ] || { echo "loadtest: an acknowledged deposit is missing or a transaction was applied twice" >&2; exit 1; }
