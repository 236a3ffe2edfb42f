#!/usr/bin/env bash
# The performance benchmark, one command:  bash bench/run.sh [nds_bench options]
# Builds Release in build-release/ (with -DNDS_BUILD_BENCH=ON), then runs bench/nds_bench: simulators with
# realistic costs (NetBox 15 ms/request + 1 ms/object written, PSU 10 ms/request), estates S, L (with the
# concurrency sweep) and XL (memory only, costs 0), and prints a Markdown table. Takes about 10 minutes on
# two cores. Examples:
#   bash bench/run.sh --estates S,L --no-sweep
#   bash bench/run.sh --nb-request-ms 30 --nb-object-ms 2 --psu-request-ms 20
# The report is also written to bench-results.md in the build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
BUILD_DIR=${BUILD_DIR:-build-release}
BUILD_DIR=$BUILD_DIR BUILD_TYPE=Release CMAKE_ARGS="-DNDS_BUILD_BENCH=ON ${CMAKE_ARGS:-}" \
  bash scripts/build.sh netbox-dhcp-sync netbox_sim psu_sim nds_bench >&2
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$BUILD_DIR/bench/nds_bench" "$@" | tee "$BUILD_DIR/bench-results.md"
