"""Frames out of the pipeline in order, several per backend call where no frame depends on another's output.

A vid2vid frame depends on earlier outputs only through loopback blending (``loopback_frames`` > 1) and the
colour window (``cc_window_width`` ≠ 0). Without both, consecutive frames are independent: they are prepared
(steps 1-6 of the pipeline), generated together by a backend that offers ``generate_batch``, and finished
and yielded in frame order, so writing, checkpoints, resume and stop work exactly as one frame at a time.
Batches start at fixed frames (the render's first frame plus multiples of the batch size) and checkpoints
fall on those frames, so a resumed render makes the same calls, and the same frames, as an uninterrupted one.
Loopback (init image) renders stay one frame at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
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


def batch_size(plan: RenderPlan, backend: Backend) -> int:
    """How many frames to generate per call: the backend's ``max_batch`` when frames are independent, else 1."""
    independent = (plan.video is not None and not plan.hybrid and plan.diffused.every_frame and plan.history_size == 1
                   and plan.cc_width == 0)
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
    size = batch_size(plan, backend)
    frame = first
    while frame < plan.end:
        if stop_requested():
            raise RenderStopped
        if size == 1:
            yield frame, single(frame)
            frame += 1
            continue
        boundary = plan.start + ((frame - plan.start) // size + 1) * size
        chunk = range(frame, min(boundary, plan.end))
        prepared = [prepare_frame(plan, settings, state, f, next(inputs)) for f in chunk]
        with backend_failures(frame):
            outputs = list(backend.generate_batch([image for image, _ in prepared], [p for _, p in prepared]))
        if len(outputs) != len(prepared):
            error = RenderError(f"the backend returned {len(outputs)} images for {len(prepared)} frames", frame=frame)
            raise BackendFailed(error, ValueError(error.message))
        for f, (_, params), output in zip(chunk, prepared, outputs, strict=True):
            yield f, finish_frame(plan, settings, state, checked_output(output, f, plan), params)
        frame = chunk.stop
