#!/bin/sh
# Runs one fuzz target: ./run.sh TARGET SECONDS [libFuzzer flags...]
# The generated corpus goes to .work/corpus/TARGET (not committed), crashes to
# .work/crashes/TARGET/, libFuzzer's log to .work/TARGET.log. Build first (README.md).
set -eu
cd "$(dirname "$0")"
target=$1 seconds=$2
shift 2
name=Fuzz$(printf %s "$target" | cut -c1 | tr a-z A-Z)$(printf %s "$target" | cut -c2-)
mkdir -p .work/corpus/"$target" .work/crashes/"$target"
dict=""
[ -f Dictionaries/"$target".dict ] && dict=-dict=Dictionaries/"$target".dict
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:quarantine_size_mb=32:malloc_context_size=10} SWIFT_BACKTRACE=enable=no exec nice -n 19 .build/debug/"$name" .work/corpus/"$target" Corpus/"$target" $dict \
    -max_total_time="$seconds" -rss_limit_mb=${RSS_LIMIT_MB:-2048} -timeout=20 -detect_leaks=0 -print_final_stats=1 \
    -artifact_prefix=.work/crashes/"$target"/ "$@" </dev/null >.work/"$target".log 2>&1
