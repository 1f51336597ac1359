#!/usr/bin/env bash
# Set up libtorch for the extra_credit crate: a project-local virtual
# environment (extra_credit/.venv) holding PyPI's torch==2.13.0 wheel, which is
# the libtorch that tch 0.26 expects. .cargo/config.toml points torch-sys at
# this venv's python, so after this script `cargo build -p extra_credit` needs
# no exported variables. Idempotent: a no-op when the venv already has it.
set -euo pipefail

TORCH_VERSION="2.13.0"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"

have_torch() {
    "$venv/bin/python" -W ignore - "$TORCH_VERSION" <<'PY' 2>/dev/null
import sys, torch
sys.exit(0 if torch.__version__.split("+")[0] == sys.argv[1] else 1)
PY
}

# torch-sys reads LIBTORCH (set in .cargo/config.toml) as the libtorch root:
# a stable link to the wheel's torch/ folder, whatever the python version.
link_libtorch() {
    local torch_dir
    torch_dir="$("$venv/bin/python" -W ignore -c 'import os, torch; print(os.path.dirname(torch.__file__))')"
    ln -sfn "$(realpath --relative-to="$venv" "$torch_dir")" "$venv/libtorch"
}

if [ -x "$venv/bin/python" ] && have_torch; then
    [ -e "$venv/libtorch/lib/libtorch.so" ] || link_libtorch
    echo "extra_credit/.venv already has torch $TORCH_VERSION; nothing to do."
    exit 0
fi

if [ ! -x "$venv/bin/python" ]; then
    echo "Creating $venv ..."
    "$python" -m venv "$venv"
fi

echo "Installing torch==$TORCH_VERSION into $venv (about 4.7 GB with the CUDA runtime libraries) ..."
"$venv/bin/python" -m pip install --no-cache-dir --upgrade "torch==$TORCH_VERSION"

if ! have_torch; then
    echo "error: torch $TORCH_VERSION did not import from $venv after installing." >&2
    exit 1
fi
link_libtorch
echo "libtorch ready: $venv/libtorch -> $(readlink "$venv/libtorch")"
