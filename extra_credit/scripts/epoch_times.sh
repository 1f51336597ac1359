#!/usr/bin/env bash
# Seconds an epoch of nist36-cnn and flowers17 on the GPU and on the CPU of
# the same machine, read from the summary.json files the runs write: the
# median over epochs (the first, which warms libtorch up, left out) and the
# CPU/GPU ratio. Needs a CUDA GPU that libtorch sees.
#
#   bash extra_credit/scripts/epoch_times.sh [NIST36_DIR] [FLOWERS17_DIR] [WEIGHTS]
#
# EXTRA_CREDIT names the binary (default: a release build made here). The
# CPU run of flowers17 trains 3 epochs of the scratch CNN (30 on the GPU).
set -euo pipefail

nist=${1:-../shared/data/nist36_standin}
flowers=${2:-../shared/data/flowers17}
weights=${3:-../shared/data/weights/squeezenet_v1.1_features.safetensors}
if [ -z "${EXTRA_CREDIT:-}" ]; then
    cargo build --release -p extra_credit
    EXTRA_CREDIT=target/release/extra_credit
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$EXTRA_CREDIT" nist36-cnn --data "$nist" --device cuda --out "$out/nist36_cuda"
"$EXTRA_CREDIT" nist36-cnn --data "$nist" --device cpu --out "$out/nist36_cpu"
"$EXTRA_CREDIT" flowers17 --data "$flowers" --weights "$weights" --device cuda --out "$out/flowers17_cuda"
"$EXTRA_CREDIT" flowers17 --data "$flowers" --weights "$weights" --device cpu --epochs 3 \
    --out "$out/flowers17_cpu"

python3 - "$out" <<'PY'
import json, statistics, sys

def epoch_seconds(path):
    """Median seconds an epoch of each model in a summary, first epoch left out."""
    found = {}
    def walk(x, name):
        if isinstance(x, dict):
            if isinstance(x.get("history"), list) and len(x["history"]) > 1:
                found[name] = statistics.median(h["seconds"] for h in x["history"][1:])
            for key, value in x.items():
                walk(value, key)
    walk(json.load(open(path)), "")
    return found

out = sys.argv[1]
print("| task | model | GPU s/epoch | CPU s/epoch | CPU / GPU |")
print("| --- | --- | --- | --- | --- |")
for task in ("nist36", "flowers17"):
    gpu = epoch_seconds(f"{out}/{task}_cuda/summary.json")
    cpu = epoch_seconds(f"{out}/{task}_cpu/summary.json")
    for model in gpu:
        print(f"| {task} | {model} | {gpu[model]:.3f} | {cpu[model]:.3f} | {cpu[model] / gpu[model]:.1f}× |")
PY
