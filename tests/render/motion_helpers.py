"""Synthetic images and videos for the motion-toolkit tests (real ffmpeg encodes and decodes the videos)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from lib_parseq.video import VideoReader, VideoWriter, probe_video


def texture(width: int, height: int, seed: int = 0, smooth: float = 1.5) -> np.ndarray:
    """A smooth random RGB texture: plenty of corners and gradients for flow and feature tracking."""
    rng = np.random.default_rng(seed)
    noise = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    return cv2.GaussianBlur(noise, (0, 0), smooth)


def moving_square_frames(count: int, size: int, step: tuple[int, int], square: int = 24) -> list[np.ndarray]:
    """A textured square moving by ``step`` (dx, dy) pixels per frame over a static textured background."""
    background = (texture(size, size, seed=1, smooth=3.0) // 2).astype(np.uint8)
    patch = texture(square, square, seed=2, smooth=1.0)
    frames = []
    for index in range(count):
        frame = background.copy()
        x, y = 16 + index * step[0], 16 + index * step[1]
        frame[y : y + square, x : x + square] = patch
        frames.append(frame)
    return frames


def write_video(path: Path, frames: list[np.ndarray], fps: float = 10) -> Path:
    """Encode ``frames`` to an H.264 file with the project's writer (near-lossless, crf 1)."""
    height, width = frames[0].shape[:2]
    writer = VideoWriter(path, width, height, fps, crf=1, preset="ultrafast")
    for frame in frames:
        writer.write(frame)
    writer.close()
    return path


def read_video(path: Path) -> list[np.ndarray]:
    with VideoReader(probe_video(path)) as reader:
        return [frame.copy() for frame in reader]


def locate(image: np.ndarray, patch: np.ndarray) -> tuple[float, float]:
    """The (x, y) of ``patch`` in ``image`` to a fraction of a pixel (template match + parabola fit)."""
    scores = cv2.matchTemplate(image, patch, cv2.TM_CCOEFF_NORMED)
    _, _, _, (x, y) = cv2.minMaxLoc(scores)

    def refine(minus: float, centre: float, plus: float) -> float:
        denominator = minus - 2 * centre + plus
        return 0.0 if denominator == 0 else 0.5 * (minus - plus) / denominator

    dx = refine(scores[y, x - 1], scores[y, x], scores[y, x + 1]) if 0 < x < scores.shape[1] - 1 else 0.0
    dy = refine(scores[y - 1, x], scores[y, x], scores[y + 1, x]) if 0 < y < scores.shape[0] - 1 else 0.0
    return x + dx, y + dy
