#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, in CI and on a developer's machine: in DIR (data,
# unix socket, log), on a free TCP port on 127.0.0.1 with trust auth from there only, fsync on,
# 500 connections, UTF-8 and the C locale. Run as root, the server runs as the `postgres` user;
# the invoking user gets a SUPERUSER LOGIN role and owns the database `till_test`.
#
#   scripts/pg-test-cluster.sh start DIR     DIR absent or empty; prints the URL (also in DIR/url):
#                                            postgres://USER@127.0.0.1:PORT/till_test
#   scripts/pg-test-cluster.sh restart DIR   restarts the server (fast shutdown) on the same port
#   scripts/pg-test-cluster.sh stop DIR      stops it (fast) and removes DIR; safe to call twice
#
# The binaries: $PG_BINDIR, else `pg_config --bindir`, else the highest /usr/lib/postgresql/*/bin.
set -euo pipefail

usage() { echo "usage: $0 start|restart|stop DIR" >&2; exit 2; }
fail() { echo "$0: $*" >&2; exit 1; }
[ $# -eq 2 ] || usage
command=$1
dir=$2
user=$(id -un)

bindir() {
    local candidate
    for candidate in "${PG_BINDIR:-}" "$(pg_config --bindir 2>/dev/null || true)" \
        "$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"; do
        if [ -n "$candidate" ] && [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
            echo "$candidate"
            return
        fi
    done
    fail "no PostgreSQL server binaries (initdb, pg_ctl) found; set PG_BINDIR"
}

# The server's tools run as `postgres` under root (initdb refuses root), else as the caller.
as_server() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A port nothing listens on, from $1 upward (a race with another starter is caught at start).
free_port() {
    local port=$1
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
    echo "$port"
}

case $command in
start)
    if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then fail "$dir exists and is not empty"; fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)
    cd /  # the postgres user may not be able to read the caller's directory
    bin=$(bindir)
    if [ "$(id -u)" -eq 0 ]; then
        superuser=postgres
        chown postgres: "$dir"
        as_server test -w "$dir" -a -x "$dir" || fail "the postgres user cannot reach $dir: every directory above it must be searchable by others"
    else
        superuser=$user
    fi
    as_server "$bin/initdb" -D "$dir/data" -U "$superuser" -A trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; fail "initdb failed"; }
    echo "host all all 127.0.0.1/32 trust" | as_server tee "$dir/data/pg_hba.conf" >/dev/null
    port=$(free_port 55432)
    for attempt in 1 2 3 4 5; do
        as_server tee -a "$dir/data/postgresql.conf" >/dev/null <<EOF
# scripts/pg-test-cluster.sh (a later line wins)
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 500
fsync = on
EOF
        logged=0
        if [ -f "$dir/log" ]; then logged=$(wc -l <"$dir/log"); fi
        if as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 120 -s start >&2; then break; fi
        # Another cluster took the port between the check and the start: try the next one.
        awk -v n="$logged" 'NR > n && /Address already in use/ { found = 1 } END { exit !found }' "$dir/log" \
            && [ "$attempt" -lt 5 ] || fail "the server did not start; see $dir/log"
        port=$(free_port $((port + 1)))
    done
    "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$superuser" -d postgres \
        -v user="$user" -v superuser="$superuser" >/dev/null <<'EOF'
SELECT :'user' <> :'superuser' AS new_role \gset
\if :new_role
CREATE ROLE :"user" SUPERUSER LOGIN;
\endif
CREATE DATABASE till_test OWNER :"user";
EOF
    url="postgres://$user@127.0.0.1:$port/till_test"
    echo "$url" >"$dir/url"
    echo "$url"
    ;;
restart)
    [ -d "$dir/data" ] || fail "no cluster in $dir"
    dir=$(cd "$dir" && pwd -P)
    cd /
    as_server "$(bindir)/pg_ctl" -D "$dir/data" -l "$dir/log" -m fast -w -t 120 -s restart >&2
    ;;
stop)
    [ -e "$dir" ] || exit 0
    # Only what `start` made is removed: a cluster, or nothing at all.
    [ -e "$dir/data" ] || [ -e "$dir/url" ] || [ -z "$(ls -A "$dir")" ] || fail "$dir does not hold a test cluster"
    dir=$(cd "$dir" && pwd -P)
    cd /
    bin=$(bindir)
    if [ -f "$dir/data/postmaster.pid" ] && as_server "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        as_server "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 120 -s stop >&2
    fi
    rm -rf "$dir"
    ;;
*) usage ;;
esac
