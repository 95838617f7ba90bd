"""Shared by the render fault and data-loss tests: a small textured render set-up and a real decode of the
video a user would open afterwards."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from lib_parseq.render import RenderSettings

FRAMES = 12
SIZE = (64, 48)


def init_image(size: tuple[int, int] = SIZE) -> np.ndarray:
    y, x = np.mgrid[0 : size[1], 0 : size[0]]
    return np.dstack([(x * 4) % 256, (y * 5) % 256, ((x + y) * 3) % 256]).astype(np.uint8)


def render_settings(folder: Path, **changes) -> RenderSettings:
    """A quick render into ``folder/out.mp4`` with a checkpoint every 2 frames; ``changes`` override."""
    values = {"output": "out.mp4", "output_dir": folder, "size": SIZE, "preset": "ultrafast",
              "checkpoint_every": 2, "handle_sigint": False}
    values.update(changes)
    return RenderSettings(**values)


def playable_frames(path: Path) -> int:
    """Decode the whole video with OpenCV; the number of frames it yields."""
    capture = cv2.VideoCapture(str(path))
    assert capture.isOpened(), f"{path} cannot be opened"
    count = 0
    while True:
        ok, _ = capture.read()
        if not ok:
            break
        count += 1
    capture.release()
    return count
