#!/usr/bin/env bash
# The longer seeded fuzz of the file loaders (tests/fuzz_inputs.rs): N
# byte-flipped or truncated mutants of each input (the compressed and an
# uncompressed .mat, the shipped model file, a small JPEG photo decoded and
# segmented as `gradink ocr` does), default 1000. Fails on any panic, on a
# load slower than 10 s, or on a peak memory over 1 GB.
# Usage: bash scripts/fuzz-inputs.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000}"
export GRADINK_FUZZ_MUTANTS="$n"
# Build first (same test profile as `cargo test`, so CI reuses its build),
# then time only the run.
cargo test --test fuzz_inputs --no-run
log="$(mktemp)"; out="$(mktemp)"
trap 'rm -f "$log" "$out"' EXIT
set +e
/usr/bin/time -f '%M' -o "$log" cargo test --test fuzz_inputs -- --nocapture --test-threads 2 >"$out" 2>&1
status=$?
set -e
grep -E "mutants|test result|panicked|took" "$out" || cat "$out"
[ "$status" -eq 0 ] || { echo "error: the fuzz test failed" >&2; exit 1; }
# Peak resident memory of the largest process (the test binary), in KB.
peak_kb="$(tail -1 "$log")"
echo "fuzz: $n mutants per input, peak memory $((peak_kb / 1024)) MB"
[ "$peak_kb" -le $((1024 * 1024)) ] || { echo "error: peak memory over 1 GB" >&2; exit 1; }
