#!/usr/bin/env bash
# A whole shop on one PostgreSQL database (DESIGN §7, issue 16's "Done when"): several `till`
# processes, two `till serve`, two POS sessions (tmux) and GoblinPay as a service shared by all,
# written to concurrently. On a throwaway cluster (scripts/pg-test-cluster.sh) it checks:
#  1. Machines: each process has its own TILL_SECRETS_DIR; a machine without the ledger's card
#     secret is refused (its message shown), and works once the first machine's
#     card-secret-<ledger id>.key is copied in (0600).
#  2. Concurrent writes for LOAD_SECONDS (default 10): 3 `till batch` streams (order create +
#     cash pay, create-and-pay) and HTTP clients on BOTH servers (order create + cash or card
#     pay; some creates replayed on the other server; some sent to both servers at once with one
#     key). Afterwards, in the database: every acknowledged order once (one order per unique
#     email, under its id), every acknowledged payment once (one installment, one completed
#     idempotency row per key), card payments captured once at GoblinPay, nothing left open,
#     `till check --json` sound.
#  3. Visibility: an order created over HTTP (alternately on each server) must show on BOTH POS
#     dashboards within 1 s of its acknowledgement: PROBES (default 5) on a quiet shop, and 3
#     while the load runs (the probe owes the most, so it tops the Owing list); one created by
#     keys in each POS must show on the other.
#  4. Payouts: card captures settled (`till goblinpay settle`), then `till goblinpay produce
#     --payouts PAYOUTS (default 500) --concurrency 20 --sleep-ms 5` while both servers import
#     (--payout-poll-ms 500) and two loops of `till payouts sync` import beside them: every
#     payout processing at GoblinPay, acknowledged once (max_update_count 1), recorded once in
#     `payouts`, entries adding up, reconciliation clean.
# It prints a results table and exits 1 if any check fails (logs kept in /tmp/pg-shop-logs.PID).
# Needs psql, PostgreSQL's server binaries, tmux, python3, curl. Run from the repo:
#   swift build -c release --scratch-path .build-release --product till && scripts/pg-shop.sh
# TILL names the binary (default .build-release/release/till); KEEP_LOGS=1 keeps the logs.
set -euo pipefail
cd "$(dirname "$0")/.."
till=$(realpath "${TILL:-.build-release/release/till}")
[ -x "$till" ] || { echo "pg-shop: no till binary at $till (set TILL)" >&2; exit 2; }
load_seconds=${LOAD_SECONDS:-10}
probes=${PROBES:-5}
payouts=${PAYOUTS:-500}
started=$(date +%s.%N)
work=$(mktemp -d /tmp/pg-shop.XXXXXX)
chmod 755 "$work"  # the cluster runs as `postgres` under root and must reach $work/pg
logs=$work/logs
mkdir -m 700 "$logs"
socket=pg-shop-$$
token=pg-shop-api-token-0123456789abcdef
results=$work/results.tsv
: > "$results"
pids=()
failed=0
tmux_() { tmux -L "$socket" -f /dev/null "$@"; }
cleanup() {
    local rc=$?
    set +e
    tmux_ kill-server >/dev/null 2>&1
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$socket"  # kill-server leaves its socket file
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
    scripts/pg-test-cluster.sh stop "$work/pg" >/dev/null 2>&1
    if [ "$failed" != 0 ] || [ "$rc" != 0 ] || [ -n "${KEEP_LOGS:-}" ]; then
        cp -r "$logs" "/tmp/pg-shop-logs.$$" && echo "pg-shop: logs kept in /tmp/pg-shop-logs.$$" >&2
    fi
    rm -rf "$work"
}
trap cleanup EXIT

say() { printf '[%5.1f s] %s\n' "$(echo "$(date +%s.%N) - $started" | bc -l)" "$*"; }
# result NAME VALUE PASS|FAIL|info
result() {
    printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$results"
    [ "$3" != FAIL ] || failed=1
}
check() { if [ "$3" = 1 ]; then result "$1" "$2" PASS; else result "$1" "$2" FAIL; fi; }
# wait_log FILE TEXT PID: until FILE holds TEXT (60 s), or the process is gone.
wait_log() {
    for _ in $(seq 600); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        kill -0 "$3" 2>/dev/null || break
        sleep 0.1
    done
    echo "pg-shop: '$2' never appeared in $1:" >&2
    cat "$1" >&2
    failed=1
    exit 1
}
url_in() { grep -o 'http://[0-9.]*:[0-9]*' "$1" | head -1; }
q() { psql -X -q -At -F ' ' "$TILL_DB" -c "$1"; }

# --- The helper: load, probes and the database checks (python3, standard library only) -------
cat > "$work/shop.py" <<'PY'
import http.client, json, os, random, sqlite3, subprocess, sys, threading, time

