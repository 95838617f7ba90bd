"""Probing a video by decoding it: size after rotation, source fps, and the true frame count.

Container metadata is not trusted (it is missing or wrong for many .mov and variable-frame-rate files):
the frame count is what ffmpeg actually decodes, resampled to the fps the render will read at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lib_parseq.errors import RenderError
from lib_parseq.video.ffmpeg import run_ffmpeg, stderr_tail

_FRAME_RE = re.compile(r"frame=\s*(\d+)")
_SIZE_RE = re.compile(r"\s(\d{1,5})x(\d{1,5})[\s,\[]")
_FPS_RE = re.compile(r"([\d.]+)\s+(fps|tbr)\b")
_ROTATION_RE = re.compile(r"rotation of (-?[\d.]+) degrees")


@dataclass(frozen=True)
class VideoInfo:
    """A decoded video's shape: displayed size (rotation applied), source fps, frames at ``read_fps``."""

    path: Path
    width: int
    height: int
    source_fps: float | None
    frame_count: int
    read_fps: float | None
    rotation: float
    has_audio: bool


def _section(text: str, start: str, end: str | None) -> str:
    begin = text.find(start)
    if begin < 0:
        return ""
    stop = text.find(end, begin) if end else -1
    return text[begin : stop if stop >= 0 else len(text)]


def _video_stream_line(section: str) -> str:
    for line in section.splitlines():
        if "Stream #" in line and "Video:" in line:
            return line
    return ""


def probe_video(path: str | Path, fps: float | None = None) -> VideoInfo:
    """Decode ``path`` once (resampled to ``fps`` when given) and report its size, fps and frame count."""
    path = Path(path)
    if not path.exists():
        raise RenderError(f"input video not found: {path}")
    if not path.is_file():
        raise RenderError(f"input video is not a file: {path}")
    args = ["-i", str(path), "-map", "0:v:0"]
    if fps:
        args += ["-vf", f"fps={fps:g}"]
    args += ["-f", "null", "-"]
    try:
        done = run_ffmpeg(args, what=f"cannot read video {path}")
    except RenderError as exc:
        if "0:v:0" in exc.message or "matches no streams" in exc.message:  # the -map of a file without video
            raise RenderError(f"no video stream in {path}: it holds no pictures (an audio-only file?)") from None
        raise RenderError(f"cannot read video {path}: {exc.message.split('ffmpeg failed: ')[-1]}") from exc
    text = done.stderr.decode("utf-8", "replace").replace("\r", "\n")
    inputs = _section(text, "Input #0", "Stream mapping")
    outputs = _section(text, "Output #0", None)
    in_line = _video_stream_line(inputs)
    out_line = _video_stream_line(outputs) or in_line
    size = _SIZE_RE.search(out_line)
    counts = _FRAME_RE.findall(text)
    if not in_line or not size:
        raise RenderError(f"no video stream in {path}: {stderr_tail(done.stderr)}")
    frame_count = int(counts[-1]) if counts else 0
    if frame_count == 0:
        raise RenderError(f"no frames could be decoded from {path}: {stderr_tail(done.stderr)}")
    fps_match = _FPS_RE.search(in_line)
    rotation = _ROTATION_RE.search(inputs)
    return VideoInfo(
        path=path,
        width=int(size.group(1)),
        height=int(size.group(2)),
        source_fps=float(fps_match.group(1)) if fps_match else None,
        frame_count=frame_count,
        read_fps=fps,
        rotation=float(rotation.group(1)) if rotation else 0.0,
        has_audio=any("Audio:" in line for line in inputs.splitlines() if "Stream #" in line),
    )
