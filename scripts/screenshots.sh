#!/usr/bin/env bash
# Makes the product screenshots: builds `till`, fills a temporary ledger with `till demo`,
# runs the POS (bare `till`) in a private tmux server at a fixed size, and for each shot
# sends keys, waits for its text on a settled screen, captures the pane with its colours
# and renders it as a PNG with scripts/screenshot.py.
#
#   scripts/screenshots.sh [--stand-in] [--out DIR] [--size WxH] [--no-build]
#
#   --stand-in   photograph programs that exist today (the demo's progress bar, the help in
#                less, a mock receipt in colour) instead of the POS: proves the pipeline;
#                its PNGs are not for the repository
#   --out DIR    where the PNGs go (default /tmp/till-screenshots; the product's: screenshots)
#   --size WxH   the terminal size (default 100x30)
#   --no-build   use the till already built
#
# The shots are listed in pos_shots below, one line each:
#   shot NAME "TEXT TO WAIT FOR" [KEY...]
# KEYs are tmux key names (Enter, Escape, Tab, BTab, F1, Up, NPage, C-c, ...) or
# text:SOME TEXT to type literally. Each shot sends its keys in order, then waits until the
# text is on the screen and two captures 50 ms apart agree, then takes the picture.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

mode=pos
out=/tmp/till-screenshots
width=100
height=30
build=1
while [ $# -gt 0 ]; do
    case "$1" in
        --stand-in) mode=stand-in ;;
        --out) out=$2; shift ;;
        --size) width=${2%x*}; height=${2#*x}; shift ;;
        --no-build) build=0 ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "screenshots.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

# --- What the pipeline needs ------------------------------------------------------------------
missing=()
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] || missing+=(fonts-dejavu-core)
# A fallback for the glyphs DejaVu lacks (CJK); optional, installed when apt-get can.
[ -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ] || missing+=(fonts-droid-fallback)
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "screenshots.sh: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v tmux >/dev/null 2>&1 || { echo "screenshots.sh: tmux is required" >&2; exit 1; }
if ! python3 -c "import pyte, PIL" >/dev/null 2>&1; then
    python3 -m pip install --quiet pyte pillow
fi

if [ "$build" = 1 ]; then
    swift build --product till >&2
fi
till="$(swift build --show-bin-path)/till"
[ -x "$till" ] || { echo "screenshots.sh: $till is not built" >&2; exit 1; }

