#!/bin/sh
# bench/vacuum_growth.sh: table + index size growth of pgbench TPC-B-like
# runs on specdb with and without autovacuum (bench/README.md).  Not a test:
# prints the size of the database directory after load and after the run.
#   bench/vacuum_growth.sh build/specdb [seconds] [clients]
set -eu
SPECDB=${1:-build/specdb}
SECONDS_RUN=${2:-60}
CLIENTS=${3:-4}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
for AV in off on; do
    DIR=$(mktemp -d)
    "$SPECDB" serve -D "$DIR/data" --port "$PORT" --set autovacuum=$AV --set autovacuum_naptime=5 \
        >"$DIR/log" 2>&1 &
    PID=$!
    for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 -p "$PORT" && break; sleep 0.2; done
    pgbench -h 127.0.0.1 -p "$PORT" -U postgres -i -s 1 postgres >/dev/null 2>&1
    LOADED=$(du -sk "$DIR/data/base" | cut -f1)
    TPS=$(pgbench -h 127.0.0.1 -p "$PORT" -U postgres -M prepared -c "$CLIENTS" -T "$SECONDS_RUN" postgres 2>/dev/null |
          sed -n 's/^tps = \([0-9.]*\).*/\1/p')
    AFTER=$(du -sk "$DIR/data/base" | cut -f1)
    echo "autovacuum=$AV: base/ ${LOADED} kB after load, ${AFTER} kB after ${SECONDS_RUN} s, tps ${TPS}"
    kill "$PID"
    wait "$PID" || true
    rm -rf "$DIR"
done
