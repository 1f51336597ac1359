#!/usr/bin/env bash
# Trains the classifier with the default recipe on real handwriting and fails
# if validation accuracy is below the course's bar (75%).
# Usage: scripts/check-training.sh [DATA_DIR] [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data/nist36_standin}"
out="${2:-target/ci/train}"
cargo run --release --quiet -- train --data "$data" --out "$out"
python3 - "$out/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"valid accuracy {s['valid_acc']:.4f}, test accuracy {s['test_acc']:.4f}, {s['seconds_per_epoch']:.3f} s/epoch")
if s["valid_acc"] < 0.75:
    sys.exit(f"FAIL: validation accuracy {s['valid_acc']:.4f} is below 0.75")
PY
