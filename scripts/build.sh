#!/usr/bin/env bash
# Configures and builds everything (binary, simulators, tests) in build/. Debug by default: on two cores
# compile time matters more than speed for tests. BUILD_TYPE=Release for benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Debug}" ${CMAKE_ARGS:-} >/dev/null
ninja -C "$build_dir" -j"${JOBS:-2}" "$@"
