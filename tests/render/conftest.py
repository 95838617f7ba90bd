"""Fixtures for the render tests (helpers live in render_helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from render_helpers import ffmpeg


@pytest.fixture
def test_video(tmp_path: Path):
    """Make a small test video with ffmpeg: ``test_video(name, frames=, fps=, size=, extra=[...])``."""

    def make(name: str = "in.mp4", *, frames: int = 12, fps: int = 10, size: str = "64x48",
             codec: list[str] | None = None, extra: list[str] | None = None) -> Path:
        path = tmp_path / name
        codec = codec if codec is not None else ["-c:v", "libx264", "-pix_fmt", "yuv420p"]
        ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={size}:rate={fps}", "-frames:v", str(frames),
               *codec, *(extra or []), str(path))
        return path

    return make
