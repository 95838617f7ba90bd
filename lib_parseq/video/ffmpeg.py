"""Finding the ffmpeg binary and running it with argument lists (never through a shell)."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess

from lib_parseq.errors import RenderError

FFMPEG_ENV = "PARSEQ_FFMPEG"


@functools.lru_cache(maxsize=4)
def _resolve(override: str | None) -> str:
    if override:
        if os.path.isfile(override) and os.access(override, os.X_OK):
            return override
        raise RenderError(f"{FFMPEG_ENV}={override!r} is not an executable file")
    system = shutil.which("ffmpeg")
    if system:
        return system
    try:
        import imageio_ffmpeg
    except ImportError as exc:
        raise RenderError("ffmpeg not found: install it, or `pip install imageio-ffmpeg`") from exc
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as exc:
        raise RenderError(f"ffmpeg not found: {exc}") from exc


def find_ffmpeg() -> str:
    """The ffmpeg to use: ``$PARSEQ_FFMPEG``, else the system's, else the one imageio-ffmpeg ships."""
    return _resolve(os.environ.get(FFMPEG_ENV) or None)


def run_ffmpeg(args: list[str], *, what: str, timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run ``ffmpeg ARGS`` to completion; a failure is a RenderError with the end of ffmpeg's message."""
    command = [find_ffmpeg(), "-hide_banner", "-nostdin", *args]
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"{what}: ffmpeg took longer than {timeout:.0f} s") from exc
    if done.returncode != 0:
        raise RenderError(f"{what}: ffmpeg failed: {stderr_tail(done.stderr)}")
    return done


def stderr_tail(stderr: bytes | str | None, lines: int = 4) -> str:
    """The last meaningful lines of ffmpeg's stderr, joined on one line."""
    if not stderr:
        return "(no message)"
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    kept = [line.strip() for line in text.replace("\r", "\n").splitlines() if line.strip()]
    kept = [line for line in kept if not line.startswith(("frame=", "size=", "Press [q]"))]
    return " | ".join(kept[-lines:]) if kept else "(no message)"
