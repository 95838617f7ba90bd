"""Frames out of the pipeline in order, several per backend call where no frame depends on another's output.

A vid2vid frame depends on earlier outputs only through loopback blending (``loopback_frames`` > 1) and colour
coherence with outputs (the colour window, ``cc_window_width`` ≠ 0, or the "first" output as the colour source).
Without those, consecutive frames are independent: they are prepared (steps 1-6 of the pipeline), generated
together by a backend that offers ``generate_batch``, and finished and yielded in frame order, so writing,
checkpoints, resume and stop work exactly as one frame at a time. Batches start at fixed frames (the render's
first frame plus multiples of the batch size) and checkpoints fall on those frames, so a resumed render makes
the same calls, and the same frames, as an uninterrupted one. Loopback (init image) renders stay one frame at a
time.

A backend that offers ``generate_stream`` (Ray) gets the batches as a lazy stream and hands their outputs back
in order as they complete, while it keeps several running: frames are then prepared ahead of the ones being
finished. That is safe because preparing an independent frame reads nothing that finishing one writes, and
writes nothing a checkpoint keeps but the input's colour histogram (set once, at the first frame). A stop
request ends the stream: the batches already running are finished and written, then the render stops on a
batch boundary. A frame that cannot be prepared ends the stream the same way before its error is raised, so
the frames before it are written.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from lib_parseq.errors import RenderError
from lib_parseq.render.backend import Backend
from lib_parseq.render.params import FrameParams
from lib_parseq.render.pipeline import (
    BackendFailed,
    PipelineState,
    RenderStopped,
    backend_failures,
    checked_output,
    finish_frame,
    prepare_frame,
)
from lib_parseq.render.plan import RenderPlan
from lib_parseq.render.settings import RenderSettings


@runtime_checkable
class BatchBackend(Protocol):
    """A backend that can generate up to ``max_batch`` independent frames in one call."""

    max_batch: int

    def generate_batch(self, images: Sequence[np.ndarray], params: Sequence[FrameParams]) -> Sequence[np.ndarray]:
        """One output per input, in the same order."""
        ...


@runtime_checkable
class StreamingBackend(Protocol):
    """A batch backend that runs several batches at once: it pulls them from ``batches`` as it has room and
    yields each one's outputs in the order of ``batches``."""

    max_batch: int

    def generate_stream(self, batches: Iterable[tuple[Sequence[np.ndarray], Sequence[FrameParams]]]
                        ) -> Iterator[Sequence[np.ndarray]]:
        ...


class StoppableBatchBackend:
    """A base for batch backends: a stop flag (``stop()``/``should_stop()``) and ``generate`` as a batch of one."""

    _stop = False

    def stop(self) -> None:
        self._stop = True

    def should_stop(self) -> bool:
        return self._stop

    def generate(self, image: np.ndarray, params: FrameParams) -> np.ndarray:
        return self.generate_batch([image], [params])[0]

    def generate_batch(self, images: Sequence[np.ndarray], params: Sequence[FrameParams]) -> list[np.ndarray]:
        raise NotImplementedError


def batch_size(plan: RenderPlan, settings: RenderSettings, backend: Backend) -> int:
    """How many frames to generate per call: the backend's ``max_batch`` when frames are independent, else 1."""
    independent = (plan.video is not None and not plan.hybrid and plan.diffused.every_frame and plan.history_size == 1
                   and plan.cc_width == 0 and settings.colour_source != "first")
    if not independent or not isinstance(backend, BatchBackend):
        return 1
    return max(1, int(backend.max_batch))


def checkpoint_interval(every: int, size: int) -> int:
    """Frames between checkpoints: ``every`` rounded up to whole batches of ``size``."""
    return -(-max(every, 1) // size) * size


def produce_frames(plan: RenderPlan, settings: RenderSettings, state: PipelineState, backend: Backend, first: int,
                   inputs: Iterator[np.ndarray] | None, stop_requested: Callable[[], bool],
                   single: Callable[[int], np.ndarray]) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(frame, image to write)`` from ``first`` to the plan's end, in order; stops raise RenderStopped.

    ``single(frame)`` makes one frame the usual way (cadence and hybrid included); batches of independent
    vid2vid frames read ``inputs`` themselves."""
    size = batch_size(plan, settings, backend)
    if size == 1:
        for frame in range(first, plan.end):
            if stop_requested():
                raise RenderStopped
            yield frame, single(frame)
        return
    batches = _Batches(plan, settings, state, first, size, inputs, stop_requested)
    if isinstance(backend, StreamingBackend):
        outputs = iter(backend.generate_stream(batches))
    else:
        outputs = (backend.generate_batch(images, params) for images, params in batches)
    next_frame = first
    while True:
        # the oldest batch handed out, or (one batch at a time) the one the call is about to prepare
        with backend_failures(batches.waiting[0][0].start if batches.waiting else next_frame):
            chunk_outputs = next(outputs, None)
        if chunk_outputs is None:
            break
        chunk, params = batches.waiting.popleft()
        next_frame = chunk.stop
        chunk_outputs = list(chunk_outputs)
        if len(chunk_outputs) != len(chunk):
            error = RenderError(f"the backend returned {len(chunk_outputs)} images for {len(chunk)} frames",
                                frame=chunk.start)
            raise BackendFailed(error, ValueError(error.message))
        for f, frame_params, output in zip(chunk, params, chunk_outputs, strict=True):
            yield f, finish_frame(plan, settings, state, checked_output(output, f, plan), frame_params)
    if batches.error is not None:
        raise batches.error
    if batches.stopped:
        raise RenderStopped


class _Batches:
    """The batches to generate, prepared lazily in frame order; remembers what was handed out and not yet
    finished (``waiting``), and ends early on a stop request or a frame that cannot be prepared (``error``,
    raised once the batches before it are written)."""

    def __init__(self, plan: RenderPlan, settings: RenderSettings, state: PipelineState, first: int, size: int,
                 inputs: Iterator[np.ndarray] | None, stop_requested: Callable[[], bool]) -> None:
        self.plan, self.settings, self.state = plan, settings, state
        self.first, self.size, self.inputs = first, size, inputs
        self.stop_requested = stop_requested
        self.waiting: deque[tuple[range, list[FrameParams]]] = deque()
        self.stopped = False
        self.error: Exception | None = None

    def __iter__(self) -> Iterator[tuple[list[np.ndarray], list[FrameParams]]]:
        plan, size = self.plan, self.size
        frame = self.first
        while frame < plan.end:
            if self.stop_requested():
                self.stopped = True
                return
            boundary = plan.start + ((frame - plan.start) // size + 1) * size
            chunk = range(frame, min(boundary, plan.end))
            try:
                prepared = [prepare_frame(plan, self.settings, self.state, f, next(self.inputs)) for f in chunk]
            except Exception as exc:  # noqa: BLE001 - raised by produce_frames after the earlier batches
                self.error = exc
                return
            self.waiting.append((chunk, [params for _, params in prepared]))
            yield [image for image, _ in prepared], [params for _, params in prepared]
            frame = chunk.stop
