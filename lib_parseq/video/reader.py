"""Reading a video's frames as uint8 RGB arrays through one ffmpeg process (rotation honoured)."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from lib_parseq.errors import RenderError
from lib_parseq.video.ffmpeg import find_ffmpeg, stderr_tail
from lib_parseq.video.probe import VideoInfo


class VideoReader:
    """Iterate the frames of a probed video at its ``read_fps``, optionally skipping the first ``skip``.

    Use as a context manager so the ffmpeg process is always reaped. A stream that ends before the probed
    frame count raises RenderError naming the frame (the input was truncated or changed while reading).
    """

    def __init__(self, info: VideoInfo, *, skip: int = 0) -> None:
        self.info = info
        self.skip = skip
        self._process: subprocess.Popen | None = None
        self._stderr = None

    def __enter__(self) -> VideoReader:
        args = [find_ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(self.info.path),
                "-map", "0:v:0"]
        if self.info.read_fps:
            args += ["-vf", f"fps={self.info.read_fps:g}"]
        args += ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
        self._stderr = tempfile.TemporaryFile()
        self._process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=self._stderr)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        process = self._process
        if process is None:
            return
        self._process = None
        if process.poll() is None:
            process.kill()
        process.communicate()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def _stderr_text(self) -> bytes:
        if self._stderr is None:
            return b""
        self._stderr.seek(0)
        return self._stderr.read()

    def __iter__(self) -> Iterator[np.ndarray]:
        if self._process is None:
            raise RuntimeError("VideoReader must be used as a context manager")
        stdout = self._process.stdout
        frame_bytes = self.info.width * self.info.height * 3
        shape = (self.info.height, self.info.width, 3)
        for index in range(self.info.frame_count):
            data = stdout.read(frame_bytes)
            if len(data) < frame_bytes:
                self._process.wait()
                message = stderr_tail(self._stderr_text())
                raise RenderError(
                    f"input video {Path(self.info.path).name} ended at frame {index} of "
                    f"{self.info.frame_count} (truncated or unreadable): {message}",
                    frame=index,
                )
            if index >= self.skip:
                yield np.frombuffer(data, np.uint8).reshape(shape)
