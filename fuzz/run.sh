#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for FUZZ_SECONDS (default 30) on its checked-in
# seed corpus (fuzz/corpus/<target>/). New inputs go to a scratch copy, so the checked-in corpus only
# changes by hand. A crash leaves its input in build-fuzz/ and fails the script: add it to the corpus and
# as a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh fuzz
seconds=${FUZZ_SECONDS:-30}
build=${FUZZ_BUILD_DIR:-build-fuzz}
CXX=${FUZZ_CXX:-clang++-14} cmake -S . -B "$build" -G Ninja -DNDS_BUILD_FUZZERS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$build" -j"${JOBS:-2}" fuzz_psu_json fuzz_netbox_json fuzz_config fuzz_webhook
passed=0
failed=0
for target in psu_json netbox_json config webhook; do
  work="$build/corpus-$target"
  rm -rf "$work" && mkdir -p "$work"
  cp fuzz/corpus/$target/* "$work/"
  echo "fuzzing $target for ${seconds}s"
  if (cd "$build" && "./fuzz/fuzz_$target" -max_total_time="$seconds" -max_len=65536 -print_final_stats=1 \
        "corpus-$target" >"fuzz-$target.log" 2>&1); then
    passed=$((passed + 1))
    grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$build/fuzz-$target.log" || true
  else
    failed=$((failed + 1))
    tail -n 60 "$build/fuzz-$target.log"
  fi
done
echo "fuzzing: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
