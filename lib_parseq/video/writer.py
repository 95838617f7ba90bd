"""Writing video: RGB frames streamed into one ffmpeg process (H.264 MP4, optionally WebM beside it), then
optional GIF and audio passes on the finished file.

Frames are handed to a small queue and piped by a background thread, so the render computes the next frame
while ffmpeg takes the last one; that thread also converts each frame to the encoders' yuv420p
(``video.yuv``). Closing the writer drains the queue, closes ffmpeg's stdin and waits, so the MP4 is
finalised whenever the render stops, for whatever reason. MP4 and MOV are written fragmented (a short index
every ``FRAGMENT_SECONDS``), so even a file whose writer could not finish (a full disk, a killed ffmpeg or
Python) plays every complete fragment. A write into a dead encoder raises ``EncoderError`` carrying ffmpeg's
message (on that write or a later one, at the latest on close).
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

import numpy as np

from lib_parseq.errors import RenderError
from lib_parseq.video.ffmpeg import find_ffmpeg, run_ffmpeg, stderr_tail
from lib_parseq.video.yuv import yuv420p_planes

X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")
CLOSE_TIMEOUT_S = 600.0
QUEUED_FRAMES = 4
PIPE_BYTES = 1 << 20
FRAGMENT_SECONDS = 1.0
FRAGMENTED_SUFFIXES = (".mp4", ".mov")


class EncoderError(RenderError):
    """The ffmpeg encoder stopped or failed (it crashed, was killed, or could not write its file)."""

    kind = "RenderError"


def check_encoder_settings(width: int, height: int, fps: float, crf: int, preset: str) -> None:
    """Reject settings libx264/yuv420p cannot take, with a message saying which one and why."""
    if width <= 0 or height <= 0 or width % 2 or height % 2:
        raise RenderError(f"video size {width}x{height} must be positive even numbers (H.264 yuv420p)")
    if not fps or fps <= 0:
        raise RenderError(f"fps must be positive, got {fps}")
    if not 0 <= crf <= 51:
        raise RenderError(f"crf must be between 0 and 51, got {crf}")
    if preset not in X264_PRESETS:
        raise RenderError(f"unknown x264 preset {preset!r}; expected one of {', '.join(X264_PRESETS)}")


def fragment_options(path: Path) -> list[str]:
    """ffmpeg options that write ``path`` as fragmented MP4/MOV: playable up to the last complete fragment."""
    if path.suffix.lower() not in FRAGMENTED_SUFFIXES:
        return []
    return ["-movflags", "+frag_keyframe+empty_moov+default_base_moof",
            "-frag_duration", str(int(FRAGMENT_SECONDS * 1_000_000))]


def exit_description(code: int | None) -> str:
    """ffmpeg's exit status in words ("exit 1", or the signal that killed it)."""
    if code is None or code >= 0:
        return f"ffmpeg exit {code}"
    try:
        name = signal.Signals(-code).name
        reason = signal.strsignal(-code) or ""
    except ValueError:
        return f"ffmpeg killed by signal {-code}"
    return f"ffmpeg killed by {name}: {reason}".rstrip(": ")


