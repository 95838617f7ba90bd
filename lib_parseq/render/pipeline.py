"""The per-frame pipeline: one frame from its input to the image written to the video.

Per frame, in this order: take the input (the next video frame, or the previous output in loopback) →
resize to the output size → blend earlier outputs into it → warp (zoom, pan, rotation, 3D) → match the
colour window → contrast and noise → the backend → optional overlay. Video input uses each frame's absolute
motion; loopback applies the motion between consecutive frames, so the accumulated motion at frame f is
exactly frame f's absolute value.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from lib_parseq.errors import RenderError
from lib_parseq.frames import (
    ColourWindow,
    FrameHistory,
    apply_contrast,
    apply_noise,
    blend_frames,
    delta_matrix,
    draw_overlay,
    fit_to_size,
    lab_histogram,
    match_lab_histogram,
    motion_matrix,
    warp_image,
)
from lib_parseq.render.backend import Backend
from lib_parseq.render.motion import frame_motion
from lib_parseq.render.params import FrameParams, frame_params, numeric_values
from lib_parseq.render.plan import MAX_BLEND_FRAMES, RenderPlan
from lib_parseq.render.settings import RenderSettings
from lib_parseq.render.state import Checkpoint

WINDOW_HISTOGRAM_STRIDE = 2


@dataclass
class PipelineState:
    """What one frame hands to the next: recent outputs (blend, loopback) and the colour window."""

    history: FrameHistory
    colour: ColourWindow

    def checkpoint(self, next_frame: int, plan: RenderPlan) -> Checkpoint:
        return Checkpoint(next_frame, plan.fingerprint, list(self.history), self.colour.state(),
                          self.colour.input_hist)


class RenderStopped(Exception):
    """Stop the render cleanly. A backend may raise it from ``generate`` to stop without writing that frame:
    the video keeps every earlier frame and the render can be resumed from there."""


class BackendFailed(Exception):
    def __init__(self, error: RenderError, cause: BaseException) -> None:
        super().__init__(str(error))
        self.error = error
        self.cause = cause


def render_frame(plan: RenderPlan, settings: RenderSettings, state: PipelineState, backend: Backend,
                 frame: int, source: np.ndarray | None) -> np.ndarray:
    """Render one frame through the whole pipeline; returns the image to write (overlay included)."""
    image, params = prepare_frame(plan, settings, state, frame, source)
    # 7. The backend (img2img, or the dry run).
    output = generate_output(backend, image, params, plan)
    return finish_frame(plan, settings, state, output, params)


def prepare_frame(plan: RenderPlan, settings: RenderSettings, state: PipelineState, frame: int,
                  source: np.ndarray | None) -> tuple[np.ndarray, FrameParams]:
    """Steps 1-6: the backend's input image for ``frame`` and the frame's parameters."""
    entry = plan.frames[frame]
    params = frame_params(entry, frame)
    values = params.values
    index = frame - plan.start
    noise = values.get("noise", 0.0)
    needs_rng = noise > 0 or settings.border == "noise"
    rng = np.random.default_rng([max(params.seed, 0) & 0xFFFFFFFF, frame]) if needs_rng else None

    # 1. Input: the next video frame, or the previous output (the init image for the first loopback frame).
    looping_back = source is None and len(state.history) > 0
    image = source if source is not None else (state.history.latest() if looping_back else plan.init_image)
    # 2. Resize to the output size.
    image = fit_to_size(image, plan.width, plan.height)
    if index == 0 and plan.cc_use_input and state.colour.input_hist is None:
        state.colour.input_hist = lab_histogram(image, stride=WINDOW_HISTOGRAM_STRIDE)
    # 3. Blend earlier outputs in (loopback_frames counts the input itself).
    blend_count = int(min(max(round(values.get("loopback_frames", 1.0)), 1), MAX_BLEND_FRAMES))
    if blend_count > 1:
        earlier = state.history.recent(blend_count - 1, skip=1 if looping_back else 0)
        image = blend_frames([image, *earlier], values.get("loopback_decay", 0.25))
    # 4. Warp: absolute motion for video input, the step from the previous frame in loopback.
    image = warp_image(image, _frame_matrix(plan, frame, video_input=plan.video is not None),
                       border=settings.border, interpolation=settings.interpolation, rng=rng)
    # 5. Colour: match the LAB histogram of the window of earlier outputs.
    target = state.colour.target(index)
    if target is not None:
        image = match_lab_histogram(image, target)
    # 6. Contrast and noise, as scheduled.
    image = apply_contrast(image, values.get("contrast", 1.0))
    if rng is not None:
        image = apply_noise(image, noise, rng)
    return image, params


def finish_frame(plan: RenderPlan, settings: RenderSettings, state: PipelineState, output: np.ndarray,
                 params: FrameParams) -> np.ndarray:
    """Remember the backend's output (loopback, colour window) and return the image to write (step 8)."""
    state.history.push(output)
    if state.colour.enabled:
        state.colour.add(lab_histogram(output, stride=WINDOW_HISTOGRAM_STRIDE))
    # 8. Overlay (on the written frame only; loopback continues from the clean output).
    index = params.frame - plan.start
    return draw_overlay(output, overlay_lines(params, plan.total, index)) if settings.overlay else output