TILL = os.environ["SHOP_TILL"]
TOKEN = os.environ["SHOP_TOKEN"]
SOCKET = os.environ["SHOP_TMUX"]
SERVERS = os.environ["SHOP_SERVERS"].split()
RESULTS = os.environ["SHOP_RESULTS"]
lock = threading.Lock()
acked = []            # every acknowledged operation
stats = {}

def bump(name, n=1):
    with lock:
        stats[name] = stats.get(name, 0) + n

def record(entry):
    with lock:
        acked.append(entry)

def result(name, value, ok):
    verdict = ok if isinstance(ok, str) else ("PASS" if ok else "FAIL")
    with open(RESULTS, "a") as f:
        f.write(f"{name}\t{value}\t{verdict}\n")

class Client:
    def __init__(self, base):
        host, port = base.split("//", 1)[1].split(":")
        self.base, self.host, self.port, self.conn = base, host, int(port), None

    def once(self, method, path, body=None, key=None):
        headers = {"Authorization": "Bearer " + TOKEN}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if key:
            headers["Idempotency-Key"] = key
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=20)
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
        except Exception:
            self.conn.close()
            self.conn = None
            raise
        try:
            answer = json.loads(raw) if raw else None
        except ValueError:
            answer = {"raw": raw.decode(errors="replace")}
        return response.status, {k.lower(): v for k, v in response.getheaders()}, answer

    def call(self, method, path, body=None, key=None):
        """Retries with the same key while the outcome is not known (no answer, 409, 503)."""
        last = (0, {}, None)
        for _ in range(60):
            try:
                status, headers, answer = self.once(method, path, body, key)
            except Exception as error:
                bump("http retried: " + type(error).__name__)
                last = (0, {}, {"error": repr(error)})
                time.sleep(0.05)
                continue
            if key and status in (409, 503):
                bump(f"http retried: {status} {(answer or {}).get('code')}")
                last = (status, headers, answer)
                time.sleep(min(float(headers.get("retry-after", "0.1") or 0.1), 0.5))
                continue
            return status, headers, answer
        bump("http abandoned after retries")
        return last

def usd(cents):
    return {"minor_units": cents, "currency": "USD"}

def cash(cents, tendered):
    return {"amount": usd(cents), "tender": {"kind": "cash", "tendered": usd(tendered)}}

def card(cents):
    return {"amount": usd(cents),
            "tender": {"kind": "card", "card": {"pan": "4242424242424242", "expiry": "12/30", "cvv": "123"}}}

# --- Load -------------------------------------------------------------------------------------

def http_worker(name, base, other, deadline):
    client, replayer = Client(base), Client(other)
    n = 0
    while time.monotonic() < deadline:
        n += 1
        if n % 10 == 0:
            race(name, n)
            continue
        email, key, total = f"{name}-{n}@shop.test", f"{name}-o{n}", 1234
        body = {"email": email, "amount": usd(total)}
        status, _, answer = client.call("POST", "/orders", body, key)
        if status != 201:
            bump(f"http order refused: {status} {(answer or {}).get('code')}")
            continue
        order_id = answer["id"]
        record({"kind": "order", "key": key, "id": order_id, "email": email, "total": total, "via": name})
        if n % 5 == 0:
            # The same request on the other server: the stored answer, not a second order.
            status, headers, again = replayer.call("POST", "/orders", body, key)
            same = status == 201 and headers.get("idempotent-replayed") == "true" and again.get("id") == order_id
            bump("cross-server replays answered the same order" if same else "cross-server replays that DIFFERED")
        by_card = n % 4 == 0
        pay_key = f"{name}-p{n}"
        status, _, answer = client.call("POST", f"/orders/{order_id}/payments",
                                        card(total) if by_card else cash(total, 2000), pay_key)
        if status != 201:
            bump(f"http payment refused: {status} {(answer or {}).get('code')}")
            continue
        record({"kind": "payment", "key": pay_key, "order_id": order_id, "id": answer["payment"]["id"],
                "amount": total, "tender": "card" if by_card else "cash", "via": name})

def race(name, n):
    """One create sent to both servers at the same moment under one key."""
    email, key = f"{name}-race{n}@shop.test", f"{name}-race{n}"
    body = {"email": email, "amount": usd(500)}
    barrier = threading.Barrier(2)
    answers = []
    def send(base):
        client = Client(base)
        barrier.wait()
        answers.append(client.call("POST", "/orders", body, key))
    threads = [threading.Thread(target=send, args=(base,)) for base in SERVERS]
    for t in threads: t.start()
    for t in threads: t.join()
    ids = set()
    for status, headers, answer in answers:
        if status == 201:
            ids.add(answer["id"])
            record({"kind": "order", "key": key, "id": answer["id"], "email": email, "total": 500, "via": name + "-race"})
    bump("races (one key, both servers at once)")
    if len(ids) != 1:
        bump("races answered with different orders or none")

