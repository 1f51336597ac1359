#!/usr/bin/env bash
# Reproduces the classifier benchmark in one command: sets up the Python
# references (benches/reference/.venv, idempotent), then times gradink's
# training epoch against numpy and PyTorch eager and measures the peak memory
# of `gradink train`. Extra arguments go to the bench, e.g.
#   bash benches/run.sh --epochs 10 --runs 5 --data ../shared/data/nist36_standin
set -euo pipefail
cd "$(dirname "$0")/.."
bash benches/reference/setup.sh
cargo bench --bench train_epoch -- "$@"
