"""Helpers for the render tests: small synthetic manifests and images, real ffmpeg to make and check videos."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import imageio_ffmpeg
import numpy as np

from lib_parseq.video.ffmpeg import find_ffmpeg


def make_manifest(count: int, *, fps: float = 10, **fields) -> dict:
    """A manifest of ``count`` frames; each keyword is a constant or a function of the frame number."""
    frames = []
    for f in range(count):
        entry = {"frame": f}
        for name, value in fields.items():
            entry[name] = value(f) if callable(value) else value
        frames.append(entry)
    return {"options": {"output_fps": fps}, "rendered_frames": frames}


def marked_image(size: int = 64, mark: tuple[int, int] | None = None, radius: int = 1) -> np.ndarray:
    """A dark image with a smooth background and a bright square of ``radius`` around ``mark`` (x, y)."""
    y, x = np.mgrid[0:size, 0:size]
    image = np.stack([x * 60 // size, y * 60 // size, np.full_like(x, 30)], axis=2).astype(np.uint8)
    if mark is not None:
        mx, my = mark
        image[my - radius : my + radius + 1, mx - radius : mx + radius + 1] = 255
    return image


def brightest(image: np.ndarray) -> tuple[float, float]:
    """The (x, y) centroid of the brightest pixels."""
    grey = image.astype(np.float64).sum(axis=2)
    ys, xs = np.nonzero(grey >= grey.max() - 60)
    return float(xs.mean()), float(ys.mean())


def decode_frames(path: Path) -> tuple[dict, list[np.ndarray]]:
    """Decode a video with imageio-ffmpeg (independent of lib_parseq): its metadata and RGB frames."""
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    width, height = meta["size"]
    frames = [np.frombuffer(data, np.uint8).reshape(height, width, 3).copy() for data in reader]
    return meta, frames


def count_frames(path: Path) -> int:
    return imageio_ffmpeg.count_frames_and_secs(str(path))[0]


def wait_for_orphaned_encoders(folder: Path, timeout: float = 60) -> None:
    """Wait until no ffmpeg writing under ``folder`` runs. A SIGKILLed render leaves its encoder running: it
    reads the frames still in its pipe, then closes the video, so the video is complete only when it exits."""
    marker = str(folder).encode()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = False
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                arguments = cmdline.read_bytes()
            except OSError:  # the process ended while we looked
                continue
            if b"ffmpeg" in arguments and marker in arguments:
                running = True
                break
        if not running:
            return
        time.sleep(0.05)
    raise AssertionError(f"an ffmpeg writing under {folder} was still running after {timeout} s")


def ffmpeg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([find_ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args],
                          capture_output=True, check=True)


def stream_kinds(path: Path) -> list[str]:
    """The kinds of stream ffmpeg sees in a file (e.g. ['Video', 'Audio'])."""
    done = subprocess.run([find_ffmpeg(), "-hide_banner", "-i", str(path)], capture_output=True, text=True)
    return re.findall(r"Stream #\S+.*?: (Video|Audio):", done.stderr)


def duration_s(path: Path) -> float:
    done = subprocess.run([find_ffmpeg(), "-hide_banner", "-i", str(path)], capture_output=True, text=True)
    h, m, s = re.search(r"Duration: (\d+):(\d+):([\d.]+)", done.stderr).groups()
    return int(h) * 3600 + int(m) * 60 + float(s)