def batch_worker(number, deadline):
    name = f"batch{number}"
    env = dict(os.environ, TILL_SECRETS_DIR=os.environ["SHOP_CLI_SECRETS"])
    with open(os.path.join(os.environ["SHOP_LOGS"], f"{name}.stderr"), "w") as err:
        process = subprocess.Popen([TILL, "batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                                   text=True, bufsize=1, env=env)
        def ask(arguments):
            process.stdin.write(json.dumps(arguments) + "\n")
            process.stdin.flush()
            line = process.stdout.readline()
            if not line:
                raise RuntimeError(f"{name} ended without an answer")
            return json.loads(line)
        n = 0
        try:
            while time.monotonic() < deadline:
                n += 1
                email, total = f"{name}-{n}@shop.test", 1234
                if n % 3 == 0:
                    key = f"{name}-cp{n}"
                    answer = ask(["order", "create-and-pay", "--email", email, "--amount", "12.34", "--key", key,
                                  "--cash", "20.00"])
                    if "error" in answer:
                        bump(f"batch refused: {answer['error'].get('code')}")
                        continue
                    record({"kind": "order", "key": key, "id": answer["id"], "email": email, "total": total, "via": name})
                    record({"kind": "payment", "key": key, "order_id": answer["id"], "id": answer["payment"]["id"],
                            "amount": total, "tender": "cash", "via": name})
                    continue
                key = f"{name}-o{n}"
                answer = ask(["order", "create", "--email", email, "--amount", "12.34", "--key", key])
                if "error" in answer:
                    bump(f"batch refused: {answer['error'].get('code')}")
                    continue
                order_id = answer["id"]
                record({"kind": "order", "key": key, "id": order_id, "email": email, "total": total, "via": name})
                pay_key = f"{name}-p{n}"
                answer = ask(["order", "pay", order_id, "--amount", "12.34", "--cash", "20.00", "--key", pay_key])
                if "error" in answer:
                    bump(f"batch refused: {answer['error'].get('code')}")
                    continue
                record({"kind": "payment", "key": pay_key, "order_id": order_id, "id": answer["payment"]["id"],
                        "amount": total, "tender": "cash", "via": name})
        finally:
            process.stdin.close()
            code = process.wait()
            if code != 0:
                bump(f"{name} exited {code}")

# --- Visibility -------------------------------------------------------------------------------

def capture(pane):
    return subprocess.run(["tmux", "-L", SOCKET, "capture-pane", "-p", "-t", pane],
                          capture_output=True, text=True).stdout

def wait_text(pane, text, seconds=10):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if text in capture(pane):
            return True
        time.sleep(0.05)
    return False

def keys(pane, *names, literal=False):
    subprocess.run(["tmux", "-L", SOCKET, "send-keys", "-t", pane] + (["-l"] if literal else []) + list(names), check=True)

def watch(email, panes, since, limit=5.0):
    """Polls the panes every 50 ms; seconds from `since` until `email` shows in each."""
    seen = {}
    tick = time.monotonic()
    while len(seen) < len(panes) and time.monotonic() - since < limit:
        for pane in panes:
            if pane not in seen and email in capture(pane):
                seen[pane] = time.monotonic() - since
        tick += 0.05
        time.sleep(max(0.0, tick - time.monotonic()))
    return {pane: seen.get(pane) for pane in panes}

probe_lines = []

def probe(number, phase):
    base = SERVERS[number % 2]
    email = f"v{number}-{random.randrange(16**4):04x}@shop.test"
    # Each probe owes more than anyone before it: it tops the Owing list even while orders pour in.
    cents = (9000 + number) * 100
    client = Client(base)
    sent = time.monotonic()
    status, _, answer = client.call("POST", "/orders", {"email": email, "amount": usd(cents)}, "probe-" + email)
    acknowledged = time.monotonic()
    if status != 201:
        probe_lines.append((phase, number, base, None, {}))
        return
    record({"kind": "order", "key": "probe-" + email, "id": answer["id"], "email": email, "total": cents, "via": "probe"})
    seen = watch(email, ["p1", "p2"], acknowledged)
    probe_lines.append((phase, number, base, acknowledged - sent, seen))

def probe_thread(deadline):
    number = 100
    time.sleep(1.5)
    while time.monotonic() + 1.5 < deadline and number < 103:
        started = time.monotonic()
        probe(number, "under load")
        number += 1
        time.sleep(max(0.0, started + random.uniform(1.8, 2.3) - time.monotonic()))

def load(seconds, out):
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=batch_worker, args=(i, deadline)) for i in (1, 2, 3)]
    for i, base in enumerate(SERVERS):
        other = SERVERS[1 - i]
        for j in (1, 2):
            threads.append(threading.Thread(target=http_worker, args=(f"http{'ab'[i]}{j}", base, other, deadline)))
    threads.append(threading.Thread(target=probe_thread, args=(deadline,)))
    began = time.monotonic()
    for t in threads: t.start()
    for t in threads: t.join()
    took = time.monotonic() - began
    with open(out, "w") as f:
        json.dump({"acked": acked, "stats": stats, "seconds": took, "probes": probe_lines}, f)

