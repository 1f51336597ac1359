#!/usr/bin/env bash
# What CI runs for the extra_credit crate: set up libtorch (a no-op when
# extra_credit/.venv already has torch 2.13.0), then format check, tests and
# clippy. Clippy runs in the test profile after the tests so that it reuses
# their build: torch-sys's C++ wrapper (the slow part) compiles once.
# Run from anywhere; works with the default target dir or CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash extra_credit/setup.sh
cargo fmt -p extra_credit -- --check
cargo test -p extra_credit
cargo clippy --profile test -p extra_credit --all-targets -- -D warnings
