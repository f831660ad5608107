#!/bin/bash
# test_cli.sh: the command-line contract of DEVELOPERS.md, driven as a user
# would: init, serve (start, SIGHUP, SIGTERM), sql, version, --help, and the
# errors for bad usage and bad settings.  Usage: test_cli.sh path/to/specdb
set -u
specdb=$1
tmp=$(mktemp -d)
trap 'kill -9 $server 2>/dev/null; rm -rf "$tmp"' EXIT
server=
passed=0
failed=0

check() { # check NAME COMMAND...: the command must succeed
    local name=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $name" >&2
    fi
}

# expect_fail NAME STATUS PATTERN COMMAND...: exit status STATUS, stderr matches PATTERN
expect_fail() {
    local name=$1 status=$2 pattern=$3
    shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" -eq "$status" ] && grep -Eq -- "$pattern" "$tmp/err"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $name (status $got, stderr: $(cat "$tmp/err"))" >&2
    fi
}

check "version" bash -c "'$specdb' version | grep -Eq '^specdb [0-9]+\.[0-9]+\.[0-9]+ \(PostgreSQL 15\.[0-9]+ compatible\)$'"
check "--help" bash -c "'$specdb' --help | grep -q 'specdb serve \[-D DIR\]'"
expect_fail "no command" 2 'no command given' "$specdb"
expect_fail "unknown command" 2 'unknown command "frobnicate"' "$specdb" frobnicate
expect_fail "unknown option" 2 'unknown option "--bogus"' "$specdb" init --bogus 1
expect_fail "option without value" 2 'option "-D" needs a value' "$specdb" init -D

# init
check "init" bash -c "'$specdb' init -D '$tmp/db' --set block_size=8192 >/dev/null"
check "init wrote specdb.conf" grep -q '^#shared_buffers = ' "$tmp/db/specdb.conf"
check "init wrote control file" test -s "$tmp/db/global/control"
check "init wrote pg_hba.conf" grep -q '^host *all *all *127.0.0.1/32 *trust' "$tmp/db/pg_hba.conf"
expect_fail "init on a non-empty directory" 1 'directory ".*/db" exists but is not empty' "$specdb" init -D "$tmp/db"
expect_fail "init with a bad value" 1 'invalid value for parameter "block_size": "big"' \
    "$specdb" init -D "$tmp/db2" --set block_size=big
expect_fail "init with an unknown setting" 1 'unrecognized configuration parameter "no_such"' \
    "$specdb" init -D "$tmp/db3" --set no_such=1
expect_fail "--set without =" 1 '--set needs name=value' "$specdb" init -D "$tmp/db4" --set port

# serve: bad settings are reported before anything starts
expect_fail "serve with port out of range" 1 '70000 is outside the valid range for parameter "port" \(1 .. 65535\)' \
    "$specdb" serve -D "$tmp/db" --port 70000
expect_fail "serve with an init-only setting" 1 'parameter "block_size" can only be set at specdb init' \
    "$specdb" serve -D "$tmp/db" --set block_size=4096
cp "$tmp/db/specdb.conf" "$tmp/specdb.conf.orig"
echo "max_connections = lots" >>"$tmp/db/specdb.conf"
expect_fail "serve with a bad config file" 1 'specdb.conf:[0-9]+: invalid value for parameter "max_connections": "lots"' \
    "$specdb" serve -D "$tmp/db"
cp "$tmp/specdb.conf.orig" "$tmp/db/specdb.conf"

# serve: starts on an existing directory, reloads on SIGHUP, stops on SIGTERM
wait_for_log() { # wait_for_log PATTERN: up to 30 s
    for _ in $(seq 300); do
        grep -q -- "$1" "$tmp/serve.log" && return 0
        sleep 0.1
    done
    return 1
}
"$specdb" serve -D "$tmp/db" --port 5999 2>"$tmp/serve.log" &
server=$!
check "serve becomes ready" wait_for_log "database system is ready to accept connections"
kill -HUP $server
check "serve reloads on SIGHUP" wait_for_log "reloading configuration files"
kill -TERM $server
wait $server
check "serve exits 0 on SIGTERM" test $? -eq 0
check "serve shut down cleanly" grep -q "database system is shut down" "$tmp/serve.log"

# serve on a missing directory creates it
"$specdb" serve -D "$tmp/fresh" --port 5998 2>"$tmp/serve.log" &
server=$!
check "serve initializes a missing directory" wait_for_log "database system is ready to accept connections"
kill -INT $server
wait $server
check "serve exits 0 on SIGINT" test $? -eq 0
check "serve created the control file" test -s "$tmp/fresh/global/control"

# sql: embedded, output as psql prints it, errors as psql shows them
check "sql -c prints like psql" bash -c "'$specdb' sql -D '$tmp/db' -c 'select 1 as x' | cmp -s - <(printf ' x \n---\n 1\n(1 row)\n\n')"
check "sql from stdin" bash -c "echo 'create table cli_t (a int); insert into cli_t values (1), (2);' | '$specdb' sql -D '$tmp/db' | cmp -s - <(printf 'CREATE TABLE\nINSERT 0 2\n')"
check "sql -f" bash -c "echo 'select a from cli_t order by a;' >'$tmp/q.sql' && '$specdb' sql -D '$tmp/db' -f '$tmp/q.sql' | grep -q '^(2 rows)$'"
check "sql -c -f -c run in order" bash -c "echo 'select 2 as b;' >'$tmp/q2.sql' && '$specdb' sql -D '$tmp/db' -v FORMAT=raw -c 'create temp table cli_o (a int)' -f '$tmp/q2.sql' -c 'insert into cli_o values (1)' -c 'select 1 / 0' -c 'select count(*) from cli_o' | cmp -s - <(printf 'C\\tCREATE TABLE\\nD\\t23 b\\nR\\t2\\nC\\tSELECT 1\\nC\\tINSERT 0 1\\nE\\t22012\\tdivision by zero\\nD\\t20 count\\nR\\t1\\nC\\tSELECT 1\\n')"
expect_fail "sql several -c stop on error" 1 '^ERROR:  division by zero$' "$specdb" sql -D "$tmp/db" -v ON_ERROR_STOP=1 -c 'select 1 / 0' -c 'select 1'
expect_fail "sql error" 1 '^ERROR:  division by zero$' "$specdb" sql -D "$tmp/db" -c 'select 1 / 0'
expect_fail "sql verbose error" 1 '^ERROR:  22012: division by zero$' "$specdb" sql -D "$tmp/db" -v VERBOSITY=verbose -c 'select 1 / 0'
expect_fail "sql unknown variable" 2 'unknown variable "BOGUS=1"' "$specdb" sql -D "$tmp/db" -v BOGUS=1 -c 'select 1'

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
