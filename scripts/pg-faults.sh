#!/usr/bin/env bash
# Faults on a PostgreSQL ledger (issue 16, README "PostgreSQL"), on a throwaway cluster:
#  1. PostgreSQL restarted in the middle of a load test: `till serve`, CONNECTIONS (default 16)
#     connections of 1-cent deposits for SECONDS (default 12) with wrk, the server restarted
#     (fast shutdown) at a third of the way. Every acknowledged deposit must be in the balance,
#     none applied twice, and the same till must answer a deposit afterwards (it reconnected).
#  2. Writers SIGKILLed in the middle of their writes: ROUNDS (default 8) `till batch` streams of
#     wallet credits, each killed after a random number of answers; every acknowledged credit
#     must be in the ledger once, the balance must equal its history, `till check` sound.
# Needs wrk, curl, psql and PostgreSQL's server binaries; TILL (default .build/release/till).
set -euo pipefail
cd "$(dirname "$0")/.."
till=${TILL:-.build/release/till}
seconds=${SECONDS_PER_RUN:-12}
connections=${CONNECTIONS:-16}
rounds=${ROUNDS:-8}
work=$(mktemp -d)
chmod 755 "$work"
cluster=$work/pg
pid=
cleanup() {
    [ -z "$pid" ] || { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
    scripts/pg-test-cluster.sh stop "$cluster" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
admin=$(scripts/pg-test-cluster.sh start "$cluster")
psql -q "$admin" -c "CREATE DATABASE faults" >/dev/null
export TILL_DB=${admin%/*}/faults TILL_SECRETS_DIR=$work/secrets TILL_GOBLINPAY_DB=$work/goblinpay.sqlite
export TILL_API_TOKEN=fault-test-token-0123456789
status=0

# 1. A restart under load.
"$till" serve --port 0 2> "$work/serve.log" &
pid=$!
for _ in $(seq 300); do grep -q "listening on" "$work/serve.log" && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$work/serve.log" | head -1)
[ -n "$url" ] || { cat "$work/serve.log" >&2; echo "pg-faults: the server did not start" >&2; exit 1; }
auth="Authorization: Bearer $TILL_API_TOKEN"
curl -sf -H "$auth" -H 'Content-Type: application/json' -d '{"name":"load"}' "$url/accounts" >/dev/null
ACCOUNT=load TOKEN=$TILL_API_TOKEN RUN=r wrk -t1 -c"$connections" -d"${seconds}s" --timeout 20s -s scripts/deposits.lua "$url" \
    > "$work/wrk.txt" &
wrk_pid=$!
sleep $((seconds / 3))
restart_started=$(date +%s.%N)
scripts/pg-test-cluster.sh restart "$cluster" >/dev/null
restart_took=$(echo "$(date +%s.%N) - $restart_started" | bc -l)
wait $wrk_pid
acked=$(awk '/^acknowledged /{print $2}' "$work/wrk.txt")
refused=$(awk '/^not_acknowledged /{print $2}' "$work/wrk.txt")
rate=$(awk '/^rate /{print $2}' "$work/wrk.txt")
after=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" -H 'Content-Type: application/json' \
    -d '{"amount":{"minor_units":1,"currency":"USD"},"transaction_id":"after-restart"}' "$url/accounts/load/deposit")
kill -TERM "$pid"; wait "$pid" || true; pid=
read -r balance events distinct < <(psql -At -F ' ' "$TILL_DB" -c \
    "SELECT (SELECT balance FROM wallets WHERE key = 'load'), COUNT(*), COUNT(DISTINCT reference) FROM wallet_events WHERE wallet_key = 'load' AND kind = 'credited'")
twice=$((events - distinct))
lost=$((acked + 1 - balance))
printf 'restart under load: %d connections, %.0f deposits/s, restart took %.2f s; acknowledged %d (+1 after), not acknowledged %d, in the balance %d, lost %d, applied twice %d, deposit after the restart: HTTP %s\n' \
    "$connections" "$rate" "$restart_took" "$acked" "$refused" "$balance" "$((lost > 0 ? lost : 0))" "$twice" "$after"
[ "$lost" -le 0 ] && [ "$twice" = 0 ] && [ "$after" = 200 ] || status=1

# 2. Writers killed mid-write.
printf '["wallet","open","Float","--currency","USD"]\n' | "$till" batch >/dev/null
acknowledged=()
for round in $(seq "$rounds"); do
    limit=$((RANDOM % 40 + 5))
    coproc writer { exec "$till" batch 2>/dev/null; }
    # Bash forgets a coprocess's pid and descriptors once it has exited: kept here.
    writer_pid=$writer_PID
    exec {to_writer}>&"${writer[1]}" {from_writer}<&"${writer[0]}"
    for n in $(seq 1000); do
        printf '["wallet","credit","Float","--amount","0.01","--key","kill-%d-%d"]\n' "$round" "$n" >&"$to_writer"
        # The line just sent is in flight: killed after a random pause of 0-20 ms.
        if [ "$n" -ge "$limit" ]; then sleep "0.0$((RANDOM % 20))"; kill -KILL "$writer_pid"; break; fi
        IFS= read -r line <&"$from_writer" || break
        case $line in *'"error"'*) ;; *) acknowledged+=("kill-$round-$n") ;; esac
    done
    wait "$writer_pid" 2>/dev/null || true
    exec {to_writer}>&- {from_writer}<&-
done
missing=0
for key in "${acknowledged[@]}"; do
    found=$(psql -At "$TILL_DB" -c "SELECT COUNT(*) FROM idempotency WHERE key LIKE '%$key' AND state = 'completed'")
    [ "$found" = 1 ] || missing=$((missing + 1))
done
read -r balance credits < <(psql -At -F ' ' "$TILL_DB" -c \
    "SELECT (SELECT balance FROM wallets WHERE key = 'float'), COUNT(*) FROM wallet_events WHERE wallet_key = 'float' AND kind = 'credited'")
check=$("$till" check --json | python3 -c 'import json,sys; r=json.load(sys.stdin); print("sound" if not r.get("integrity") and not r.get("differences") else "NOT SOUND")')
printf 'SIGKILL mid-write: %d rounds, %d credits acknowledged, %d missing, balance %d cents = %d credit events, till check: %s\n' \
    "$rounds" "${#acknowledged[@]}" "$missing" "$balance" "$credits" "$check"
[ "$missing" = 0 ] && [ "$balance" = "$credits" ] && [ "$balance" -ge "${#acknowledged[@]}" ] && [ "$check" = sound ] || status=1
[ "$status" = 0 ] || { echo "pg-faults: FAILED" >&2; exit 1; }