# --- A private tmux server --------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/till-shots.XXXXXX")
socket="till-shots-$$"
export TMUX_TMPDIR=$work
unset TMUX
cleanup() {
    tmux -L "$socket" kill-server >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$out"

t() { tmux -u -L "$socket" -f /dev/null "$@"; }

# start_app COMMAND...: (re)starts the program being photographed, in a fresh window of
# the fixed size. It runs without a shell, with TERM=tmux-256color and the demo ledger.
# (tmux-256color has no bce, so curses writes coloured blanks as cells, which the capture
# keeps; with xterm-256color it would erase with a colour, which capture-pane drops.)
start_app() {
    t kill-server >/dev/null 2>&1 || true
    # A server still dying answers the next start with "server exited unexpectedly": wait it out.
    local tries=0
    while t list-sessions >/dev/null 2>&1 && [ $tries -lt 100 ]; do sleep 0.05; tries=$((tries + 1)); done
    t start-server \; set-option -g status off \; set-option -g default-terminal tmux-256color \
        \; set-option -g remain-on-exit on \; set-option -g remain-on-exit-format "" \; set-option -g history-limit 0 \
        \; new-session -d -s shots -c "$work" -x "$width" -y "$height" -- env TERM=tmux-256color TILL_DB="$database" "$@"
}

# Debian's tmux (libutempter) can miss the SIGCHLD of a program that exits at once, and so
# never mark its pane dead; a spare SIGCHLD makes it look again (see TmuxSession.swift).
pane_dead() {
    kill -CHLD "$(t display-message -p -t shots '#{pid}')" 2>/dev/null || true
    [ "$(t display-message -p -t shots '#{pane_dead}' 2>/dev/null)" = 1 ]
}

# wait_for TEXT [SECONDS]: until TEXT is on the screen and the screen is settled (two
# captures 50 ms apart are identical). Fails with the last screen on timeout, or at once if
# the program has exited without showing TEXT.
wait_for() {
    local text=$1 limit=${2:-20} screen again
    local deadline=$((SECONDS + limit))
    while :; do
        screen=$(t capture-pane -p -t shots)
        if grep -qF -- "$text" <<<"$screen"; then
            sleep 0.05
            again=$(t capture-pane -p -t shots)
            [ "$again" = "$screen" ] && return 0
            continue
        fi
        if pane_dead; then
            screen=$(t capture-pane -p -t shots)
            grep -qF -- "$text" <<<"$screen" && return 0
            printf 'screenshots.sh: the program exited before showing "%s"; the screen:\n%s\n' "$text" "$screen" >&2
            return 1
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            printf 'screenshots.sh: timed out after %ss waiting for "%s"; the screen:\n%s\n' "$limit" "$text" "$screen" >&2
            return 1
        fi
        sleep 0.02
    done
}

# shot NAME TEXT [KEY...]: sends the keys, waits for TEXT, writes $out/NAME.png.
shot() {
    local name=$1 text=$2 key cursor_flag cursor_x cursor_y
    shift 2
    for key in "$@"; do
        case "$key" in
            text:*) t send-keys -t shots -l -- "${key#text:}" ;;
            *) t send-keys -t shots "$key" ;;
        esac
    done
    wait_for "$text"
    t capture-pane -p -e -N -t shots >"$work/$name.txt"
    read -r cursor_flag cursor_x cursor_y < <(t display-message -p -t shots '#{cursor_flag} #{cursor_x} #{cursor_y}')
    local cursor=()
    [ "$cursor_flag" = 1 ] && ! pane_dead && cursor=(--cursor "$cursor_x,$cursor_y")
    python3 "$repo/scripts/screenshot.py" --width "$width" --height "$height" "${cursor[@]}" \
        --title "till" --out "$out/$name.png" <"$work/$name.txt"
    shots_taken=$((shots_taken + 1))
}
shots_taken=0

# --- The shots --------------------------------------------------------------------------------
# The POS on the demo ledger, one screen after another as an operator would go: the clock is
# fixed (TILL_NOW) so the pictures are the same on every run, and GoblinPay never fails a
# capture at random.
pos_shots() {
    start_app env TILL_NOW="$now" TZ=UTC LANG=C.UTF-8 TILL_GOBLINPAY_FAILURE_RATE=0 TILL_RECEIPT_DIR="$work" "$till"
    shot 01-dashboard        "Net takings"
    # The day starts with the drawer: a float of $100.00 (cash sales below land in it).
    t send-keys -t shots F7; wait_for "No drawer is open"
    t send-keys -t shots o; wait_for "Open the drawer"
    t send-keys -t shots -l 100.00; t send-keys -t shots Enter
    wait_for "float of"
    shot 02-new-order        "Known customers"  F3 text:s
    # Pick the first suggestion, type the amount, create: the order screen opens.
    t send-keys -t shots Down Enter; t send-keys -t shots -l 84.50; t send-keys -t shots Enter
    wait_for "created for"
    shot 03-take-payment-card "Visa ✓"          p BTab C-u text:30.00 Tab text:4242424242424242 Tab text:1230 Tab text:123
    t send-keys -t shots Enter
    wait_for "Paid \$30.00 by Visa"
    # A card whose answer is lost (4046): after Esc the order shows it pending while the POS
    # asks GoblinPay in the background, then says it went through.
    t send-keys -t shots p BTab C-u; t send-keys -t shots -l 10.00; t send-keys -t shots Tab
    t send-keys -t shots -l 4000000000004046; t send-keys -t shots Tab; t send-keys -t shots -l 1230
    t send-keys -t shots Tab; t send-keys -t shots -l 123; t send-keys -t shots Enter
    wait_for "payment_pending"
    shot 10-order-pending    "resolving…"       Escape
    wait_for "went through"
    shot 04-cash-change      "CHANGE DUE"       p F9 text:60 Enter
    shot 05-order-detail     "PAID"             Enter
    t send-keys -t shots F4; t send-keys -t shots -l so
    wait_for "Lifetime"
    shot 06-customer-history "Payments ·"       Tab Down Down
    shot 07-card-payments    "a auth"           F5 Down
    shot 08-wallets          "History"          F6
    shot 09-help             "any key closes"   F1
    # The drawer with the day's figures, then counted ($4.50 short) and closed: the Z report.
    shot 12-drawer           "−\$15.50"         Escape F7
    t send-keys -t shots c; wait_for "Count and close"
    t send-keys -t shots -l 140.00; t send-keys -t shots Enter
    wait_for "counted?"
    shot 13-z-report         "Drawer closed"    y
    # GoblinPay settles the day's card captures and the till imports the payout: the Payouts
    # screen (y) shows it matched, and the demo's older sales in transit.
    TILL_NOW=$now "$till" goblinpay settle --db "$work/$database" >&2
    TILL_NOW=$now "$till" payouts sync --db "$work/$database" >&2
    shot 14-payouts          "Paid out"         y
    # Once an operator exists the POS starts on its sign-in screen (the PIN shows as dots).
    printf '4711\n' | "$till" operator add Ann --db "$work/$database" >&2
    start_app env TILL_NOW="$now" TZ=UTC LANG=C.UTF-8 "$till"
    wait_for "Who is at the counter?"
    shot 11-sign-in          "PIN      ••"      text:Ann Tab text:47
}

