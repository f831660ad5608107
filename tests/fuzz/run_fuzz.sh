#!/bin/bash
# run_fuzz.sh FUZZER SEEDS: run a libFuzzer target from the seed corpus for
# 30 s (SPECDB_SOAK=1: 600 s, or SPECDB_FUZZ_SECONDS).  New inputs go to a
# temporary directory, never into the checked-in seeds; a crash leaves its
# input in the current directory and fails the test.
set -euo pipefail
fuzzer=$1
seeds=$2
seconds=${SPECDB_FUZZ_SECONDS:-30}
if [ "${SPECDB_SOAK:-0}" = 1 ]; then
    seconds=${SPECDB_FUZZ_SECONDS:-600}
fi
work=$(mktemp -d /tmp/specdb-fuzz-corpus-XXXXXX)
export TMPDIR=$(mktemp -d /tmp/specdb-fuzz-data-XXXXXX) # the fuzzer's data directory
trap 'rm -rf "$work" "$TMPDIR"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
"$fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=30 -rss_limit_mb=4096 \
    -print_final_stats=1 "$work" "$seeds"
