#!/bin/bash
# build.sh: the Release build: build/specdb and build/libspecdb.a.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