def overlay_lines(params: FrameParams, total: int, index: int) -> list[str]:
    """The overlay text: frame, generation parameters, motion fields present, the prompt's start."""
    v = params.values
    lines = [f"frame {params.frame} ({index + 1}/{total})",
             f"seed {params.seed}  cfg {params.cfg_scale:g}  denoise {params.denoising_strength:.3g}"]
    motion = [f"{name} {v[name]:.4g}" for name in (
        "zoom", "angle", "translation_x", "translation_y", "translation_z", "rotation_3d_x", "rotation_3d_y",
        "rotation_3d_z", "panx", "pany", "rotx", "roty", "rotz", "loopback_frames", "loopback_decay",
        "contrast", "noise") if name in v]
    for start in range(0, len(motion), 4):
        lines.append("  ".join(motion[start : start + 4]))
    if params.prompt:
        lines.append(params.prompt[:60] + ("..." if len(params.prompt) > 60 else ""))
    return lines


def generate_output(backend: Backend, image: np.ndarray, params: FrameParams, plan: RenderPlan) -> np.ndarray:
    with backend_failures(params.frame):
        output = backend.generate(image, params)
    return checked_output(output, params.frame, plan)


@contextmanager
def backend_failures(frame: int) -> Iterator[None]:
    """Any backend failure becomes one clear error for ``frame`` (a backend's own RenderError keeps its words)."""
    try:
        yield
    except (KeyboardInterrupt, RenderStopped):
        raise
    except RenderError as exc:
        raise BackendFailed(exc.located(frame=frame), exc) from exc
    except Exception as exc:  # noqa: BLE001 - any backend failure becomes one clear error for this frame
        error = RenderError(f"the backend failed on frame {frame}: {type(exc).__name__}: {exc}", frame=frame)
        raise BackendFailed(error, exc) from exc


def checked_output(output: np.ndarray, frame: int, plan: RenderPlan) -> np.ndarray:
    """The backend's output as uint8 RGB of the output size, or a clear error naming the frame."""
    output = np.asarray(output)
    if output.ndim != 3 or output.shape[2] < 3 or output.dtype != np.uint8:
        error = RenderError(f"the backend returned an image of shape {output.shape} {output.dtype}; "
                            "expected uint8 RGB (H, W, 3)", frame=frame)
        raise BackendFailed(error, TypeError(error.message))
    return fit_to_size(np.ascontiguousarray(output[:, :, :3]), plan.width, plan.height)


def _frame_matrix(plan: RenderPlan, frame: int, *, video_input: bool) -> np.ndarray:
    def absolute(f: int) -> np.ndarray:
        values = numeric_values(plan.frames[f])
        return motion_matrix(plan.width, plan.height, frame_motion(values, plan.vocabulary, plan.width,
                                                                   plan.height))

    current = absolute(frame)
    if video_input:
        return current
    try:
        return delta_matrix(absolute(frame - 1) if frame > 0 else None, current)
    except ValueError as exc:
        raise RenderError(f"the motion at frame {frame - 1} cannot be continued in loopback: {exc}",
                          frame=frame - 1) from exc
