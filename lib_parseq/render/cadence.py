"""Diffusion cadence in the render loop: frames come out in order, the backend makes those planned
(``render.cadence_plan``: every Nth, or as a keyframed cadence walks).

``CadenceFrames.frame(f)`` returns the image to write for frame f. A diffused frame goes through the whole
pipeline (``render_frame``) continuing the output of the previous diffused frame, with the camera motion
accumulated since then. An in-between first needs the *next* diffused frame, so that one is made early and
held until its turn; the in-between is the cross-fade of both outputs warped to its own camera position
(``lib_parseq.frames.cadence``). Frames after the range's last diffused frame continue it with camera motion.

Resuming: backend outputs are the only images pushed to the history, and the next diffused frame is made
exactly when the first in-between after a diffused frame is asked for. So a checkpoint taken before frame f
holds, most recent first, the next diffused output and the previous one when f − 1 is an in-between, or
just the previous one when f − 1 was diffused — ``CadenceFrames`` rebuilds its place from that (the history
keeps at least two outputs under cadence). Hybrid video frames are read ahead and kept only while needed.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lib_parseq.errors import RenderError
from lib_parseq.frames import draw_overlay, warp_image
from lib_parseq.frames.cadence import flow_tween, tween, tween_weight
from lib_parseq.render.backend import Backend
from lib_parseq.render.hybrid import HybridGuide
from lib_parseq.render.params import frame_params
from lib_parseq.render.pipeline import PipelineState, frame_matrix, overlay_lines, render_frame
from lib_parseq.render.plan import RenderPlan
from lib_parseq.render.settings import RenderSettings
from lib_parseq.schedules.fields import field_default


def first_video_frame(plan: RenderPlan, first: int) -> int:
    """The first input-video frame a render resumed at ``first`` needs (hybrid reads the previous diffused one)."""
    if not plan.hybrid or first == plan.start:
        return first
    return plan.diffused.at_or_before(first - 1)


class CadenceFrames:
    """The frames of one render run, in order, under diffusion cadence (``plan.diffused``: which ones the
    backend makes; cadence 1 makes every frame)."""

    def __init__(self, plan: RenderPlan, settings: RenderSettings, state: PipelineState, backend: Backend,
                 inputs: Iterator[np.ndarray] | None, first: int) -> None:
        self.plan, self.settings, self.state, self.backend = plan, settings, state, backend
        self.inputs = inputs
        self.video: dict[int, np.ndarray] = {}
        self.next_video = first_video_frame(plan, first)
        self.anchor: tuple[int, np.ndarray] | None = None
        self.ahead: tuple[int, np.ndarray, np.ndarray] | None = None
        if first > plan.start:
            self._resume_at(first)

    def _resume_at(self, first: int) -> None:
        previous = self.plan.diffused.at_or_before(first - 1)
        outputs = list(self.state.history)
        if not outputs:
            raise RenderError(f"cannot resume at frame {first}: the saved state holds no output")
        following = self.plan.diffused.after(previous)
        if previous == first - 1 or following is None:
            self.anchor = (previous, outputs[0])
            return
        if len(outputs) < 2:
            raise RenderError(f"cannot resume at frame {first}: the saved state lacks diffused frame {previous}")
        self.anchor = (previous, outputs[1])
        self.ahead = (following, outputs[0], self._with_overlay(following, outputs[0]))

    def _video_frame(self, frame: int) -> np.ndarray:
        while self.next_video <= frame:
            if self.inputs is None:
                raise RenderError("no input video to read", frame=frame)
            self.video[self.next_video] = next(self.inputs)
            self.next_video += 1
        return self.video[frame]

    def _forget_video_before(self, frame: int) -> None:
        for old in [f for f in self.video if f < frame]:
            del self.video[old]

    def _diffuse(self, frame: int) -> tuple[np.ndarray, np.ndarray]:
        """Run the pipeline for a diffused frame: (clean output, written image)."""
        plan = self.plan
        previous = self.anchor[0] if self.anchor is not None else frame - 1
        source = guide = None
        if plan.video is not None and not plan.hybrid:
            source = self._video_frame(frame)
        elif plan.hybrid:
            guide = HybridGuide(self._video_frame(frame),
                                self._video_frame(previous) if previous >= plan.start else None)
        written = render_frame(plan, self.settings, self.state, self.backend, frame, source, previous=previous,
                               guide=guide)
        return self.state.history.latest(), written

    def frame(self, frame: int) -> np.ndarray:
        """The image to write for ``frame`` (frames must be asked for in order)."""
        plan = self.plan
        if frame in plan.diffused:
            if self.ahead is not None and self.ahead[0] == frame:
                _, output, written = self.ahead
                self.ahead = None
            else:
                output, written = self._diffuse(frame)
            self.anchor = (frame, output)
            self._forget_video_before(frame)
            return written
        previous, previous_output = self.anchor
        following = plan.diffused.after(previous)
        # Both matrices first: a motion error must not leave the next diffused output made but unwritten
        # (a checkpoint taken for that error would then hold a history the resume rule misreads).
        to_frame = frame_matrix(plan, frame, previous, video_input=False)
        back_to_frame = frame_matrix(plan, frame, following, video_input=False) if following is not None else None
        from_previous = self._warp(previous_output, to_frame, frame, previous)
        if following is None:
            image = from_previous
        else:
            if self.ahead is None:
                output, written = self._diffuse(following)
                self.ahead = (following, output, written)
            from_following = self._warp(self.ahead[1], back_to_frame, frame, following)
            weight = tween_weight(frame, previous, following)
            if self.settings.cadence_flow is not None:
                factor = float(frame_params(plan.frames[frame], frame).values.get(
                    "cadence_flow_factor", field_default("cadence_flow_factor")))
                image = flow_tween(from_previous, from_following, weight, method=self.settings.cadence_flow,
                                   factor=factor)
            else:
                image = tween(from_previous, from_following, weight)
        return self._with_overlay(frame, image)

    def _warp(self, image: np.ndarray, matrix: np.ndarray, frame: int, at: int) -> np.ndarray:
        rng = np.random.default_rng([frame, at]) if self.settings.border == "noise" else None
        return warp_image(image, matrix, border=self.settings.border, interpolation=self.settings.interpolation,
                          rng=rng)

    def _with_overlay(self, frame: int, image: np.ndarray) -> np.ndarray:
        if not self.settings.overlay:
            return image
        params = frame_params(self.plan.frames[frame], frame)
        return draw_overlay(image, overlay_lines(params, self.plan.total, frame - self.plan.start))
