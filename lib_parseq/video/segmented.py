"""One video written in parts, each by a fresh encoder, spliced into a single fragmented MP4 as it comes.

A render that can be resumed must be able to continue its video exactly, and an encoder's output depends on
everything it was given before (rate control, frame numbering). So the video is cut into parts at the
render's checkpoints, each encoded by its own ffmpeg from a clean state, and ``FragmentSplicer`` appends each
part's fragments to the one output file while the next part is being encoded. A resume cuts the file back to
the checkpoint's splice point and encodes the next parts exactly as an uninterrupted render would: the file
is byte-identical, and no lossless copy of each frame is needed.

``write`` sends frames to the current part's encoder (started on the first frame after a cut: the spare one,
started while the part before was encoded, since an ffmpeg takes a while to start); ``cut(on_done)``
ends the part, and the relay thread calls ``on_done(point)`` once that part is whole in the file (the render
commits its checkpoint there). Failures of an encoder, of the file or of ``on_done`` are raised by the next
``write``, ``cut`` or ``close``.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lib_parseq.errors import RenderError
from lib_parseq.video.fragments import FragmentError, FragmentSplicer, SplicePoint
from lib_parseq.video.writer import EncoderError, VideoWriter, check_encoder_settings

PartDone = Callable[[SplicePoint], None]


@dataclass
class _Part:
    writer: VideoWriter | None
    on_done: PartDone | None = None


_STOP = _Part(None)


class SegmentedVideoWriter:
    """Streams frames into ``path`` as a sequence of independently encoded parts (see the module docstring).

    ``point``: continue the file at ``path`` from this splice point (its head must match); None starts a new
    file."""

    def __init__(self, path: Path, width: int, height: int, fps: float, *, crf: int = 17, preset: str = "medium",
                 point: SplicePoint | None = None) -> None:
        check_encoder_settings(width, height, fps, crf, preset)
        self.path = Path(path)
        self.width, self.height, self.fps, self.crf, self.preset = width, height, fps, crf, preset
        self.frames = 0
        try:
            self._splicer = (FragmentSplicer.continuing(self.path, point) if point is not None
                             else FragmentSplicer(open(self.path, "wb")))  # noqa: SIM115 - closed by close/abort
        except FragmentError as exc:
            raise RenderError(str(exc)) from exc
        self._current: _Part | None = None
        self._spare: VideoWriter | None = None
        self._started: list[VideoWriter] = []
        self._parts: queue.Queue[_Part] = queue.Queue()
        self._failure: BaseException | None = None
        self._relay = threading.Thread(target=self._relay_parts, name="parseq-video-parts", daemon=True)
        self._relay.start()

    @property
    def pid(self) -> int | None:
        """The process id of the encoder of the current (or last) part."""
        return self._started[-1].pid if self._started else None

    @property
    def point(self) -> SplicePoint:
        return self._splicer.point

    def write(self, frame: np.ndarray) -> None:
        """Send one uint8 RGB frame of the writer's size."""
        self._raise_if_failed()
        if self._current is None:
            writer = self._spare or self._encoder()
            self._spare = None
            self._started = [*self._started[-1:], writer]
            self._current = _Part(writer)
            self._parts.put(self._current)  # the relay reads its output from now on
            self._spare = self._encoder()
        self._current.writer.write(frame)
        self.frames += 1

    def _encoder(self) -> VideoWriter:
        return VideoWriter(self.path, self.width, self.height, self.fps, crf=self.crf, preset=self.preset,
                           stream=True)

    def cut(self, on_done: PartDone | None = None) -> None:
        """End the current part here; ``on_done(point)`` runs once it (and every part before it) is in the file."""
        self._raise_if_failed()
        self._end_part(on_done)

    def _end_part(self, on_done: PartDone | None) -> None:
        if self._current is None:
            if on_done is not None:
                self._parts.put(_Part(None, on_done))
            return
        part, self._current = self._current, None
        part.on_done = on_done  # read by the relay only after the encoder's output ends, which follows end_input
        part.writer.end_input()

    def close(self) -> None:
        """Finish the last part and wait until every part is in the file; raises the first failure."""
        self._end_part(None)
        self._drop_spare()
        self._finish_relay()
        self._raise_if_failed()

    def abort(self) -> None:
        """Stop every encoder at once; the file keeps the whole fragments already written."""
        for writer in self._started:
            writer.abort()
        self._current = None
        self._drop_spare()
        self._finish_relay()

    def _drop_spare(self) -> None:
        if self._spare is not None:
            self._spare.abort()
            self._spare.stdout.close()  # never read: no relay holds it
            self._spare = None

    def _finish_relay(self) -> None:
        if self._relay.is_alive():
            self._parts.put(_STOP)
            self._relay.join()
        if not self._splicer.handle.closed:
            try:
                self._splicer.handle.close()
            except OSError as exc:
                self._failure = self._failure or exc

    @property
    def alive(self) -> bool:
        return self._failure is None and self._relay.is_alive()

    def _raise_if_failed(self) -> None:
        failure = self._failure
        if failure is None:
            return
        if isinstance(failure, RenderError):
            raise failure
        if isinstance(failure, OSError):
            raise EncoderError(f"cannot write the video {self.path}: {failure.strerror or failure}") from failure
        raise EncoderError(f"cannot join the parts of the video {self.path}: {failure}") from failure

    def _relay_parts(self) -> None:
        while True:
            part = self._parts.get()
            if part is _STOP:
                return
            try:
                if self._failure is not None:
                    if part.writer is not None:
                        part.writer.abort()
                    continue
                if part.writer is not None:
                    self._append(part.writer)
                if part.on_done is not None:
                    self._splicer.handle.flush()
                    os.fsync(self._splicer.handle.fileno())
                    part.on_done(self._splicer.point)
            except BaseException as exc:  # noqa: BLE001 - raised in the render loop by the next call
                self._failure = exc
                if part.writer is not None:
                    part.writer.abort()

    def _append(self, writer: VideoWriter) -> None:
        """Copy one part's stream into the file; an encoder failure is reported over a cut-short stream."""
        broken: FragmentError | None = None
        try:
            self._splicer.append_stream(writer.stdout)
        except FragmentError as exc:
            broken = exc
        finally:
            writer.stdout.close()
        writer.close()
        if broken is not None:
            raise broken