def pos_create(source, target, number):
    """An order typed into one POS; seconds until the other POS shows it."""
    email = f"pos{number}-{random.randrange(16**4):04x}@shop.test"
    for _ in range(3):
        keys(source, "n")
        if wait_text(source, "Enter  create the order", 3):
            break
    else:
        return email, None, None, "the New order screen never opened"
    keys(source, email, literal=True)
    keys(source, "Tab")
    keys(source, "42.00", literal=True)
    pressed = time.monotonic()
    keys(source, "Enter")
    seen = watch(email, [target], pressed)
    created = wait_text(source, "created for", 3)
    for _ in range(3):
        keys(source, "Escape")
        if wait_text(source, "Recent orders", 2):
            break
    return email, seen[target], created, None

def probes(count, out):
    for pane in ("p1", "p2"):
        if not wait_text(pane, "Recent orders", 10):
            result(f"{pane} on the dashboard", "no", False)
    for number in range(count):
        probe(number, "quiet")
        # A random pause: probes evenly spaced would meet the POS's 500 ms poll at the same phase.
        time.sleep(random.uniform(0.2, 0.8))
    pos = []
    for number, (source, target) in enumerate((("p1", "p2"), ("p2", "p1"))):
        pos.append((source, target) + pos_create(source, target, number))
    with open(out, "w") as f:
        json.dump({"acked": acked, "stats": stats, "probes": probe_lines, "pos": pos}, f)

# --- Checks in the database -------------------------------------------------------------------

def q(sql):
    text = subprocess.run(["psql", "-X", "-q", "-At", "-F", "\t", os.environ["TILL_DB"], "-c", sql],
                          check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in text.splitlines() if line]

