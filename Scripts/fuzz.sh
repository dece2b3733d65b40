#!/usr/bin/env bash
# Fuzzes the manifest loader and validator (and the state and journal readers) with libFuzzer.
#   Scripts/fuzz.sh [SECONDS]      default 60; crashes are written to Fuzz/crashes/
# The seed corpus (Fuzz/corpus/) holds the examples and fixtures; new inputs found go to .build-fuzz/corpus/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
export MEDIAFORM_FUZZ=1
swift build --product mediaform-fuzz --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address >/dev/null
work=.build-fuzz/corpus
mkdir -p "$work" Fuzz/crashes
binary=$(swift build --product mediaform-fuzz --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address --show-bin-path 2>/dev/null | tail -n 1)/mediaform-fuzz
"$binary" "$work" Fuzz/corpus -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix=Fuzz/crashes/ -print_final_stats=1 2>&1 | tail -n 12
