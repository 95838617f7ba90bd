"""Benchmark: the colour window's checkpoints over a long render with ``cc_window_slide_rate`` 0.5.

The window lags the outputs, so half of all histograms wait to enter it. Times every checkpoint of a
FRAMES-output render (one every 25 outputs, as the render loop saves them) written by ``save_checkpoint``,
which appends only the new waiting histograms to a log, against a baseline measured in the same run that
writes every waiting histogram into the checkpoint each time (what the render did before). Prints both
times, the ratio and the largest checkpoint file. Target: at least 5× faster at 30,000 outputs.

    .venv/bin/python benchmarks/colour_checkpoint.py [--frames 30000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib_parseq.frames import ColourWindow  # noqa: E402
from lib_parseq.render.state import Checkpoint, save_checkpoint  # noqa: E402

EVERY = 25
TARGET_RATIO = 5.0


def run(frames: int, folder: Path, *, whole: bool) -> tuple[float, int]:
    """Seconds spent saving checkpoints, and the largest checkpoint.npz in bytes."""
    window = ColourWindow(8, 0.5)
    histogram = np.random.default_rng(0).integers(0, 400, (3, 256)).astype(np.int64)
    spent, largest = 0.0, 0
    for index in range(frames):
        window.target(index)
        window.add(histogram)
        if (index + 1) % EVERY:
            continue
        started = time.perf_counter()
        colour = window.state()
        if whole:  # the former checkpoint: every waiting histogram, rewritten each time
            colour["pending"] = window.pending_since(window.end)
        checkpoint = Checkpoint(index + 1, "bench", [], colour, None, None if whole else window.pending_since)
        save_checkpoint(folder, checkpoint)
        spent += time.perf_counter() - started
        largest = max(largest, (folder / "checkpoint.npz").stat().st_size)
    return spent, largest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=30_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as before, tempfile.TemporaryDirectory() as after:
        baseline, baseline_size = run(args.frames, Path(before), whole=True)
        ours, our_size = run(args.frames, Path(after), whole=False)
    ratio = baseline / ours
    print(f"{args.frames:,} outputs, a checkpoint every {EVERY}, slide rate 0.5:")
    print(f"  whole waiting list each time: {baseline:.2f} s (largest checkpoint {baseline_size / 2**20:.1f} MiB)")
    print(f"  appended log:                 {ours:.2f} s (largest checkpoint {our_size / 2**10:.0f} KiB)")
    print(f"  ratio {ratio:.1f}x (target at least {TARGET_RATIO:g}x): {'OK' if ratio >= TARGET_RATIO else 'MISSED'}")


if __name__ == "__main__":
    main()
