#!/bin/bash
# install-deps.sh: install everything specdb needs to build and test on a
# fresh Debian 12 machine (run as root).  Debian packages only.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(
    build-essential cmake pkg-config   # compiler and build
    re2c bison                         # lexers and grammars in spec/
    python3 python3-jinja2             # codegen (tomllib is in Python 3.11)
    libzstd-dev libssl-dev liburing-dev # compression, TLS and SCRAM, io_uring
    libcunit1-dev                      # unit tests
    postgresql-15 postgresql-client-15 # catalog.matches_postgres compares with PostgreSQL 15
    python3-psycopg2 openssl           # server.protocol: psycopg2 client, a test certificate
    libpq-dev                          # clients.libpq: the C client test (tests/clients)
    clang libclang-rt-14-dev           # fuzz.wire: clang with libFuzzer
)
# clients.node_postgres: Node.js and npm (Debian's, unless a node is already there)
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# node-postgres for tests/clients/node, pinned by its package-lock.json
(cd "$(dirname "$0")/../tests/clients/node" && npm ci --no-audit --no-fund --loglevel=error)
