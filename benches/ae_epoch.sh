#!/usr/bin/env bash
# Reproduces the autoencoder benchmark in one command: sets up the Python
# references (benches/reference/.venv, idempotent), then times gradink's
# autoencoder epoch against numpy and PyTorch eager. Extra arguments go to
# the bench, e.g.
#   bash benches/ae_epoch.sh --epochs 20 --runs 3 --data ../shared/data/nist36_standin
set -euo pipefail
cd "$(dirname "$0")/.."
bash benches/reference/setup.sh
cargo bench --bench ae_epoch -- "$@"
