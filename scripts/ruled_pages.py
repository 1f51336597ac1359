"""Reads generated photo-like pages with pale notebook lines printed under
them and prints, per strength, the character accuracy against the pages'
truth and the lines found (docs/ocr-photos.md, "Lighter stretches of a
pencil stroke kept").

    bash benches/reference/setup_ocr.sh     # once: numpy + pillow venv
    cargo build --release
    target/release/gradink synth-pages --emnist ../shared/data/emnist_byclass_test \\
        --pages 10 --seed 0 --out out/synth_seed0
    benches/reference/.venv-ocr/bin/python scripts/ruled_pages.py out/synth_seed0 [GRADINK]

Rules: 2 pixels of pale blue (RGB 160, 180, 215 multiplied) every 24th of
the height, through the letters wherever they fall.
"""
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from ruled_photos import edit_distance

ROOT = Path(__file__).resolve().parent.parent
GRADINK = sys.argv[2] if len(sys.argv) > 2 else str(ROOT / "target/release/gradink")
RULE = np.array([160, 180, 215]) / 255.0


def ruled(page):
    rgb = np.asarray(Image.open(page).convert("RGB")).astype(np.float32)
    height = rgb.shape[0]
    for k in range(1, 24):
        y = k * height // 24
        rgb[y : y + 2] *= RULE
    return Image.fromarray(rgb.clip(0, 255).astype(np.uint8))


def main():
    pages = Path(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        for strength in ["mild", "medium", "strong"]:
            errors = chars = found = lines = 0
            for page in sorted((pages / strength).glob("page_*[0-9].jpg")):
                truth = [l for l in page.with_suffix(".txt").read_text().split("\n") if l.strip()]
                photo = Path(tmp) / page.name
                ruled(page).save(photo, quality=90)
                out = subprocess.run([GRADINK, "ocr", str(photo)], capture_output=True, text=True, check=True)
                read = [l for l in out.stdout.split("\n") if l.strip() and not l.startswith("== ")]
                want, got = "".join(truth).replace(" ", ""), "".join(read).replace(" ", "")
                errors += edit_distance(want, got)
                chars += len(want)
                found += len(read)
                lines += len(truth)
            if chars:
                print(f"{strength}: {100 * (1 - errors / chars):.1f} % of {chars} characters, {found} / {lines} lines")


if __name__ == "__main__":
    main()
