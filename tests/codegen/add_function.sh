#!/bin/sh
# Adding a SQL function is one spec entry plus the one C function it names:
# in a copy of the tree, add times_two(int4) to spec/functions.toml and its C
# function, build, and check that the generated example test runs the new
# entry's examples (and fails when the C function is wrong).
# Usage: add_function.sh SOURCE_DIR
set -eu
src=$(cd "$1" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$src" && git ls-files -z | xargs -0 cp -P --parents -t "$tmp")

cat >> "$tmp/spec/functions.toml" <<'TOML'

[[function]]
name = "times_two"
args = ["int4"]
result = "int4"
volatility = "immutable"
strict = true
symbol = "sdb_fn_times_two"
description = "twice the argument"
examples = [
    {sql = "times_two(21)", result = "42"},
    {sql = "times_two(NULL::int4)", result = "NULL"},
    {sql = "times_two(2000000000)", error = "22003"},
]
TOML

write_c() { # $1: the multiplier the C function uses
    cat > "$tmp/runtime/expr/fn_times_two.c" <<C
/* times_two(int4): the function added by tests/codegen/add_function.sh. */
#include "common/error.h"
#include "expr/fmgr.h"

int sdb_fn_times_two(SdbFnCall *call)
{
    int64_t v = sdb_fn_arg_int(call, 0) * $1;
    if (v > INT32_MAX || v < INT32_MIN)
        return sdb_error(SDB_ERR_NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range");
    return sdb_fn_return_int(call, v);
}
C
}

build() {
    cmake --build "$tmp/build" --target test_functions -j2 >"$tmp/build.log" 2>&1 || {
        tail -30 "$tmp/build.log" >&2
        return 1
    }
}

write_c 2
python3 "$tmp/codegen/gen.py" --spec "$tmp/spec" --out "$tmp/generated" >/dev/null
cmake -S "$tmp" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
build
grep -q 'sdb_fn_times_two' "$tmp/generated/include/sdb_functions.h" || { echo "no declaration generated" >&2; exit 1; }
grep -q 'times_two' "$tmp/generated/docs/reference/functions.md" || { echo "no reference entry generated" >&2; exit 1; }
grep -q 'times_two(21)' "$tmp/generated/tests/sdb_examples.c" || { echo "examples not generated" >&2; exit 1; }
"$tmp/build/test_functions" >"$tmp/run.log" 2>&1 || { tail -20 "$tmp/run.log" >&2; exit 1; }

# The examples are really run: a wrong implementation must fail them.
write_c 3
build
if "$tmp/build/test_functions" >"$tmp/run.log" 2>&1; then
    echo "a wrong times_two passed its examples" >&2
    exit 1
fi
grep -q 'times_two(21)' "$tmp/run.log" || { echo "the failure does not name the example" >&2; exit 1; }
echo "times_two added with one spec entry and one C function; its examples run"
