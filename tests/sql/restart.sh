#!/bin/bash
# tests/sql/restart.sh: data and catalog survive a clean restart and a
# kill -9.  A `specdb sql -f` script of autocommitted INSERTs is killed
# mid-run; after reopening, every INSERT whose tag was printed (which
# happens only after its commit is durable) is there, at most the one in
# flight besides, and an open transaction block left nothing behind.
# Usage: restart.sh path/to/specdb
set -u
specdb=$1
tmp=$(mktemp -d)
runner=
trap '[ -n "$runner" ] && kill -9 $runner 2>/dev/null; rm -rf "$tmp"' EXIT
db=$tmp/db
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $1"; }

# value SQL: the values of the query's first column, one a line
value() { "$specdb" sql -D "$db" -v FORMAT=raw -c "$1" 2>&1 | awk -F'\t' '$1 == "R" { print $2 } $1 == "E" { print "error: " $3 }'; }
# count SQL: how many rows the query returns (the durability checks need no aggregates)
count() { "$specdb" sql -D "$db" -v FORMAT=raw -c "$1" 2>&1 | awk -F'\t' '$1 == "R" { n++ } $1 == "E" { print "error: " $3; exit } END { if (NR) print n + 0 }'; }
check_count() { # check_count NAME SQL EXPECTED
    local got
    got=$(count "$2")
    if [ "$got" = "$3" ]; then ok; else bad "$1: expected [$3] rows got [$got]"; fi
}
check() { # check NAME SQL EXPECTED
    local got
    got=$(value "$2")
    if [ "$got" = "$3" ]; then ok; else bad "$1: expected [$3] got [$got]"; fi
}

# 1. tables, an index, rows; a clean restart keeps them
"$specdb" sql -D "$db" -c "create table t1 (id int primary key, v text not null);
    create table t2 (k int, w text);
    create index t2_k on t2 (k);
    insert into t1 values (1, 'one'), (2, 'two'), (3, 'three');
    insert into t2 values (1, 'a'), (2, 'b'), (null, 'c');" >/dev/null 2>&1 || bad "setup"
check_count "rows after restart" "select id from t1" 3
check "index table after restart" "select w from t2 where k is not null order by w" "a
b"
check_count "catalog after restart" "select relname from pg_class where relname::text in ('t1', 't2', 't2_k')" 3

# 2. kill -9 in the middle of a script of autocommitted inserts
for i in $(seq 1000 20999); do echo "insert into t1 values ($i, 'row $i');"; done >"$tmp/inserts.sql"
"$specdb" sql -D "$db" -v FORMAT=raw -f "$tmp/inserts.sql" >"$tmp/out" 2>&1 &
runner=$!
for _ in $(seq 1 600); do
    [ "$(grep -c '^C' "$tmp/out")" -ge 300 ] && break
    kill -0 $runner 2>/dev/null || break
    sleep 0.05
done
kill -9 $runner 2>/dev/null
wait $runner 2>/dev/null
runner=
acked=$(grep -c $'^C\tINSERT 0 1$' "$tmp/out")
[ "$acked" -ge 1 ] && ok || bad "no insert finished before the kill: $(head -3 "$tmp/out")"
n=$(count "select id from t1 where id >= 1000")
if [ "$n" -ge "$acked" ] 2>/dev/null && [ "$n" -le $((acked + 1)) ]; then ok; else bad "after kill -9: $acked acknowledged, $n present"; fi
check_count "no gaps" "select id from t1 where id >= 1000 and id < 1000 + $n" "$n"
check_count "old rows after kill" "select id from t1 where id < 1000" 3

# 3. kill -9 inside a transaction block: nothing of it stays
{ echo "begin;"; for i in $(seq 30000 49999); do echo "insert into t2 values ($i, 'x');"; done; } >"$tmp/block.sql"
"$specdb" sql -D "$db" -v FORMAT=raw -f "$tmp/block.sql" >"$tmp/out2" 2>&1 &
runner=$!
for _ in $(seq 1 600); do
    [ "$(grep -c '^C' "$tmp/out2")" -ge 200 ] && break
    kill -0 $runner 2>/dev/null || break
    sleep 0.05
done
kill -9 $runner 2>/dev/null
wait $runner 2>/dev/null
runner=
check_count "open block rolled back" "select k from t2" 3

# 4. the database still takes writes and DDL after the crash
"$specdb" sql -D "$db" -c "create table t3 (a int); insert into t3 values (7);" >/dev/null 2>&1 || bad "write after crash"
check "new table after crash" "select a from t3" 7

echo "sql.restart: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
