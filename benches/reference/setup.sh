#!/usr/bin/env bash
# The Python side of the benchmarks: benches/reference/.venv with numpy,
# scipy (to read the .mat files), threadpoolctl (to report which BLAS kernel
# numpy runs) and PyTorch (CPU use only).
#
# Why the venv looks like this: PyPI's Linux torch wheel is about 4.7 GB with
# its CUDA libraries, and extra_credit/setup.sh already installs the project's
# pinned torch (2.13.0) into extra_credit/.venv for tch. Rather than download
# and store a second copy, this venv is our own (so nothing here can disturb
# the venv the tch build links against) and a one-line `.pth` file makes the
# torch in extra_credit/.venv importable from it. When the two venvs' Python
# versions differ (a .pth cannot share compiled packages across versions), or
# with GRADINK_BENCH_OWN_TORCH=1, torch is pip-installed here instead.
#
# Usage: bash benches/reference/setup.sh   (idempotent: a no-op once ready)
set -euo pipefail

TORCH_VERSION="2.13.0"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
ec_venv="$root/extra_credit/.venv"
python="${PYTHON:-python3}"

ready() {
    "$venv/bin/python" -W ignore - "$TORCH_VERSION" <<'PY' 2>/dev/null
import sys
import numpy, scipy.io, threadpoolctl, torch
sys.exit(0 if torch.__version__.split("+")[0] == sys.argv[1] else 1)
PY
}

report() {
    "$venv/bin/python" -W ignore -c 'import numpy, scipy, torch; print(f"benches/reference/.venv ready: numpy {numpy.__version__}, scipy {scipy.__version__}, torch {torch.__version__} (from {torch.__file__.rsplit(chr(47), 2)[0]})")'
}

if [ -x "$venv/bin/python" ] && ready; then
    report
    exit 0
fi

if [ ! -x "$venv/bin/python" ]; then
    echo "Creating $venv ..."
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "numpy>=1.26" "scipy>=1.11" "threadpoolctl>=3"

py_version() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])'; }
site_packages() { "$1" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'; }

share_torch=1
[ "${GRADINK_BENCH_OWN_TORCH:-0}" = "1" ] && share_torch=0
if [ "$share_torch" = 1 ]; then
    if [ ! -x "$ec_venv/bin/python" ] || [ "$(py_version "$ec_venv/bin/python")" != "$(py_version "$venv/bin/python")" ]; then
        # Build (or check) the shared one first; it is idempotent too.
        bash "$root/extra_credit/setup.sh"
    fi
    if [ "$(py_version "$ec_venv/bin/python")" = "$(py_version "$venv/bin/python")" ]; then
        # Appended after our own site-packages, so our numpy still wins.
        site_packages "$ec_venv/bin/python" >"$(site_packages "$venv/bin/python")/zz_shared_torch.pth"
    else
        share_torch=0
    fi
fi
if [ "$share_torch" = 0 ]; then
    rm -f "$(site_packages "$venv/bin/python")/zz_shared_torch.pth"
    echo "Installing torch==$TORCH_VERSION into $venv (about 4.7 GB with the CUDA libraries) ..."
    "$venv/bin/python" -m pip install --disable-pip-version-check "torch==$TORCH_VERSION"
fi

if ! ready; then
    echo "error: numpy, scipy, threadpoolctl and torch $TORCH_VERSION do not all import from $venv" >&2
    exit 1
fi
report
