#!/usr/bin/env bash
# The Python side of the OCR benchmark: a small venv with numpy, scikit-image
# and pillow under benches/reference/.venv-ocr (git-ignored by `.venv-ocr/`).
# Usage: bash benches/reference/setup_ocr.sh   (idempotent; reuses the venv)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv-ocr"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "numpy>=1.26" "scikit-image>=0.22" "pillow>=10"
"$venv/bin/python" -c "import numpy, skimage, PIL; print('ocr reference venv:', 'numpy', numpy.__version__, 'scikit-image', skimage.__version__, 'pillow', PIL.__version__)"
