"""Benchmark: ``info_match("x" + f)`` — a different pattern on every frame — over a long field.

Times the field's evaluation (each distinct pattern matched once per keyframe label, frames looked up on one
sorted axis) against the earlier approach measured in the same run: for each distinct pattern, a mask over
every frame (quadratic: 100,000 frames took 79 s). The ratio is taken at ``--frames`` (20,000 by default, so
the baseline finishes); the absolute time is also printed for 100,000 frames. Target: 100,000 frames under
5 s and at least 10× faster than the baseline at 20,000.

    .venv/bin/python benchmarks/info_match.py [--frames 20000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib_parseq.language import FieldProgram, KeyframeInfo, Timing, evaluate_field  # noqa: E402
from lib_parseq.language.keyframe_info import InfoMatcher  # noqa: E402

EXPRESSION = 'info_match("x" + f)'
TARGET_SECONDS_100K = 5.0
TARGET_RATIO = 10.0


def labels_for(frames: int) -> dict[int, str]:
    return {0: "x0 intro", frames // 3: f"x{frames // 3}", frames - 1: "outro"}


def evaluate(frames: int) -> tuple[float, np.ndarray]:
    labels = labels_for(frames)
    keyframes = [KeyframeInfo(frame, label) for frame, label in sorted(labels.items())]
    program = FieldProgram("value", frames, [(0, 0.0), (frames - 1, 1.0)], [(0, EXPRESSION)], 0.0)
    started = time.perf_counter()
    values = evaluate_field(program, timing=Timing(30.0, 120.0), keyframes=keyframes, other_fields={}).values
    return time.perf_counter() - started, values


def baseline(frames: int) -> tuple[float, np.ndarray]:
    """The earlier approach: a full-length mask per distinct pattern, then the active keyframe's match."""
    labels = labels_for(frames)
    kf_frames = np.array(sorted(labels), dtype=np.float64)
    matcher = InfoMatcher([labels[int(frame)] for frame in kf_frames])
    patterns = np.array([f"x{f}" for f in range(frames)], dtype=object)
    t = np.arange(frames, dtype=np.float64)
    started = time.perf_counter()
    out = np.empty(frames)
    for pattern in dict.fromkeys(patterns.tolist()):
        mask = patterns == pattern
        matches = matcher.matches(pattern)
        last = np.searchsorted(kf_frames, t[mask], side="right") - 1
        out[mask] = np.where(last >= 0, matches[np.maximum(last, 0)], False)
    return time.perf_counter() - started, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=20_000)
    args = parser.parse_args()
    new_s, new_values = evaluate(args.frames)
    old_s, old_values = baseline(args.frames)
    np.testing.assert_array_equal(new_values, old_values)
    big_s, _ = evaluate(100_000)
    ratio = old_s / new_s
    print(f"{args.frames:,} frames: {new_s:.3f} s (baseline {old_s:.3f} s, {ratio:.1f}x faster)")
    print(f"100,000 frames: {big_s:.3f} s")
    ok = big_s < TARGET_SECONDS_100K and ratio >= TARGET_RATIO
    print("targets met" if ok else f"TARGETS MISSED (100k < {TARGET_SECONDS_100K} s, ratio >= {TARGET_RATIO})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
