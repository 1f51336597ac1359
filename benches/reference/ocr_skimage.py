"""The gradink OCR pipeline written with scikit-image and numpy, step for step
(the reference that benches/ocr_deep.rs times against the Rust version).

decode (skimage.io) -> rgb2gray -> block mean to about 3 MP -> paper estimate
(block means, grey closing, gaussian) divided out -> gaussian(sigma=1) ->
threshold 0.75 -> measure.label (8-connectivity) -> the same piece-joining,
size rules, line grouping and word breaks as src/ocr/ -> skeletonize each
character -> redraw its centre lines at 32x32 with a 3.5 px pen ->
column-major rows -> the MLP in numpy -> one-kind-per-word rule.

Usage: python ocr_skimage.py IMAGE --model models/classifier.safetensors [--runs N] [--json]
Prints the text (or, with --json, {"image", "lines", "boxes", "seconds": [...]}).
"""
import argparse
import json
import struct
import sys
import time

import numpy as np
from skimage import color, filters, io, measure, morphology

WORKING_PIXELS = 3.0e6
INK_THRESHOLD = 0.75
BLOCKS_PER_SIDE = 256
PAPER_RADIUS_BLOCKS = 3
NOISE_FRACTION = 0.004
PIECE_FRACTION = 0.15
MIN_CHAR_FRACTION = 0.3
MAX_CHAR_MULTIPLE = 4.0
PEN_RADIUS = 1.75
INK_EXTENT = 26.0
NAMES = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", info["dtype"]
        a, b = info["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dtype="<f4").reshape(info["shape"])
    return out


def working_grey(path):
    img = io.imread(path)
    if img.ndim == 3 and img.shape[2] == 4:
        rgb = img[..., :3].astype(np.float64)
        a = img[..., 3:4] / 255.0
        img = (a * rgb + (1 - a) * 255).astype(np.uint8)
    grey = color.rgb2gray(img) if img.ndim == 3 else img / 255.0
    h, w = grey.shape
    k = max(1, int(round(np.sqrt(h * w / WORKING_PIXELS))))
    if k > 1:
        grey = measure.block_reduce(grey[: h // k * k, : w // k * k], (k, k), np.mean)
    return grey, k


def ink_mask(grey):
    h, w = grey.shape
    block = max(max(h, w) // BLOCKS_PER_SIDE, 4)
    means = measure.block_reduce(grey, (block, block), np.mean, cval=np.nan)
    # partial blocks: mean over the pixels that exist
    if np.isnan(means).any():
        means = measure.block_reduce(grey, (block, block), np.nanmean, cval=np.nan)
    size = 2 * PAPER_RADIUS_BLOCKS + 1
    paper = morphology.closing(means, np.ones((size, size), bool))
    paper = filters.gaussian(paper, sigma=1.0, mode="nearest", preserve_range=True)
    # bilinear at pixel centres, like the Rust version
    bh, bw = paper.shape
    ys = np.clip((np.arange(h) + 0.5) / block - 0.5, 0, bh - 1)
    xs = np.clip((np.arange(w) + 0.5) / block - 0.5, 0, bw - 1)
    y0 = np.floor(ys).astype(int); y1 = np.minimum(y0 + 1, bh - 1); fy = (ys - y0)[:, None]
    x0 = np.floor(xs).astype(int); x1 = np.minimum(x0 + 1, bw - 1); fx = (xs - x0)[None, :]
    rows = paper[y0] * (1 - fy) + paper[y1] * fy
    full = rows[:, x0] * (1 - fx) + rows[:, x1] * fx
    smooth = filters.gaussian(grey, sigma=1.0, mode="nearest", truncate=3.0, preserve_range=True)
    return smooth / np.maximum(full, 1e-3) < INK_THRESHOLD


def typical_size(sizes):
    if not sizes:
        return 0.0
    s = sorted(sizes)
    p90 = s[(len(s) - 1) * 9 // 10]
    large = [v for v in s if v >= 0.4 * p90]
    return float(large[len(large) // 2])


def belong_together(a, b, s):
    ox = min(a[3], b[3]) - max(a[1], b[1])
    oy = min(a[2], b[2]) - max(a[0], b[0])
    width = max(a[3], b[3]) - min(a[1], b[1])
    height = max(a[2], b[2]) - min(a[0], b[0])
    narrower = min(a[3] - a[1], b[3] - b[1])
    shorter = min(a[2] - a[0], b[2] - b[0])
    stacked = ox >= 0.5 * narrower and oy >= -0.25 * s and height <= 1.5 * s and width <= 1.2 * s
    side = ox >= -0.05 * s and oy >= 0.5 * shorter and width <= 0.9 * s and height <= 1.5 * s
    return stacked or side


def find_letters(grey):
    mask = ink_mask(grey)
    h, w = mask.shape
    labels = measure.label(mask, connectivity=2)
    long = max(h, w)
    comps = []
    for p in measure.regionprops(labels):
        y1, x1, y2, x2 = p.bbox
        size = max(y2 - y1, x2 - x1)
        if size >= NOISE_FRACTION * long and 2 * (y2 - y1) <= h and 2 * (x2 - x1) <= w:
            comps.append([y1, x1, y2, x2, p.area, [p.label]])
    s = typical_size([max(c[2] - c[0], c[3] - c[1]) for c in comps])
    glyphs = [c for c in comps if max(c[2] - c[0], c[3] - c[1]) >= PIECE_FRACTION * s]
    reach = int(np.ceil(0.05 * s))
    while True:
        glyphs.sort(key=lambda g: (g[1], g[0]))
        merged = False
        i = 0
        while i < len(glyphs):
            j = i + 1
            while j < len(glyphs) and glyphs[j][1] <= glyphs[i][3] + reach:
                if belong_together(glyphs[i], glyphs[j], s):
                    o = glyphs.pop(j)
                    g = glyphs[i]
                    glyphs[i] = [min(g[0], o[0]), min(g[1], o[1]), max(g[2], o[2]), max(g[3], o[3]),
                                 g[4] + o[4], g[5] + o[5]]
                    merged = True
                else:
                    j += 1
            i += 1
        if not merged:
            break
    kept = []
    for g in glyphs:
        gh, gw = g[2] - g[0], g[3] - g[1]
        size = max(gh, gw)
        fill = g[4] / (gh * gw)
        blob = fill > 0.8 and min(gh, gw) > 0.4 * s
        if MIN_CHAR_FRACTION * s <= size <= MAX_CHAR_MULTIPLE * s and not blob:
            kept.append(g)
    return kept, labels


def overlap_fraction(a, b):
    ov = min(a[2], b[2]) - max(a[0], b[0])
    return ov / max(min(a[2] - a[0], b[2] - b[0]), 1.0)


def band(boxes, line):
    m = lambda k: sorted(boxes[i][k] for i in line)[len(line) // 2]
    return [m(0), m(1), m(2), m(3)]


def group_lines(boxes):
    order = sorted(range(len(boxes)), key=lambda i: boxes[i][1])
    lines = []
    for i in order:
        b = boxes[i]
        best, best_score = None, 0.0
        for li, line in enumerate(lines):
            score = max(overlap_fraction(b, boxes[line[-1]]), overlap_fraction(b, band(boxes, line)))
            if score >= 0.4 and (best is None or score > best_score):
                best, best_score = li, score
        if best is None:
            lines.append([i])
        else:
            lines[best].append(i)
    lines.sort(key=lambda l: (band(boxes, l)[0] + band(boxes, l)[2]) / 2)
    out = []
    for line in lines:
        gaps = [boxes[b][1] - boxes[a][3] for a, b in zip(line, line[1:])]
        breaks = [False] * len(line)
        if gaps:
            heights = sorted(boxes[i][2] - boxes[i][0] for i in line)
            height = heights[len(heights) // 2]
            median_gap = max(sorted(gaps)[len(gaps) // 2], 0) if len(gaps) >= 3 else 0
            t = max(1.5 * median_gap, 0.4 * height)
            for k, g in enumerate(gaps):
                breaks[k + 1] = g > t
        out.append((line, breaks))
    return out


PIX = np.stack(np.meshgrid(np.arange(32), np.arange(32), indexing="xy"), -1).reshape(-1, 2).astype(np.float32)


def crop(labels, g):
    y1, x1, y2, x2 = g[:4]
    m = np.isin(labels[y1:y2, x1:x2], g[5])
    m = np.pad(m, 1)
    sk = morphology.skeletonize(m)
    ys, xs = np.nonzero(sk)
    if len(xs) == 0:
        return np.ones(1024, np.float32)
    extent = max(xs.max() - xs.min(), ys.max() - ys.min(), 1)
    scale = (INK_EXTENT - 2 * PEN_RADIUS) / extent
    cx, cy = (xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2
    # centre-line segments to the E, S, SE and SW neighbours (vectorised)
    h, w = sk.shape
    padded = np.pad(sk, 1)
    seg_a, seg_b = [], []
    neighbours = np.zeros_like(sk, dtype=np.int32)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            if dx or dy:
                neighbours += padded[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w]
    for dx, dy in ((1, 0), (0, 1), (1, 1), (-1, 1)):
        both = sk & padded[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w]
        py, px = np.nonzero(both)
        seg_a.append(np.stack([px, py], 1)); seg_b.append(np.stack([px + dx, py + dy], 1))
    iy, ix = np.nonzero(sk & (neighbours == 0))
    seg_a.append(np.stack([ix, iy], 1)); seg_b.append(np.stack([ix, iy], 1))
    seg_a, seg_b = np.concatenate(seg_a), np.concatenate(seg_b)
    c = 15.5
    a = (np.array(seg_a, np.float32) - (cx, cy)) * scale + c
    b = (np.array(seg_b, np.float32) - (cx, cy)) * scale + c
    d = b - a
    len2 = (d ** 2).sum(1)
    p = PIX[:, None, :] - a[None, :, :]
    t = np.where(len2 > 0, (p * d[None]).sum(-1) / np.maximum(len2, 1e-12), 0).clip(0, 1)
    e = p - t[..., None] * d[None]
    dist = np.sqrt((e ** 2).sum(-1))
    ink = np.clip(PEN_RADIUS + 0.5 - dist, 0, 1).max(1).reshape(32, 32)  # upright (y, x)
    return (1 - ink).T.ravel()  # column-major


def read(path, params):
    grey, k = working_grey(path)
    glyphs, labels = find_letters(grey)
    lines = group_lines(glyphs)
    order = [i for line, _ in lines for i in line]
    x = np.array([crop(labels, glyphs[i]) for i in order], np.float32).reshape(-1, 1024)
    h = 1 / (1 + np.exp(-(x @ params["hidden.weight"] + params["hidden.bias"])))
    z = h @ params["output.weight"] + params["output.bias"]
    z = np.exp(z - z.max(1, keepdims=True))
    probs = z / z.sum(1, keepdims=True)
    classes = probs.argmax(1)
    text, r = [], 0
    for line, breaks in lines:
        words, cur = [], []
        for i, br in enumerate(breaks):
            if br and cur:
                words.append(cur); cur = []
            cur.append(r); r += 1
        if cur:
            words.append(cur)
        for wd in words:
            if len(wd) >= 2 and probs.shape[1] > 26:
                letters = probs[wd, :26].sum()
                kind = slice(0, 26) if letters >= len(wd) - letters else slice(26, probs.shape[1])
                off = kind.start
                classes[wd] = probs[wd, kind].argmax(1) + off
        text.append(" ".join("".join(NAMES[classes[q]] for q in wd) for wd in words))
    boxes = [[int(v * k) for v in glyphs[i][:4]] for i in order]
    return text, boxes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("image")
    ap.add_argument("--model", default="models/classifier.safetensors")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    params = load_safetensors(args.model)
    seconds = []
    for _ in range(max(1, args.runs)):
        start = time.perf_counter()
        lines, boxes = read(args.image, params)
        seconds.append(time.perf_counter() - start)
    if args.json:
        print(json.dumps({"image": args.image, "lines": lines, "boxes": boxes, "seconds": seconds}))
    else:
        print("\n".join(lines))
        print(f"{min(seconds):.3f} s (best of {len(seconds)})", file=sys.stderr)


if __name__ == "__main__":
    main()
