#!/usr/bin/env bash
# README command 1: build, then run the demo (simulators + one real sync, printing what changed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh netbox-dhcp-sync netbox_sim psu_sim netbox-dhcp-sync-demo
exec "${BUILD_DIR:-build}/tests/support/netbox-dhcp-sync-demo"
