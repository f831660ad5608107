#!/bin/bash
# tests/sql/errors.sh: every error path of the SQL engine answers with
# PostgreSQL's SQLSTATE, as `specdb sql -v VERBOSITY=verbose` prints it
# ("ERROR:  42601: message", psql's verbose format), and a failed statement
# changes nothing.  Also the transaction warnings (25001, 25P01), the failed
# transaction block (25P02) and COPY's error context.
# Usage: errors.sh path/to/specdb
set -u
specdb=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/db
passed=0
failed=0

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $1"; }

sql() { "$specdb" sql -D "$db" "$@"; }

# expect CODE SQL: the statement fails with exit status 1 and SQLSTATE CODE
expect() {
    local code=$1 query=$2 err status
    err=$(sql -v VERBOSITY=verbose -c "$query" 2>&1 >/dev/null)
    status=$?
    if [ $status -eq 1 ] && printf '%s\n' "$err" | head -1 | grep -q "^ERROR:  $code: "; then
        ok
    else
        bad "$code for [$query]: exit $status, got: $(printf '%s' "$err" | head -3)"
    fi
}

# expect_output NAME EXPECTED ARGS...: stdout of `specdb sql ARGS` is EXPECTED
expect_output() {
    local name=$1 expected=$2 got
    shift 2
    got=$(sql "$@" 2>&1)
    if [ "$got" = "$expected" ]; then ok; else bad "$name: expected [$expected] got [$got]"; fi
}

sql -c "create table p (id int primary key, name text not null, qty int check (qty >= 0));
        create table c (id int primary key, p_id int references p (id));
        insert into p values (1, 'one', 1);
        insert into c values (1, 1);" >/dev/null || bad "setup"

expect 42601 "selec 1"
expect 42601 "select 1 +"
expect 42703 "select nosuch from p"
expect 42P01 "select * from nosuch"
expect 42P07 "create table p (x int)"
expect 42804 "select case when true then 1 else 'x'::text end"
expect 42883 "select 1 + 'x'::text"
expect 42883 "select nosuch_function(1)"
expect 42725 "select '1' + '1'"
expect 22012 "select 1 / 0"
expect 22003 "select 2147483647 + 1"
expect 22P02 "select 'abc'::int"
expect 23502 "insert into p values (2, null, 1)"
expect 23505 "insert into p values (1, 'dup', 1)"
expect 23503 "insert into c values (2, 99)"
expect 23503 "delete from p where id = 1"
expect 23514 "insert into p values (3, 'neg', -1)"
expect 21000 "select (select id from p union all select id from p)"
expect 42P05 "prepare q as select 1; prepare q as select 2"
expect 26000 "execute nosuch"
expect 42704 "show nosuch_setting"
expect 22023 "set timezone = 'Nowhere/Special'"

# statement_timeout stops a long query (10^9 combinations)
sql -c "create table big (x int); insert into big values (1), (2), (3), (4), (5), (6), (7), (8), (9), (10);
        insert into big select a.x from big a, big b, big c" >/dev/null || bad "setup big"
expect 57014 "set statement_timeout = 100; select a.x from big a, big b, big c where a.x + b.x + c.x < 0"

# in a failed transaction block only its end is accepted
printf 'begin;\nselect 1 / 0;\nselect 1;\nrollback;\n' >"$tmp/failed.sql"
err=$(sql -v VERBOSITY=verbose -f "$tmp/failed.sql" 2>&1 >/dev/null)
if printf '%s\n' "$err" | grep -q "^specdb:$tmp/failed.sql:3: ERROR:  25P02: current transaction is aborted, commands ignored until end of transaction block$"; then
    ok
else
    bad "25P02: $err"
fi

# nothing of the failed statements stayed behind
expect_output "rows after errors" $'D\t20 count\nR\t1\nC\tSELECT 1' -v FORMAT=raw -c "select count(*) from p"

# the warnings of transaction control
expect_output "25001" "BEGIN
WARNING:  25001: there is already a transaction in progress
BEGIN
COMMIT" -v VERBOSITY=verbose -c "begin; begin; commit"
expect_output "25P01" "WARNING:  there is no transaction in progress
COMMIT" -c "commit"

# a script goes on after an error (exit 0) unless ON_ERROR_STOP (exit 3)
printf 'select 1 / 0;\nselect 2;\n' >"$tmp/script.sql"
expect_output "script continues" "specdb:$tmp/script.sql:1: ERROR:  division by zero
 ?column? 
----------
        2
(1 row)" -f "$tmp/script.sql"
sql -v ON_ERROR_STOP=1 -f "$tmp/script.sql" >/dev/null 2>&1
[ $? -eq 3 ] && ok || bad "ON_ERROR_STOP exit status"

# COPY: a bad line names the file line and shows it (as PostgreSQL 15)
printf '5\tfive\t5\n6\tsix\n' >"$tmp/bad.tsv"
err=$(sql -v VERBOSITY=verbose -c "copy p from '$tmp/bad.tsv'" 2>&1)
if printf '%s\n' "$err" | grep -q '^ERROR:  22P04: missing data for column "qty"$' &&
   printf '%s\n' "$err" | grep -q $'^CONTEXT:  COPY p, line 2: "6\tsix"$'; then ok; else bad "COPY 22P04: $err"; fi
expect_output "COPY rolled back" $'D\t20 count\nR\t1\nC\tSELECT 1' -v FORMAT=raw -c "select count(*) from p"

echo "sql.errors: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
