"""Seconds per training epoch of the same CNN in gradink and in libtorch (CPU, 2 threads).

    extra_credit/.venv/bin/python scripts/cnn_vs_libtorch.py \
        --gradink target/release/gradink --data ../shared/data/nist36_standin --runs 2

The network, batch size (32), optimiser (Adam) and sample count (the
stand-in's 10800 training rows) are the same; libtorch trains on random
pixels of the same shape (only the arithmetic is timed, and this venv has no
numpy to read .mat files), gradink on the real rows (`gradink train --arch
cnn --epochs 1`, the training part of the epoch as its summary records it).
Runs alternate, so both see the same load; prints one JSON line.
"""
import argparse
import json
import statistics
import subprocess
import tempfile
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Cnn(nn.Module):
    """gradink's `models::Cnn`: conv3x3 32 > pool > conv3x3 64 > pool > fc 128 > dropout > fc 36."""

    def __init__(self, classes=36):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 8 * 8, 128)
        self.fc2 = nn.Linear(128, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc2(F.dropout(x, 0.3, self.training))


def torch_epoch(samples, batch):
    torch.manual_seed(0)
    x = torch.rand(samples, 1, 32, 32)
    y = torch.randint(0, 36, (samples,))
    model = Cnn()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    start = time.perf_counter()
    for i in range(0, samples, batch):
        opt.zero_grad()
        loss = F.cross_entropy(model(x[i:i + batch]), y[i:i + batch])
        loss.backward()
        opt.step()
    return time.perf_counter() - start


def gradink_epoch(binary, data):
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([binary, "train", "--arch", "cnn", "--epochs", "1", "--data", data,
                        "--out", out], check=True, capture_output=True)
        with open(f"{out}/summary.json") as f:
            return json.load(f)["seconds_per_epoch"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--gradink", default="target/release/gradink")
    p.add_argument("--data", default="../shared/data/nist36_standin")
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--samples", type=int, default=10800)
    p.add_argument("--batch", type=int, default=32)
    a = p.parse_args()
    torch.set_num_threads(2)
    times = {"gradink": [], "libtorch": []}
    for _ in range(a.runs):
        times["libtorch"].append(torch_epoch(a.samples, a.batch))
        times["gradink"].append(gradink_epoch(a.gradink, a.data))
    g, t = statistics.median(times["gradink"]), statistics.median(times["libtorch"])
    print(json.dumps({"torch": torch.__version__, "threads": 2, "batch": a.batch,
                      "samples": a.samples, "runs": times,
                      "gradink_s_per_epoch": g, "libtorch_s_per_epoch": t,
                      "ratio_gradink_over_libtorch": g / t}))


if __name__ == "__main__":
    main()
