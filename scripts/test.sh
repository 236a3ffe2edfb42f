#!/usr/bin/env bash
# README command 2: build everything and run every test (unit and integration) with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j2 --timeout 300
