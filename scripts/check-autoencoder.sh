#!/usr/bin/env bash
# Trains the autoencoder with the default recipe (100 epochs, momentum SGD) on
# real handwriting and fails if the mean validation PSNR is below 16 dB; then
# checks that `--eval` measures the saved model the same way.
# Usage: scripts/check-autoencoder.sh [DATA_DIR] [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data/nist36_standin}"
out="${2:-target/ci/autoencoder}"
cargo run --release --quiet -- autoencoder --data "$data" --out "$out"
eval_line="$(cargo run --release --quiet -- autoencoder --eval --model "$out/autoencoder.safetensors" --data "$data")"
echo "eval: $eval_line"
python3 - "$out/ae_summary.json" "$eval_line" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
psnr = s["valid_psnr_mean"]
print(f"valid PSNR {psnr:.2f} dB, final train loss {s['final_train_loss']:.2f} per image, {s['seconds_per_epoch']:.3f} s/epoch")
if psnr < 16.0:
    sys.exit(f"FAIL: mean validation PSNR {psnr:.2f} dB is below 16 dB")
if f"{psnr:.2f} dB" not in sys.argv[2]:
    sys.exit(f"FAIL: --eval printed {sys.argv[2]!r}, expected {psnr:.2f} dB")
PY