class _FrameNotConverted(Exception):
    """A frame the pipe thread could not turn into yuv420p (the cause is chained)."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.__cause__ = cause


class VideoWriter:
    """Streams frames of one size into ffmpeg; ``close()`` finalises the file(s)."""

    def __init__(self, path: Path, width: int, height: int, fps: float, *, crf: int = 17,
                 preset: str = "medium", webm_path: Path | None = None, fragmented: bool = True,
                 stream: bool = False) -> None:
        """``stream``: write the fragmented MP4/MOV to ``stdout`` (a pipe to read) instead of ``path``, which
        then only names the format."""
        check_encoder_settings(width, height, fps, crf, preset)
        self.path = Path(path)
        self.stream = stream
        self.webm_path = Path(webm_path) if webm_path is not None else None
        self.width, self.height, self.fps = width, height, fps
        self.frames = 0
        self._stderr = tempfile.TemporaryFile()
        args = [
            find_ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{width}x{height}", "-r", f"{fps:g}", "-i", "-",
            "-map", "0:v", "-an", "-c:v", "libx264", "-preset", preset, "-crf", str(crf),
            "-pix_fmt", "yuv420p", *(fragment_options(self.path) if fragmented or stream else []),
            *(["-f", "mov" if self.path.suffix.lower() == ".mov" else "mp4", "-"] if stream else [str(self.path)]),
        ]
        if webm_path is not None:
            args += ["-map", "0:v", "-an", "-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "33",
                     "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1", "-pix_fmt", "yuv420p",
                     str(webm_path)]
        try:
            self._process = subprocess.Popen(args, stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE if stream else subprocess.DEVNULL,
                                             stderr=self._stderr)
        except OSError as exc:
            self._stderr.close()
            raise RenderError(f"cannot start ffmpeg: {exc}") from exc
        _enlarge_pipe(self._process.stdin)
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=QUEUED_FRAMES)
        self._failure: BaseException | None = None
        self._pipe_thread = threading.Thread(target=self._pipe_frames, name="parseq-encoder-pipe", daemon=True)
        self._pipe_thread.start()

    def _pipe_frames(self) -> None:
        while True:
            frame = self._queue.get()
            try:
                if frame is None:
                    if self.stream:  # the end of this stream: the encoder finishes while the render goes on
                        self._process.stdin.close()
                    return
                planes = self._converted(frame) if self._failure is None else None
                if planes is not None:
                    for plane in planes:
                        self._process.stdin.write(plane.data)
                    self.frames += 1
            except (BrokenPipeError, OSError, ValueError) as exc:
                self._failure = exc
            finally:
                self._queue.task_done()

    def _converted(self, frame: np.ndarray) -> tuple[np.ndarray, ...] | None:
        """The frame's yuv420p planes; None if that failed (out of memory, say): then the encoder's input is
        closed, so ffmpeg finishes the frames it has, and the next ``write`` or ``close`` raises, never waits."""
        try:
            return yuv420p_planes(frame)
        except Exception as exc:  # noqa: BLE001 - whatever it was, this thread must not die with frames queued
            self._failure = _FrameNotConverted(exc)
            try:
                self._process.stdin.close()
            except OSError:  # ffmpeg has gone as well: the conversion is still what went wrong first
                pass
            return None

    def _raise_if_failed(self) -> None:
        if self._failure is None:
            return
        self._process.wait()
        if isinstance(self._failure, _FrameNotConverted):
            cause = self._failure.__cause__
            raise EncoderError(f"frame {self.frames + 1} of the video could not be converted for the encoder "
                               f"({type(cause).__name__}: {cause}); the video keeps the {self.frames} before it"
                               ) from cause
        raise EncoderError(
            f"the video encoder stopped after {self.frames} frames "
            f"({exit_description(self._process.returncode)}): {self.message()}"
        ) from self._failure

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def stdout(self):  # noqa: ANN201 - the encoder's output pipe (``stream`` writers only)
        return self._process.stdout

    def end_input(self) -> None:
        """No more frames: the queued ones are sent, then the encoder's input is closed, without waiting."""
        self._queue.put(None)

    def message(self) -> str:
        """The end of what ffmpeg has said so far."""
        self._stderr.seek(0)
        return stderr_tail(self._stderr.read())

    def write(self, frame: np.ndarray) -> None:
        """Send one uint8 RGB frame of the writer's size."""
        if frame.shape != (self.height, self.width, 3) or frame.dtype != np.uint8:
            raise RenderError(f"frame of shape {frame.shape} {frame.dtype} does not fit a "
                              f"{self.width}x{self.height} RGB video")
        if self._failure is None and self._process.poll() is not None:
            self._failure = BrokenPipeError("ffmpeg exited while frames were still coming")
        self._raise_if_failed()
        self._queue.put(np.ascontiguousarray(frame))

    def close(self) -> None:
        """Finish the stream and wait for ffmpeg; raises EncoderError if it failed."""
        self._stop_pipe()
        if self._process.stdin and not self._process.stdin.closed:
            try:
                self._process.stdin.close()
            except OSError:
                pass
        self._raise_if_failed()
        try:
            code = self._process.wait(timeout=CLOSE_TIMEOUT_S)
        except subprocess.TimeoutExpired as exc:
            self._process.kill()
            self._process.wait()
            raise EncoderError("the video encoder did not finish within 10 minutes") from exc
        message = self.message()
        self._stderr.close()
        if code != 0:
            raise EncoderError(f"the video encoder failed ({exit_description(code)}) after {self.frames} frames: "
                               f"{message}")
        for output in (() if self.stream else (self.path, self.webm_path)):
            if output is not None and (not output.is_file() or output.stat().st_size == 0):
                raise EncoderError(f"the video encoder reported success but wrote nothing to {output}")

    def abort(self) -> None:
        """Stop ffmpeg without finalising (used only when the file will be rebuilt)."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        self._stop_pipe()
        if not self._stderr.closed:
            self._stderr.close()

    def _stop_pipe(self) -> None:
        if self._pipe_thread.is_alive():
            self._queue.put(None)
            self._pipe_thread.join()

    @property
    def alive(self) -> bool:
        return self._process.poll() is None


def _enlarge_pipe(pipe: object) -> None:
    """Ask Linux for a 1 MiB pipe so a whole frame fits without a context switch per 64 KiB (best effort)."""
    try:
        import fcntl

        fcntl.fcntl(pipe.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except (ImportError, OSError, AttributeError):
        pass


def make_gif(video: Path, gif_path: Path, fps: float, *, max_width: int = 512) -> Path:
    """Convert ``video`` to an optimised-palette GIF (two ffmpeg passes, constant memory).

    The palette goes to a fresh private folder, never to a guessable name beside the output."""
    scale = f"fps={fps:g},scale='min({max_width},iw)':-1:flags=lanczos"
    with tempfile.TemporaryDirectory(prefix="parseq-palette-") as folder:
        palette = Path(folder) / "palette.png"
        run_ffmpeg(["-y", "-i", str(video), "-vf", f"{scale},palettegen=stats_mode=diff", str(palette)],
                   what=f"cannot make GIF palette for {gif_path.name}")
        run_ffmpeg(["-y", "-i", str(video), "-i", str(palette), "-lavfi",
                    f"{scale}[v];[v][1:v]paletteuse=dither=bayer:bayer_scale=5", str(gif_path)],
                   what=f"cannot write GIF {gif_path.name}")
    return gif_path


def mux_audio(video: Path, audio: Path, *, start_s: float = 0.0) -> None:
    """Add ``audio`` (from ``start_s`` seconds in) to ``video`` in place, trimmed to the video's length.

    A track shorter than the video is padded with silence (``apad``), so ``-shortest`` always ends at the
    video's last frame: no frame is cut for want of sound."""
    if not Path(audio).is_file():
        raise RenderError(f"audio file not found: {audio}")
    codec = "libopus" if video.suffix.lower() == ".webm" else "aac"
    # A fresh private folder beside the video (same file system for the rename; no guessable name to plant).
    with tempfile.TemporaryDirectory(prefix=f".{video.stem}.audio-", dir=video.parent) as folder:
        temporary = Path(folder) / f"muxed{video.suffix}"
        run_ffmpeg(["-y", "-i", str(video), "-ss", f"{start_s:.6f}", "-i", str(audio), "-map", "0:v:0",
                    "-map", "1:a:0", "-c:v", "copy", "-c:a", codec, "-b:a", "192k", "-af", "apad", "-shortest",
                    str(temporary)], what=f"cannot add audio {Path(audio).name}")
        os.replace(temporary, video)
