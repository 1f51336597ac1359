"""What the four reference loops share: their command line, reading the
.mat splits, the learning-rate schedule and the JSON line they print.

The scripts are run as `python benches/reference/X.py`, so this folder is on
sys.path and `import common` finds this file.
"""

import argparse
import json
import math

import numpy as np
import scipy.io


def parser(hidden, batch_size, lr):
    """The arguments every reference takes, with its bench's defaults."""
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True, help="folder with nist36_{train,valid}.mat")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--hidden", type=int, default=hidden)
    p.add_argument("--batch-size", type=int, default=batch_size)
    p.add_argument("--lr", type=float, default=lr)
    p.add_argument("--schedule", choices=["constant", "cosine"], default="cosine")
    p.add_argument("--seed", type=int, default=0)
    return p


def _read(folder, split):
    return scipy.io.loadmat(f"{folder}/nist36_{split}.mat")


def _images(mat, split):
    return np.ascontiguousarray(mat[f"{split}_data"], dtype=np.float32)


def load_images(folder, split):
    """Images N x 1024 float32 from nist36_{split}.mat."""
    return _images(_read(folder, split), split)


def load_labelled(folder, split):
    """(images N x 1024 float32, labels N int) from nist36_{split}.mat."""
    mat = _read(folder, split)
    return _images(mat, split), np.asarray(mat[f"{split}_labels"]).argmax(axis=1)


def rate(lr, schedule, epoch, epochs):
    """The rate for `epoch` (0-based): constant, or half a cosine down to zero."""
    if schedule == "cosine":
        return 0.5 * lr * (1.0 + math.cos(math.pi * epoch / max(epochs, 1)))
    return lr


def numpy_info():
    """numpy's version and which BLAS kernel it runs, for the bench's notes."""
    try:
        from threadpoolctl import threadpool_info

        blas = [
            {k: i.get(k) for k in ("internal_api", "architecture", "num_threads")}
            for i in threadpool_info()
            if i.get("user_api") == "blas"
        ]
    except ImportError:
        blas = None
    return {"numpy": np.__version__, "blas": blas}


def report(result):
    """The one JSON line the bench reads (the last line of stdout)."""
    print(json.dumps(result))