# Programs that exist today, standing in for the POS: the demo's live progress bar and its
# summary, the help in less (reverse video in less's prompt), then a mock receipt in colour
# with box drawing and wide characters, to show what the renderer does.
stand_in_shots() {
    cat >"$work/stand-in.sh" <<'SCRIPT'
"$1" demo --orders 400 --db "$2"
printf '\nPress Enter for the help.\n'
read -r _
"$1" --help | less
clear
e=$(printf '\033')
cat <<RECEIPT
${e}[1;97;44m Till ${e}[0;97;44m  Register 1 · Sale #1042                                                                  ${e}[0m

  ${e}[2m┌────────────────────────────────────────────┬──────────┐${e}[0m
  ${e}[2m│${e}[0m ${e}[1mItem${e}[0m                                       ${e}[2m│${e}[0m ${e}[1m  Amount${e}[0m ${e}[2m│${e}[0m
  ${e}[2m├────────────────────────────────────────────┼──────────┤${e}[0m
  ${e}[2m│${e}[0m Coffee beans, 1 kg                         ${e}[2m│${e}[0m    24.00 ${e}[2m│${e}[0m
  ${e}[2m│${e}[0m 日本茶 (sencha) ×2                         ${e}[2m│${e}[0m    18.50 ${e}[2m│${e}[0m
  ${e}[2m│${e}[0m ${e}[3mGift card — store credit${e}[0m                   ${e}[2m│${e}[0m ${e}[32m  -10.00${e}[0m ${e}[2m│${e}[0m
  ${e}[2m└────────────────────────────────────────────┴──────────┘${e}[0m
    ${e}[1mTotal${e}[0m                                              ${e}[1;38;5;214m32.50${e}[0m
    Paid by card ${e}[38;2;120;200;255m•••• 4242${e}[0m                  ${e}[7m APPROVED ${e}[0m ${e}[4mreceipt${e}[0m

  ${e}[31mvoided line${e}[0m ${e}[9m3.00${e}[0m    ${e}[1;33m! ${e}[0;33mprinter offline${e}[0m    Thank you.
RECEIPT
read -r _
SCRIPT
    start_app sh "$work/stand-in.sh" "$till" "$work/stand-in.sqlite"
    shot 01-demo "Press Enter for the help."
    shot 02-help "SUBCOMMANDS" Enter
    shot 03-receipt "Thank you." q
}

# Relative to the program's directory ($work), so the status bar shows the same short path on
# every run and the pictures only change when the screens do.
database="shop/till.sqlite"
mkdir -p "$work/shop"
now=2026-11-22T15:30:00Z
TILL_NOW=$now "$till" demo --orders 2000 --db "$work/$database" >&2

case "$mode" in
    pos) pos_shots ;;
    stand-in) stand_in_shots ;;
esac
if [ "$shots_taken" -eq 0 ]; then
    echo "screenshots.sh: no shots yet: list the POS's in pos_shots (or try --stand-in)" >&2
    exit 1
fi
echo "screenshots.sh: $shots_taken screenshots in $out" >&2