def verify(files, gp_ledger):
    acked_all, stats_all, pos = [], {}, []
    for name in files:
        with open(name) as f:
            data = json.load(f)
        acked_all += data.get("acked", [])
        pos += data.get("pos", [])
        for k, v in data.get("stats", {}).items():
            stats_all[k] = stats_all.get(k, 0) + v
    orders = {r[0]: r for r in q("SELECT id, email, total, paid, status FROM orders")}
    by_email = {}
    for r in orders.values():
        by_email.setdefault(r[1], []).append(r[0])
    installments = {}
    for r in q("SELECT id, order_id, amount, tender, state, COALESCE(payment_id, '') FROM order_payments"):
        installments.setdefault(r[1], []).append(r)
    installment_ids = {r[0]: r for rows in installments.values() for r in rows}
    requests = {r[0]: r for r in q("SELECT key, operation, target, state FROM idempotency")}
    order_problems, payment_problems, card_problems = [], [], []

    order_keys, payment_keys = {}, {}
    for a in acked_all:
        (order_keys if a["kind"] == "order" else payment_keys).setdefault(a["key"], []).append(a)
    # Orders: one per acknowledged key, under the acknowledged id, the only one with its email.
    for key, entries in order_keys.items():
        e = entries[0]
        if len({x["id"] for x in entries}) != 1:
            order_problems.append(f"order key {key} acknowledged with several ids: {sorted({x['id'] for x in entries})}")
        row = orders.get(e["id"])
        if row is None:
            order_problems.append(f"order {e['id']} ({key}) acknowledged but missing")
        elif row[1] != e["email"] or int(row[2]) != e["total"]:
            order_problems.append(f"order {e['id']} stored as {row[1:3]}, acknowledged {e['email']} {e['total']}")
        if len(by_email.get(e["email"], [])) != 1:
            order_problems.append(f"{e['email']}: {len(by_email.get(e['email'], []))} orders in the database")
        request = requests.get(key)
        if request is None or request[3] != "completed" or request[2] != e["id"]:
            order_problems.append(f"order key {key}: idempotency row {request}")
    # Orders typed into a POS: once each.
    for source, target, email, seen, created, error in pos:
        if created and len(by_email.get(email, [])) != 1:
            order_problems.append(f"POS order {email}: {len(by_email.get(email, []))} orders in the database")
    # Payments: one installment per acknowledged key, and the order holds only that one.
    paid_orders = {}
    for key, entries in payment_keys.items():
        e = entries[0]
        if len({x["id"] for x in entries}) != 1:
            payment_problems.append(f"payment key {key} acknowledged with several ids")
        row = installment_ids.get(e["id"])
        if row is None or row[1] != e["order_id"] or int(row[2]) != e["amount"] or row[3] != e["tender"]:
            payment_problems.append(f"payment {e['id']} ({key}): stored {row}")
        request = requests.get(key)
        if request is None or request[3] != "completed" or request[2] != e["order_id"]:
            payment_problems.append(f"payment key {key}: idempotency row {request}")
        paid_orders[e["order_id"]] = paid_orders.get(e["order_id"], 0) + 1
    for order_id, count in paid_orders.items():
        rows = installments.get(order_id, [])
        order = orders.get(order_id)
        if count != 1 or len(rows) != 1 or order is None or order[3] != order[2] or order[4] != "paid":
            payment_problems.append(f"order {order_id}: {len(rows)} installments for {count} acknowledged, order {order}")
    # Card payments: authorized and captured once at GoblinPay, Till's figures equal to GoblinPay's.
    card_payments = [v[0] for v in payment_keys.values() if v[0]["tender"] == "card"]
    gateway = {r[0]: r for r in q("SELECT id, processor_ref, authorized, captured FROM payments")}
    gp = sqlite3.connect(f"file:{gp_ledger}?mode=ro", uri=True)
    gp_ops = {}
    for reference, kind, amount in gp.execute("SELECT reference, kind, amount_minor FROM operation"):
        gp_ops.setdefault(reference, []).append((kind, amount))
    for e in card_payments:
        row = installment_ids.get(e["id"])
        payment = gateway.get(row[5]) if row else None
        if payment is None:
            card_problems.append(f"card payment {e['id']}: no gateway payment ({row})")
            continue
        ops = gp_ops.get(payment[1], [])
        captured = sum(a for k, a in ops if k == "capture")
        if int(payment[3]) != e["amount"] or captured != e["amount"] or [k for k, _ in ops].count("authorize") != 1:
            card_problems.append(f"card payment {e['id']}: Till captured {payment[3]}, GoblinPay {ops}")
    till_refs = {p[1] for p in gateway.values()}
    strangers = [r for r in gp_ops if r not in till_refs]
    # Left over: orders nobody acknowledged, requests not completed.
    known = {e["email"] for v in order_keys.values() for e in v} | {p[2] for p in pos}
    unacknowledged = [e for e in by_email if e not in known]
    open_requests = [r for r in requests.values() if r[3] != "completed"]

    n_orders, n_payments = len(order_keys), len(payment_keys)
    result("acknowledged orders present once (order, email, completed key)", f"{n_orders} keys, {len(order_problems)} problems",
           not order_problems and n_orders > 0)
    result("acknowledged payments present once (installment, completed key)",
           f"{n_payments} keys ({len(card_payments)} by card), {len(payment_problems)} problems", not payment_problems and n_payments > 0)
    result("card payments captured once, equal at Till and GoblinPay",
           f"{len(card_payments)} checked, {len(card_problems)} problems, {len(strangers)} GoblinPay references Till lacks",
           not card_problems and not strangers and len(card_payments) > 0)
    result("orders in the database nobody acknowledged", len(unacknowledged),
           len(unacknowledged) <= stats_all.get("http abandoned after retries", 0))
    result("requests left open (not completed)", len(open_requests), not open_requests)
    replays = stats_all.get("cross-server replays answered the same order", 0)
    bad = stats_all.get("cross-server replays that DIFFERED", 0)
    result("create replayed on the other server: the same order", f"{replays}/{replays + bad}", bad == 0 and replays > 0)
    races = stats_all.get("races (one key, both servers at once)", 0)
    race_bad = stats_all.get("races answered with different orders or none", 0)
    result("one key sent to both servers at once: one order", f"{races - race_bad}/{races}", race_bad == 0 and races > 0)
    problems = order_problems + payment_problems + card_problems + [f"not acknowledged: {e}" for e in unacknowledged[:5]] \
        + [f"open request: {r}" for r in open_requests[:5]]
    for p in problems[:20]:
        print("  problem:", p)
    if len(problems) > 20:
        print(f"  ... and {len(problems) - 20} more")
    for k in sorted(stats_all):
        print(f"  {k}: {stats_all[k]}")

def report_load(name):
    data = json.load(open(name))
    acked = data["acked"]
    by = {}
    for a in acked:
        source = "batch" if a["via"].startswith("batch") else ("probe" if a["via"] == "probe" else "http")
        by[(source, a["kind"])] = by.get((source, a["kind"]), 0) + 1
    ops = len(acked)
    result("load: acknowledged operations", f"{ops} in {data['seconds']:.1f} s ({ops / data['seconds']:.0f}/s): "
           f"batch {by.get(('batch', 'order'), 0)} orders + {by.get(('batch', 'payment'), 0)} payments, "
           f"http {by.get(('http', 'order'), 0)} orders + {by.get(('http', 'payment'), 0)} payments", ops > 0)

