#!/usr/bin/env bash
# Measures how long `till` takes from start to its first frame and to a dashboard with
# today's figures, on a given database: starts it in a private tmux server at 80x24 and polls
# the pane every 5 ms. Prints both times in milliseconds, best of N runs.
#
#   scripts/first-frame.sh DB [RUNS] [TILL_BINARY]
set -euo pipefail
db=${1:?usage: first-frame.sh DB [RUNS] [TILL_BINARY]}
runs=${2:-5}
till=${3:-.build/release/till}
# A fresh tmux server per run: reusing one right after kill-server can race its shutdown.
socket="till-first-frame-$$-0"
tmux_() { tmux -L "$socket" -f /dev/null "$@"; }
trap 'tmux_ kill-server 2>/dev/null || true' EXIT

now_ms() { date +%s%3N; }
best_frame=""
best_data=""
for run in $(seq "$runs"); do
    tmux_ kill-server 2>/dev/null || true
    socket="till-first-frame-$$-$run"
    start=$(now_ms)
    tmux_ new-session -d -x 80 -y 24 "TERM=xterm-256color TILL_DB='$db' '$till'"
    frame=""
    data=""
    while :; do
        screen=$(tmux_ capture-pane -p 2>/dev/null || true)
        t=$(( $(now_ms) - start ))
        if [ -z "$frame" ] && grep -q "F2 Dashboard" <<<"$screen"; then frame=$t; fi
        if grep -q "Net takings" <<<"$screen"; then data=$t; break; fi
        if [ "$t" -gt 60000 ]; then echo "no dashboard after 60 s:" >&2; echo "$screen" >&2; exit 1; fi
        sleep 0.005
    done
    tmux_ send-keys q
    echo "run $run: first frame ${frame} ms, dashboard with data ${data} ms"
    if [ -z "$best_frame" ] || [ "$frame" -lt "$best_frame" ]; then best_frame=$frame; fi
    if [ -z "$best_data" ] || [ "$data" -lt "$best_data" ]; then best_data=$data; fi
done
echo "best of $runs: first frame ${best_frame} ms, dashboard with data ${best_data} ms"
