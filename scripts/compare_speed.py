#!/usr/bin/env python3
"""Compares two builds of `gradink` on the course's two training jobs.

Runs `gradink train` and `gradink autoencoder` with each binary in turn,
alternating which goes first, so that both see the same machine load; reads
the seconds per epoch that each run's summary records (`summary.json`,
`ae_summary.json`) and prints, per job, the median and the best of each
binary and the ratio new/old of the medians. A refactor that must not slow
anything down (issue 11) is checked with it:

    python3 scripts/compare_speed.py --old /tmp/old/gradink --new target/release/gradink \
        --data ../shared/data/nist36_standin --runs 7

Exits non-zero if a run fails; the verdict (within 5 % or not) is the
reader's, from the printed ratios.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

JOBS = {
    # job name: (subcommand arguments, summary file)
    "classifier (train --epochs 10)": (["train", "--epochs", "10"], "summary.json"),
    "autoencoder (autoencoder --epochs 3)": (["autoencoder", "--epochs", "3"], "ae_summary.json"),
}


def seconds_per_epoch(binary, args, summary, data, out):
    """One run of `binary args`; its summary's seconds per epoch."""
    command = [binary, *args, "--data", data, "--out", out]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    with open(os.path.join(out, summary)) as f:
        return json.load(f)["seconds_per_epoch"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", required=True, help="the gradink binary before the change")
    parser.add_argument("--new", required=True, help="the gradink binary after the change")
    parser.add_argument("--data", required=True, help="a NIST36-format data folder")
    parser.add_argument("--runs", type=int, default=7, help="runs of each job per binary")
    a = parser.parse_args()
    for path in (a.old, a.new):
        if not os.access(path, os.X_OK):
            sys.exit(f"{path}: not an executable gradink binary")
    if a.runs < 1:
        sys.exit("--runs: must be at least 1")

    for job, (args, summary) in JOBS.items():
        times = {"old": [], "new": []}
        with tempfile.TemporaryDirectory() as tmp:
            for run in range(a.runs):
                order = ["old", "new"] if run % 2 == 0 else ["new", "old"]
                for which in order:
                    binary = a.old if which == "old" else a.new
                    out = os.path.join(tmp, f"{which}{run}")
                    times[which].append(seconds_per_epoch(binary, args, summary, a.data, out))
        old, new = statistics.median(times["old"]), statistics.median(times["new"])
        print(
            f"{job}: old median {old:.4f} s/epoch (best {min(times['old']):.4f}), "
            f"new median {new:.4f} (best {min(times['new']):.4f}), "
            f"new/old {new / old:.3f} (best/best {min(times['new']) / min(times['old']):.3f}), "
            f"{a.runs} runs each"
        )


if __name__ == "__main__":
    main()
