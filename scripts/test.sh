#!/bin/bash
# test.sh: build and run every test twice: in the Release build and in a
# Debug build with AddressSanitizer + UndefinedBehaviorSanitizer.  Longer
# soak and crash runs: SPECDB_SOAK=1 scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
start=$(date +%s)
for variant in release asan; do
    dir=build
    flags=(-DCMAKE_BUILD_TYPE=Release)
    if [ "$variant" = asan ]; then
        dir=build-asan
        flags=(-DSPECDB_SANITIZE=ON)
    fi
    echo "== $variant build ($dir) =="
    cmake -S . -B "$dir" "${flags[@]}" >/dev/null
    cmake --build "$dir" -j"$(nproc)"
    echo "== $variant tests =="
    ctest --test-dir "$dir" --output-on-failure --timeout 900
done
echo "all tests passed in $(( $(date +%s) - start )) s"