def report_probes(names):
    for name in names:
        data = json.load(open(name))
        for phase, number, base, took, seen in data.get("probes", []):
            if took is None:
                result(f"visibility ({phase}) #{number}", f"create on {base} failed", False)
                continue
            text = ", ".join(f"{pane} {'never' if s is None else f'{s * 1000:.0f} ms'}" for pane, s in sorted(seen.items()))
            ok = all(s is not None and s < 1.0 for s in seen.values())
            result(f"visibility ({phase}) #{number} via {base.rsplit(':', 1)[1]}", f"{text} after the answer ({took * 1000:.0f} ms to answer)", ok)
        for source, target, email, seen, created, error in data.get("pos", []):
            if error:
                result(f"POS {source} -> {target}", error, "info")
                continue
            text = "never" if seen is None else f"{seen * 1000:.0f} ms after Enter"
            result(f"POS {source} -> {target} (typed order)", f"{text}{'' if created else ' (no created message in ' + source + ')'}",
                   seen is not None and seen < 1.0 and bool(created))

if __name__ == "__main__":
    command = sys.argv[1]
    if command == "load":
        load(float(sys.argv[2]), sys.argv[3])
    elif command == "probes":
        probes(int(sys.argv[2]), sys.argv[3])
    elif command == "verify":
        verify(sys.argv[3:], sys.argv[2])
    elif command == "report-load":
        report_load(sys.argv[2])
    elif command == "report-probes":
        report_probes(sys.argv[2:])
PY
py() { python3 "$work/shop.py" "$@"; }

