"""The per-frame pipeline: one frame from its input to the image written to the video.

Per frame, in this order: take the input (the next video frame, or the previous output in loopback) →
resize to the output size → blend earlier outputs into it → [hybrid composite "before"] → warp (zoom, pan,
rotation, 3D, perspective flip) → [hybrid motion from the video, hybrid composite "normal"] → colour
coherence → greyscale → contrast → anti-blur → noise → the backend → [hybrid composite "after"] →
optional overlay. Video input uses each frame's absolute motion; loopback applies the motion from the frame
whose output it continues (the previous frame, or the previous diffused frame under cadence), so the
accumulated motion at frame f is exactly frame f's absolute value. Which frames reach the backend under
diffusion cadence is decided in ``render.cadence``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from lib_parseq.errors import RenderError
from lib_parseq.frames import (
    ColourCoherence,
    ColourWindow,
    FrameHistory,
    apply_contrast,
    apply_noise,
    blend_frames,
    delta_matrix,
    draw_overlay,
    fit_to_size,
    to_greyscale,
    unsharp_mask,
    warp_image,
)
from lib_parseq.render.backend import Backend
from lib_parseq.render.genesis import SUCCESSIVE, embryo_frame, save_embryo, saved_embryo
from lib_parseq.render.hybrid import HybridGuide, hybrid_composite_step, hybrid_motion_step
from lib_parseq.render.params import FrameParams, frame_params
from lib_parseq.render.plan import MAX_BLEND_FRAMES, RenderPlan
from lib_parseq.render.settings import RenderSettings
from lib_parseq.render.state import Checkpoint


@dataclass
class PipelineState:
    """What one frame hands to the next: recent outputs (blend, loopback) and the colour coherence."""

    history: FrameHistory
    colour: ColourCoherence
    embryo: np.ndarray | None = None  # embryo genesis: the common image every frame starts from

    @classmethod
    def for_plan(cls, plan: RenderPlan, settings: RenderSettings) -> PipelineState:
        window = ColourWindow(plan.cc_width, plan.cc_rate)
        enabled = window.enabled if settings.colour_source == "window" else True
        colour = ColourCoherence(window, space=settings.colour_space, source=settings.colour_source,
                                 every=settings.colour_every, enabled=enabled)
        return cls(FrameHistory(plan.history_size), colour)

    def checkpoint(self, next_frame: int, plan: RenderPlan) -> Checkpoint:
        return Checkpoint(next_frame, plan.fingerprint, list(self.history), self.colour.state(),
                          self.colour.input_hist, self.colour.pending_snapshot())


class RenderStopped(Exception):
    """Stop the render cleanly. A backend may raise it from ``generate`` to stop without writing that frame:
    the video keeps every earlier frame and the render can be resumed from there."""


class BackendFailed(Exception):
    def __init__(self, error: RenderError, cause: BaseException) -> None:
        super().__init__(str(error))
        self.error = error
        self.cause = cause


def render_frame(plan: RenderPlan, settings: RenderSettings, state: PipelineState, backend: Backend,
                 frame: int, source: np.ndarray | None, *, previous: int | None = None,
                 guide: HybridGuide | None = None) -> np.ndarray:
    """Render one frame through the whole pipeline; returns the image to write (overlay included).

    ``source`` is the vid2vid input frame (None in loopback and hybrid); ``previous`` the frame whose output
    the loopback continues (default ``frame − 1``); ``guide`` the hybrid video frames.
    """
    image, params = prepare_frame(plan, settings, state, frame, source, previous=previous, guide=guide)
    # 7. The backend (img2img, or the dry run).
    output = generate_output(backend, image, params, plan)
    return finish_frame(plan, settings, state, output, params, guide=guide)


def prepare_frame(plan: RenderPlan, settings: RenderSettings, state: PipelineState, frame: int,
                  source: np.ndarray | None, *, previous: int | None = None,
                  guide: HybridGuide | None = None) -> tuple[np.ndarray, FrameParams]:
    """Steps 1-6: the backend's input image for ``frame`` and the frame's parameters."""
    entry = plan.frames[frame]
    params = frame_params(entry, frame)
    values = params.values
    index = frame - plan.start
    noise = values.get("noise", 0.0)
    needs_rng = noise > 0 or settings.border == "noise"
    rng = np.random.default_rng([max(params.seed, 0) & 0xFFFFFFFF, frame]) if needs_rng else None
    hybrid = settings.hybrid if guide is not None else None

    # 1. Input: the next video frame, or the previous output (the init image for the first loopback frame);
    #    with fixed or embryo genesis, the init image or the embryo every time.
    fixed_start = source is None and plan.genesis != SUCCESSIVE
    looping_back = source is None and len(state.history) > 0 and not fixed_start
    if fixed_start:
        image = state.embryo if state.embryo is not None else plan.init_image
    else:
        image = source if source is not None else (state.history.latest() if looping_back else plan.init_image)
    # 2. Resize to the output size.
    image = fit_to_size(image, plan.width, plan.height)
    if index == 0 and plan.cc_use_input and state.colour.input_hist is None:
        state.colour.input_hist = state.colour.histogram(image)
    # 3. Blend earlier outputs in (loopback_frames counts the input itself).
    blend_count = int(min(max(round(values.get("loopback_frames", 1.0)), 1), MAX_BLEND_FRAMES))
    if blend_count > 1:
        earlier = state.history.recent(blend_count - 1, skip=1 if looping_back else 0)
        image = blend_frames([image, *earlier], values.get("loopback_decay", 0.25))
    if hybrid is not None and hybrid.composite == "before" and looping_back:
        image = hybrid_composite_step(image, guide, hybrid, values)
    # 4. Warp: absolute motion for video input and a fixed start, the step from the continued frame in loopback.
    matrix = frame_matrix(plan, frame, frame - 1 if previous is None else previous,
                          video_input=source is not None or fixed_start)
    image = warp_image(image, matrix, border=settings.border, interpolation=settings.interpolation, rng=rng)
    # 4b. Hybrid video: the video's own motion, then the video frame composited in.
    if hybrid is not None and looping_back:
        image = hybrid_motion_step(image, guide, hybrid, values, border=settings.border,
                                   interpolation=settings.interpolation, frame=frame, notes=plan.warnings)
        if hybrid.composite == "normal":
            image = hybrid_composite_step(image, guide, hybrid, values)
    # 5. Colour coherence (window of outputs, first output, or the video frame), then greyscale.
    image = state.colour.apply(image, state.colour.target(index, frame, guide.current if guide else None))
    if settings.greyscale:
        image = to_greyscale(image)
    # 6. Contrast, anti-blur and noise, as scheduled.
    image = apply_contrast(image, values.get("contrast", 1.0))
    image = unsharp_mask(image, values.get("antiblur_kernel", 5.0), values.get("antiblur_sigma", 1.0),
                         values.get("antiblur_amount", 0.0), values.get("antiblur_threshold", 0.0))
    if rng is not None:
        image = apply_noise(image, noise, rng)
    return image, params


def finish_frame(plan: RenderPlan, settings: RenderSettings, state: PipelineState, output: np.ndarray,
                 params: FrameParams, *, guide: HybridGuide | None = None) -> np.ndarray:
    """After the backend: hybrid's late composite and greyscale, remember the output (loopback, colour), and
    return the image to write (step 8)."""
    hybrid = settings.hybrid if guide is not None else None
    if hybrid is not None and hybrid.composite == "after":
        output = hybrid_composite_step(output, guide, hybrid, params.values)
    if settings.greyscale:
        output = to_greyscale(output)
    state.history.push(output)
    state.colour.add(output, params.frame)
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
        "rotation_3d_z", "perspective_flip_theta", "perspective_flip_phi", "perspective_flip_gamma", "panx",
        "pany", "rotx", "roty", "rotz", "loopback_frames", "loopback_decay", "contrast", "noise",
        "antiblur_amount", "hybrid_comp_alpha", "hybrid_flow_factor") if name in v]
    for start in range(0, len(motion), 4):
        lines.append("  ".join(motion[start : start + 4]))
    if params.prompt:
        lines.append(params.prompt[:60] + ("..." if len(params.prompt) > 60 else ""))
    return lines


def make_embryo(plan: RenderPlan, backend: Backend, *, resume: bool, keep: bool) -> np.ndarray:
    """Embryo genesis: the middle frame's parameters diffused from the init image (``render.genesis``); on resume
    the one the stopped run saved. Backends that show or save frames make it with ``generate_embryo``."""
    if resume and (saved := saved_embryo(plan.work)) is not None:
        return saved
    frame = embryo_frame(plan.start, plan.end)
    params = frame_params(plan.frames[frame], frame)
    make = getattr(backend, "generate_embryo", backend.generate)
    with backend_failures(frame):
        output = make(fit_to_size(plan.init_image, plan.width, plan.height), params)
    embryo = checked_output(output, frame, plan)
    if keep:
        save_embryo(plan.work, embryo)
    return embryo


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


def frame_matrix(plan: RenderPlan, frame: int, previous: int, *, video_input: bool) -> np.ndarray:
    """The warp of ``frame``: its absolute motion (video input), or the step from ``previous``'s position."""
    def absolute(f: int) -> np.ndarray:
        try:
            return plan.absolute_motion(f)
        except ValueError as exc:
            raise RenderError(f"the motion at frame {f} cannot be applied: {exc}", frame=f) from exc

    current = absolute(frame)
    if video_input:
        return current
    try:
        before = absolute(previous) if previous >= 0 else None
        return delta_matrix(before, current)
    except ValueError as exc:
        raise RenderError(f"the motion at frame {previous} cannot be continued in loopback: {exc}",
                          frame=previous) from exc
