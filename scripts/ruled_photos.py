"""Reads the four sample photos with notebook lines drawn under the ink and
prints, per photo and variant, the lines found and the character accuracy
against the plain photo's own reading (docs/ocr-photos.md, "Ruled paper").

    bash benches/reference/setup_ocr.sh     # once: numpy + pillow venv
    cargo build --release
    benches/reference/.venv-ocr/bin/python scripts/ruled_photos.py [GRADINK]

Variants: blue-grey rules (RGB 110, 130, 170 multiplied, every twelfth of
the height, tilted 0.6°) 2, 6 and 9 pixels thick; a red margin line
(200, 90, 90; a 400th of the width wide) 2 % of the width left of the
first ink, and 0.5 % of the width right of it (through the first letters).
"""
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
GRADINK = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "target/release/gradink")
PHOTOS = ["01_list", "02_letters", "03_haiku", "04_deep"]


def edit_distance(a, b):
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[:], i
        for j, cb in enumerate(b, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
    return row[-1]


def read(path):
    out = subprocess.run([GRADINK, "ocr", str(path)], capture_output=True, text=True, check=True)
    return out.stdout.strip().split("\n")


def variants(photo):
    im = np.asarray(Image.open(photo).convert("RGB")).astype(float)
    h, w, _ = im.shape
    grey = im.mean(2)
    first_ink = np.where((grey < grey.mean() - 60).sum(0) > 2)[0].min()
    for thick in (2, 6, 9):
        out = im.copy()
        for k in range(1, 12):
            for x in range(w):
                y0 = k * h // 12 + x // 100
                out[y0 : min(h, y0 + thick), x, :] *= np.array([110, 130, 170]) / 255.0
        yield f"rules {thick} px", out
    for name, x in (("margin clear", max(2, first_ink - w // 50)), ("margin through", first_ink + w // 200)):
        out = im.copy()
        out[:, x : x + max(2, w // 400), :] *= np.array([200, 90, 90]) / 255.0
        yield name, out


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for name in PHOTOS:
            photo = ROOT / "images" / f"{name}.jpg"
            plain = read(photo)
            text = "".join(plain).replace(" ", "")
            cells = []
            for variant, pixels in variants(photo):
                path = Path(tmp) / "variant.jpg"
                Image.fromarray(pixels.clip(0, 255).astype(np.uint8)).save(path, quality=90)
                got = read(path)
                acc = 1 - edit_distance(text, "".join(got).replace(" ", "")) / len(text)
                cells.append(f"{variant}: {len(got)}/{len(plain)} lines {100 * acc:.1f} %")
            print(f"{name} | " + " | ".join(cells))


if __name__ == "__main__":
    main()