# --- 1. PostgreSQL --------------------------------------------------------------------------
admin=$(scripts/pg-test-cluster.sh start "$work/pg")
psql -X -q "$admin" -c "CREATE DATABASE shop"
export TILL_DB=${admin%/*}/shop
say "PostgreSQL: $TILL_DB"

# --- 2. GoblinPay as a service, and the machines' secrets -----------------------------------
"$till" goblinpay serve --port 0 --ledger "$work/gp.sqlite" 2> "$logs/goblinpay.log" &
gp_pid=$!
pids+=("$gp_pid")
wait_log "$logs/goblinpay.log" "listening on" "$gp_pid"
export TILL_GOBLINPAY_URL
TILL_GOBLINPAY_URL=$(url_in "$logs/goblinpay.log")
say "GoblinPay: $TILL_GOBLINPAY_URL"

machines=(server-a server-b pos-1 pos-2 cli)
for m in "${machines[@]}"; do mkdir -m 700 "$work/$m"; done
TILL_SECRETS_DIR=$work/server-a "$till" init --json > "$logs/init.json"
ledger_id=$(q "SELECT ledger_id FROM ledger_identity")
secret=card-secret-$ledger_id.key
# A machine without the secret is refused, by design.
if refusal=$(TILL_SECRETS_DIR=$work/server-b "$till" order list --email probe@shop.test --json 2>&1); then
    check "a machine without the card secret is refused" "it was NOT: $refusal" 0
else
    message=$(python3 -c 'import json,sys; e=json.loads(sys.stdin.read())["error"]; print(e["code"] + ": " + e["message"])' <<<"$refusal" 2>/dev/null || echo "$refusal")
    say "without the secret: $message"
    case $message in
    *"$secret"*) check "a machine without the card secret is refused" "$message" 1 ;;
    *) check "a machine without the card secret is refused (naming $secret)" "$message" 0 ;;
    esac
fi
for m in server-b pos-1 pos-2 cli; do install -m 600 "$work/server-a/$secret" "$work/$m/$secret"; done
export TILL_SECRETS_DIR=$work/cli  # every till of this script not named otherwise is the "cli" machine
if "$till" order list --email probe@shop.test --json > /dev/null; then
    check "a machine with a copy of the secret opens the ledger" "yes" 1
else
    check "a machine with a copy of the secret opens the ledger" "no" 0
fi

# --- 3. Two servers, two POS sessions -------------------------------------------------------
for s in a b; do
    TILL_API_TOKEN=$token TILL_SECRETS_DIR=$work/server-$s "$till" serve --port 0 --payout-poll-ms 500 2> "$logs/serve-$s.log" &
    pids+=($!)
    wait_log "$logs/serve-$s.log" "listening on" $!
done
server_a=$(url_in "$logs/serve-a.log")
server_b=$(url_in "$logs/serve-b.log")
say "servers: $server_a and $server_b"
for p in 1 2; do
    command=$(printf 'env TERM=xterm-256color TILL_LOCK_AFTER=0 TILL_DB=%q TILL_SECRETS_DIR=%q TILL_GOBLINPAY_URL=%q TILL_RECEIPT_DIR=%q %q; echo "POS exited with $?"; sleep 3600' \
        "$TILL_DB" "$work/pos-$p" "$TILL_GOBLINPAY_URL" "$work" "$till")
    tmux_ new-session -d -s "p$p" -x 100 -y 30 "$command"
done
for p in 1 2; do
    for _ in $(seq 300); do
        tmux_ capture-pane -p -t "p$p" | grep -q "Recent orders" && break
        sleep 0.1
    done
    if tmux_ capture-pane -p -t "p$p" | grep -q "Recent orders"; then
        check "POS p$p on the dashboard" yes 1
    else
        tmux_ capture-pane -p -t "p$p" > "$logs/pos-p$p-start.txt"
        check "POS p$p on the dashboard" "no (see pos-p$p-start.txt)" 0
    fi
done

export SHOP_TILL=$till SHOP_TOKEN=$token SHOP_TMUX=$socket SHOP_SERVERS="$server_a $server_b" SHOP_RESULTS=$results
export SHOP_CLI_SECRETS=$work/cli SHOP_LOGS=$logs

# --- 4. Concurrent writes -------------------------------------------------------------------
say "load: 3 till batch + 4 HTTP clients (2 per server) for $load_seconds s, probes under load"
# Meanwhile: how many of the shop's connections wait for the ledger's write lock (an advisory lock).
(
    while [ ! -e "$work/loaded" ]; do
        psql -X -q -At -F ' ' "$TILL_DB" -c "SELECT COUNT(*) FILTER (WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'),
            COUNT(*) FILTER (WHERE state = 'active' AND pid <> pg_backend_pid()) FROM pg_stat_activity WHERE datname = current_database()" \
            >> "$logs/lock-samples.txt" 2>/dev/null || true
        sleep 0.1
    done
) &
sampler=$!
pids+=("$sampler")
py load "$load_seconds" "$work/load.json"
touch "$work/loaded"
wait "$sampler" || true
py report-load "$work/load.json"
result "load: connections waiting for the write lock (mean / max)" "$(awk '{w += $1; a += $2; if ($1 > m) m = $1} END {if (NR) printf "%.1f / %d of %.1f active, %d samples", w / NR, m, a / NR, NR}' "$logs/lock-samples.txt")" info

# --- 5. Visibility on a quiet shop, and orders typed into each POS --------------------------
say "visibility: $probes probes, then one order typed into each POS"
py probes "$probes" "$work/probes.json"
py report-probes "$work/load.json" "$work/probes.json"
for p in 1 2; do tmux_ capture-pane -p -t "p$p" > "$logs/pos-p$p-after-probes.txt"; done

say "checks in the database"
py verify "$work/gp.sqlite" "$work/load.json" "$work/probes.json"
check_json() {
    "$till" check --json 2>&1 | python3 -c 'import json,sys
r = json.load(sys.stdin)
ok = r.get("ok") is True and r.get("integrity") == [] and r.get("differences") == []
print("sound" if ok else "NOT SOUND: %s" % json.dumps(r)[:400])' || true
}
verdict=$(check_json)
if [ "$verdict" = sound ]; then check "till check --json after the load" sound 1; else check "till check --json after the load" "$verdict" 0; fi

# --- 6. Payouts, imported once however many import them -------------------------------------
settled=$("$till" goblinpay settle)
settle_payouts=$(python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["created"])' <<<"$settled")
say "settled: $settle_payouts payout(s); producing $payouts more while 2 servers and 2 'till payouts sync' loops import"
sync_loop() {
    local runs=0
    while [ ! -e "$work/imported" ]; do
        "$till" payouts sync --json >> "$logs/sync-$1.log" 2>&1 || echo "exit $?" >> "$logs/sync-$1.log"
        runs=$((runs + 1))
    done
    echo "$runs" > "$work/sync-$1.runs"
}
sync_loop 1 &
sync1=$!
sync_loop 2 &
sync2=$!
pids+=("$sync1" "$sync2")
produce_started=$(date +%s.%N)
"$till" goblinpay produce --payouts "$payouts" --concurrency 20 --sleep-ms 5 > "$logs/produce.json"
produce_took=$(echo "$(date +%s.%N) - $produce_started" | bc -l)
expected=$((settle_payouts + payouts))
count() { curl -sf "$TILL_GOBLINPAY_URL/api/payouts/count"; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
processing=0
for _ in $(seq 1200); do
    processing=$(count | field processing || echo 0)
    [ "$processing" -ge "$expected" ] && break
    sleep 0.1
done
all_processing=$(echo "$(date +%s.%N) - $produce_started" | bc -l)
touch "$work/imported"
wait "$sync1" "$sync2" || true
# Till marks a payout acknowledged after GoblinPay's answer: wait for the marks too (30 s).
for _ in $(seq 300); do
    [ "$(q "SELECT COUNT(*) FROM payouts WHERE acknowledged_at IS NULL")" = 0 ] && break
    sleep 0.1
done
gp_count=$(count)
read -r gp_total gp_processing gp_max < <(python3 -c 'import json,sys; c=json.load(sys.stdin); print(c["total"], c["processing"], c["max_update_count"])' <<<"$gp_count")
read -r till_rows till_distinct till_acked < <(q "SELECT COUNT(*), COUNT(DISTINCT id), COUNT(acknowledged_at) FROM payouts")
unbalanced=$(q "SELECT COUNT(*) FROM payouts p WHERE amount <> (SELECT COALESCE(SUM(amount), 0) FROM payout_entries e WHERE e.payout_id = p.id)")
updates=$(python3 -c 'import sqlite3,sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
print(", ".join("%d: %d" % r for r in db.execute("SELECT update_count, COUNT(*) FROM payout GROUP BY 1 ORDER BY 1")))' "$work/gp.sqlite")
runs=$(( $(cat "$work/sync-1.runs") + $(cat "$work/sync-2.runs") ))
sync_failures=$(cat "$logs"/sync-*.log | grep -c '^exit ' || true)
recorded_by_cli=$(cat "$logs"/sync-*.log | python3 -c 'import json,re,sys
print(sum(int(n) for n in re.findall(r"\"recorded\" : (\d+)", sys.stdin.read())))')
result "payouts: produce" "$payouts in $(printf '%.1f' "$produce_took") s; all processing after $(printf '%.1f' "$all_processing") s" info
result "payouts: 'till payouts sync' beside the servers" "ran $runs times ($sync_failures failed), recorded $recorded_by_cli of $expected" info
check "payouts: GoblinPay total = processing = expected" "$gp_total / $gp_processing / $expected" \
    "$([ "$gp_total" = "$expected" ] && [ "$gp_processing" = "$expected" ] && echo 1 || echo 0)"
check "payouts: max_update_count (acknowledged once)" "$gp_max (update_count: payouts = $updates)" "$([ "$gp_max" = 1 ] && echo 1 || echo 0)"
check "payouts: Till's rows / distinct / acknowledged" "$till_rows / $till_distinct / $till_acked" \
    "$([ "$till_rows" = "$expected" ] && [ "$till_distinct" = "$expected" ] && [ "$till_acked" = "$expected" ] && echo 1 || echo 0)"
check "payouts: entries add up to the amount" "$unbalanced payouts off" "$([ "$unbalanced" = 0 ] && echo 1 || echo 0)"
reconcile=$("$till" payouts reconcile --json | python3 -c 'import json,sys
r = json.load(sys.stdin)
def n(*names):
    for name in names:
        if name in r: return len(r[name])
    return -1
print(r.get("clean"), n("matched"), n("in_transit", "inTransit"), n("mismatched"), n("unexpected"))' || echo "error -1 -1 -1 -1")
read -r clean matched in_transit mismatched unexpected <<<"$reconcile"
card_payments=$(q "SELECT COUNT(*) FROM order_payments WHERE tender = 'card'")
check "payouts: reconciliation clean, every card capture matched" \
    "clean=$clean matched=$matched/$card_payments in_transit=$in_transit mismatched=$mismatched unexpected=$unexpected" \
    "$([ "$clean" = True ] && [ "$matched" = "$card_payments" ] && [ "$in_transit" = 0 ] && echo 1 || echo 0)"
verdict=$(check_json)
if [ "$verdict" = sound ]; then check "till check --json at the end" sound 1; else check "till check --json at the end" "$verdict" 0; fi
for s in a b; do
    if grep -qi "fatal\|crash" "$logs/serve-$s.log"; then result "server $s log" "mentions fatal/crash (see serve-$s.log)" FAIL; fi
done
for p in 1 2; do
    tmux_ capture-pane -p -t "p$p" > "$logs/pos-p$p-end.txt"
    if grep -q "POS exited" "$logs/pos-p$p-end.txt"; then result "POS p$p still running" "no: $(grep 'POS exited' "$logs/pos-p$p-end.txt")" FAIL; fi
done

# --- 7. Results -------------------------------------------------------------------------------
took=$(echo "$(date +%s.%N) - $started" | bc -l)
echo
echo "pg-shop results (ledger on PostgreSQL; servers $server_a, $server_b; GoblinPay $TILL_GOBLINPAY_URL)"
while IFS=$'\t' read -r name value verdict; do
    printf '  %-5s %-66s %s\n' "$verdict" "$name" "$value"
done < "$results"
printf 'took %.0f s\n' "$took"
if grep -q $'\tFAIL$' "$results"; then failed=1; fi
if [ "$failed" != 0 ]; then echo "pg-shop: FAILED" >&2; exit 1; fi
echo "pg-shop: every check passed"
