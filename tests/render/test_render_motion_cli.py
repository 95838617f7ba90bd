"""The motion toolkit from the command line: cadence, sampling, padding, colour and hybrid flags."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
from motion_helpers import moving_square_frames, texture, write_video
from render_helpers import count_frames, decode_frames, make_manifest

REPO = Path(__file__).resolve().parents[2]


def parseq(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "lib_parseq", "render", *args, "--dry-run", "--quiet"], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300)


def test_cli_hybrid_with_cadence_flip_sampling_and_colour_flags(tmp_path):
    manifest = make_manifest(8, perspective_flip_theta=lambda f: 2.0 * f, hybrid_comp_alpha=0.3,
                             antiblur_amount=0.2)
    (tmp_path / "m.json").write_text(json.dumps(manifest))
    write_video(tmp_path / "guide.mp4", moving_square_frames(8, 64, (2, 1), 16))
    cv2.imwrite(str(tmp_path / "init.png"), texture(64, 64, seed=3))
    done = parseq("m.json", "--video", "guide.mp4", "--init", "init.png", "--hybrid", "--hybrid-motion",
                  "optical_flow", "--hybrid-flow", "farneback", "--hybrid-composite", "normal", "--hybrid-mask",
                  "difference", "--hybrid-mask-auto-contrast", "--cadence", "2", "--sampling", "bicubic", "--border",
                  "black", "--colour-source", "video", "--colour-space", "hsv", "-o", "out.mp4", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert count_frames(tmp_path / "out.mp4") == 8


def test_cli_greyscale_and_input_errors(tmp_path):
    (tmp_path / "m.json").write_text(json.dumps(make_manifest(3)))
    cv2.imwrite(str(tmp_path / "init.png"), texture(32, 32, seed=3))
    done = parseq("m.json", "--init", "init.png", "--greyscale", "-o", "grey.mp4", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    frames = decode_frames(tmp_path / "grey.mp4")[1]
    assert all(np.abs(f.astype(int) - f.mean(axis=2, keepdims=True)).max() <= 3 for f in frames)
    both = parseq("m.json", "--init", "init.png", "--video", "x.mp4", "-o", "x.mp4", cwd=tmp_path)
    assert both.returncode == 2 and "both only with --hybrid" in both.stderr
    lone = parseq("m.json", "--init", "init.png", "--hybrid", "-o", "x.mp4", cwd=tmp_path)
    assert lone.returncode == 2 and "--hybrid needs --video" in lone.stderr
    zero = parseq("m.json", "--init", "init.png", "--cadence", "0", "-o", "x.mp4", cwd=tmp_path)
    assert zero.returncode == 2 and "cadence must be" in zero.stderr
