#!/usr/bin/env bash
# Trains the classifier with the default recipe on real handwriting and fails
# if validation accuracy is below the course's bar (75%).
# Usage: scripts/check-training.sh [DATA_DIR|default] [OUT_DIR]
# (`default`, or no argument: no --data, i.e. data/nist36 when it is there,
# else the stand-in shipped in data/nist36_standin.)
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-default}"
out="${2:-target/ci/train}"
if [ "$data" = default ]; then data_option=(); else data_option=(--data "$data"); fi
# --force: the check measures this run, whatever an earlier run left in $out (docs/robustness.md).
cargo run --release --quiet -- train "${data_option[@]}" --out "$out" --force
python3 - "$out/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"valid accuracy {s['valid_acc']:.4f}, test accuracy {s['test_acc']:.4f}, {s['seconds_per_epoch']:.3f} s/epoch")
if s["valid_acc"] < 0.75:
    sys.exit(f"FAIL: validation accuracy {s['valid_acc']:.4f} is below 0.75")
PY
