"""Helpers for the diffusers backend tests: manifests, inputs, frames read back, the install check.

These tests need the optional dependency (torch, diffusers, transformers); ``tests/run.sh`` runs them in
``.venv-diffusers``. Where it is missing they are skipped, except the ones that check the install message.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lib_parseq.backends.diffusers_options import missing_modules
from lib_parseq.video.ffmpeg import find_ffmpeg

REPO = Path(__file__).resolve().parents[2]
SIZE = 32
COMMON = ("--backend", "diffusers", "--steps", "3", "--quiet", "--preset", "ultrafast", "--crf", "0")

needs_diffusers = pytest.mark.skipif(bool(missing_modules()), reason="the diffusers extra is not installed")


def manifest(count: int = 6, **fields) -> dict:
    """A modern-vocabulary manifest: a seed per frame, cfg, denoise, a two-part composable prompt; overrides
    as constants or functions of the frame."""
    frames = []
    for f in range(count):
        entry = {"frame": f, "seed": 100 + f, "scale": 7.0, "strength": 0.4, "zoom": 1.0 + 0.01 * f,
                 "deforum_prompt": f"red cat: {1 - f / 10:.2f} AND blue dog: {f / 10:.2f} --neg blurry"}
        for name, value in fields.items():
            entry[name] = value(f) if callable(value) else value
        frames.append(entry)
    return {"options": {"output_fps": 10}, "rendered_frames": frames}


def init_image() -> np.ndarray:
    y, x = np.mgrid[0:SIZE, 0:SIZE]
    return np.stack([x * 4, y * 4, (x + y) * 2], axis=2).astype(np.uint8)


def write_inputs(folder: Path, data: dict, name: str = "manifest.json") -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(data))
    image = folder / "init.png"
    Image.fromarray(init_image()).save(image)
    return path, image


def make_video(path: Path, frames: int = 6) -> Path:
    subprocess.run([find_ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=size={SIZE}x{SIZE}:rate=10", "-frames:v", str(frames), "-c:v", "libx264",
                    "-pix_fmt", "yuv420p", str(path)], check=True, capture_output=True)
    return path


def frame_pngs(folder: Path) -> list[np.ndarray]:
    return [np.asarray(Image.open(p).convert("RGB")) for p in sorted(folder.glob("frame_*.png"))]


def render_cli(parseq_cli, model, folder: Path, data: dict, *extra, video=None) -> list[np.ndarray]:
    """Render ``data`` into ``folder`` through the CLI (``--init`` image, or ``video``); returns the frames
    written (lossless PNGs)."""
    manifest_path, image = write_inputs(folder, data)
    source = ("--video", video) if video is not None else ("--init", image)
    code, err = parseq_cli("render", manifest_path, *source, "-o", folder / "out.mp4", "--model", model,
                           "--save-frames", folder / "frames", *COMMON, *extra)
    assert code == 0, err
    return frame_pngs(folder / "frames")
