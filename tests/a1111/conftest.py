"""Fixtures for the A1111 extension tests: the stand-in webui with this repository installed as an extension."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path

import pytest
from PIL import Image

HERE = Path(__file__).resolve().parent
HARNESS_PATH = HERE / "stand_in" / "harness.py"
EXTENSION_NAME = "sd-webui-parseq"


def load_harness():
    """The harness module, loaded by path (it is not part of any package)."""
    spec = importlib.util.spec_from_file_location("a1111_stand_in_harness", HARNESS_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def harness():
    return load_harness()


@pytest.fixture()
def webui(harness, repo_root, tmp_path):
    """A stand-in webui (root in tmp_path) with this repository as an extension, scripts loaded."""
    with harness.stand_in(tmp_path / "webui", {EXTENSION_NAME: repo_root}) as instance:
        instance.load_scripts()
        yield instance


def make_manifest(count: int = 6, *, fps: float = 10, seed=lambda f: 100 + f, scale=lambda f: 4 + f,
                  strength=lambda f: 0.4, prompt=True, extra=None) -> dict:
    """A small rendered manifest in Parseq's shape (seed/scale/strength/zoom and a two-prompt deforum_prompt)."""
    frames = []
    managed = []
    for f in range(count):
        entry: dict = {"frame": f}
        if seed is not None:
            entry["seed"] = seed(f)
        if scale is not None:
            entry["scale"] = scale(f)
        if strength is not None:
            entry["strength"] = strength(f)
        entry["zoom"] = 1 + 0.02 * f
        if extra:
            entry.update(extra(f))
        if prompt:
            w = f / max(count - 1, 1)
            entry["deforum_prompt"] = (f"a red fox: {1 - w:.4f} AND a blue bird: {w:.4f} "
                                       "--neg blurry: 1 AND low quality: 0.5")
        frames.append(entry)
    managed = [k for k in frames[0] if k not in ("frame", "deforum_prompt")]
    return {"options": {"output_fps": fps, "bpm": 140}, "managedFields": managed, "rendered_frames": frames}


@pytest.fixture()
def manifest_json():
    return json.dumps(make_manifest())


@pytest.fixture()
def init_image():
    gradient = Image.linear_gradient("L").resize((64, 48))
    return Image.merge("RGB", (gradient, gradient.transpose(Image.FLIP_LEFT_RIGHT), Image.new("L", (64, 48), 90)))


def ffmpeg_exe() -> str:
    import shutil

    import imageio_ffmpeg

    return shutil.which("ffmpeg") or imageio_ffmpeg.get_ffmpeg_exe()


@pytest.fixture()
def audio_file(tmp_path) -> Path:
    """A real 3-second 440 Hz WAV made with ffmpeg."""
    path = tmp_path / "tone.wav"
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "sine=frequency=440:duration=3", str(path)], check=True)
    return path


@pytest.fixture()
def small_video(tmp_path) -> Path:
    """A real 8-frame 64x48 H.264 video at 10 fps, made with ffmpeg's test source."""
    path = tmp_path / "input.mp4"
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=size=64x48:rate=10:duration=0.8", "-pix_fmt", "yuv420p", "-c:v", "libx264", str(path)],
                   check=True)
    return path
