"""The render loop: a manifest and an input (init image or video) in, a video out.

Per frame, in this order: take the input (the next video frame, or the previous output in loopback) →
resize to the output size → blend earlier outputs into it → warp (zoom, pan, rotation, 3D) → match the
colour window → contrast and noise → the backend → optional overlay → write (video, and the PNG copy that
makes the render resumable). Video input uses each frame's absolute motion; loopback applies the motion
between consecutive frames, so the accumulated motion at frame f is exactly frame f's absolute value.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

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
from lib_parseq.render.inputs import load_image, manifest_frames, option_flag, option_number
from lib_parseq.render.motion import detect_vocabulary, frame_motion
from lib_parseq.render.params import FrameParams, frame_params, numeric_values
from lib_parseq.render.settings import (
    BORDER_MODES,
    INTERPOLATIONS,
    RenderProgress,
    RenderResult,
    RenderSettings,
)
from lib_parseq.render.state import (
    Checkpoint,
    FrameStore,
    fingerprint,
    frame_file,
    frame_name,
    load_checkpoint,
    read_png,
    remove_work_folder,
    save_checkpoint,
    work_folder,
)
from lib_parseq.video import (
    EncoderError,
    VideoInfo,
    VideoReader,
    VideoWriter,
    make_gif,
    mux_audio,
    probe_video,
)
from lib_parseq.video.paths import check_writable_folder, resolve_output_path

DEFAULT_FPS = 20.0
MAX_BLEND_FRAMES = 64
WINDOW_HISTOGRAM_STRIDE = 2
VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv")
ProgressCallback = Callable[[RenderProgress], None]


@dataclass
class RenderPlan:
    """Everything decided before the first frame: inputs, size, range, paths, pipeline options."""

    frames: list[Mapping[str, Any]]
    width: int
    height: int
    fps: float
    start: int
    end: int
    vocabulary: str
    init_image: np.ndarray | None
    video: VideoInfo | None
    video_path: Path
    work: Path
    frames_dir: Path | None
    cc_width: int
    cc_rate: float
    cc_use_input: bool
    history_size: int
    fingerprint: str
    gif_path: Path | None = None
    webm_path: Path | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.end - self.start


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


def render(
    manifest: Mapping[str, Any],
    settings: RenderSettings,
    backend: Backend,
    *,
    init_image: np.ndarray | str | Path | None = None,
    video_path: str | Path | None = None,
    progress: ProgressCallback | None = None,
) -> RenderResult:
    """Render ``manifest`` from an init image (loopback) or a video (vid2vid) through ``backend``.

    Returns a RenderResult (``interrupted`` when stopped early; the video then holds every finished frame).
    Failures raise RenderError with ``.result`` set when frames were kept.
    """
    plan = plan_render(manifest, settings, init_image=init_image, video_path=video_path)
    return run_plan(plan, settings, backend, progress=progress)


def plan_render(
    manifest: Mapping[str, Any],
    settings: RenderSettings,
    *,
    init_image: np.ndarray | str | Path | None = None,
    video_path: str | Path | None = None,
) -> RenderPlan:
    """Check inputs and settings and decide size, range and paths (every user error surfaces here)."""
    if settings.border not in BORDER_MODES:
        raise RenderError(f"unknown border mode {settings.border!r}; expected one of {', '.join(BORDER_MODES)}")
    if settings.interpolation not in INTERPOLATIONS:
        raise RenderError(f"unknown interpolation {settings.interpolation!r}")
    if (init_image is None) == (video_path is None):
        raise RenderError("give exactly one input: an init image (loopback) or a video (vid2vid)")
    frames = manifest_frames(manifest)
    options = manifest.get("options") if isinstance(manifest.get("options"), Mapping) else {}
    fps = float(settings.fps or option_number(options, "output_fps") or DEFAULT_FPS)
    if fps <= 0:
        raise RenderError(f"fps must be positive, got {fps:g}")
    warnings: list[str] = []

    image = video = None
    if video_path is not None:
        video = probe_video(video_path, fps=settings.input_fps or fps)
        source_size = (video.width, video.height)
    else:
        image = load_image(init_image)
        source_size = (image.shape[1], image.shape[0])
    width, height = _output_size(settings.size, source_size)
    start, end = _frame_range(settings.frames, len(frames), video, fps, warnings)

    vocabulary = detect_vocabulary(frames[0].keys(), settings.vocabulary)
    cc_width = settings.cc_window_width
    if cc_width is None:
        cc_width = int(option_number(options, "cc_window_width") or 0)
    cc_rate = settings.cc_window_slide_rate
    if cc_rate is None:
        cc_rate = option_number(options, "cc_window_slide_rate")
        cc_rate = 1.0 if cc_rate is None else cc_rate
    cc_use_input = option_flag(options, "cc_use_input") if settings.cc_use_input is None else settings.cc_use_input
    if cc_width < -1:
        raise RenderError(f"cc_window_width must be -1 (all outputs), 0 (off) or positive, got {cc_width}")
    if cc_rate < 0:
        raise RenderError(f"cc_window_slide_rate must not be negative, got {cc_rate:g}")
    most_blended = max((numeric_values(f).get("loopback_frames", 1.0) for f in frames[start:end]), default=1.0)
    history_size = int(min(max(round(most_blended), 1), MAX_BLEND_FRAMES))

    video_out = resolve_output_path(settings.output, settings.output_dir,
                                    img2img_output_path=settings.img2img_output_path)
    if video_out.suffix.lower() not in VIDEO_SUFFIXES:
        raise RenderError(f"output {video_out.name} must end in one of {', '.join(VIDEO_SUFFIXES)}")
    check_writable_folder(video_out.parent)
    work = work_folder(video_out)
    frames_dir = Path(settings.save_frames).absolute() if settings.save_frames else None
    if frames_dir is None and settings.resumable:
        frames_dir = work / "frames"
    gif_path = video_out.with_suffix(".gif") if settings.gif else None
    webm_path = video_out.with_suffix(".webm") if settings.webm else None
    _check_existing(settings, video_out, work, gif_path, webm_path, settings.save_frames)
    if settings.save_frames:
        check_writable_folder(Path(settings.save_frames).absolute())

    source_id = _image_digest(image) if image is not None else f"{Path(video_path).resolve()}:{video.frame_count}"
    decisive = {
        "mode": "video" if video else "loopback", "source": source_id, "size": [width, height], "fps": fps,
        "input_fps": settings.input_fps, "start": start, "end": end, "vocabulary": vocabulary,
        "border": settings.border, "interpolation": settings.interpolation, "cc": [cc_width, cc_rate, cc_use_input],
        "overlay": settings.overlay, "crf": settings.crf, "preset": settings.preset, "webm": settings.webm,
        "frames_dir": str(frames_dir),
    }
    return RenderPlan(
        frames=frames, width=width, height=height, fps=fps, start=start, end=end, vocabulary=vocabulary,
        init_image=image, video=video, video_path=video_out, work=work, frames_dir=frames_dir,
        cc_width=cc_width, cc_rate=cc_rate, cc_use_input=cc_use_input, history_size=history_size,
        fingerprint=fingerprint(itertools.islice(frames, start, end), decisive), gif_path=gif_path, webm_path=webm_path,
        warnings=warnings,
    )


def run_plan(plan: RenderPlan, settings: RenderSettings, backend: Backend, *,
             progress: ProgressCallback | None = None) -> RenderResult:
    """Run a planned render to the end, a stop request, or a failure (see ``render``)."""
    state = PipelineState(FrameHistory(plan.history_size), ColourWindow(plan.cc_width, plan.cc_rate))
    first = plan.start
    if settings.resume:
        first = _restore(plan, state)
    writer = VideoWriter(plan.video_path, plan.width, plan.height, plan.fps, crf=settings.crf,
                         preset=settings.preset, webm_path=plan.webm_path)
    store = FrameStore(plan.frames_dir) if plan.frames_dir else None
    committed = first
    interrupted = False
    started = time.perf_counter()
    try:
        with _stop_requests(backend, settings.handle_sigint) as stop_requested:
            _replay_saved_frames(plan, writer, first)
            with _input_frames(plan, first) as inputs:
                for frame in range(first, plan.end):
                    if stop_requested():
                        raise RenderStopped
                    source = next(inputs) if inputs is not None else None
                    written = render_frame(plan, settings, state, backend, frame, source)
                    if store is not None:
                        store.submit(frame, written)
                    committed = frame + 1
                    writer.write(written)
                    if store is not None and (committed - plan.start) % max(settings.checkpoint_every, 1) == 0:
                        store.flush()
                        save_checkpoint(plan.work, state.checkpoint(committed, plan))
                    if progress is not None:
                        progress(RenderProgress(frame, committed - plan.start, plan.total,
                                                time.perf_counter() - started, writer.pid))
        writer.close()
    except RenderStopped:
        interrupted = True
        _finish_stopped(plan, state, store, writer, committed)
    except KeyboardInterrupt:
        interrupted = True
        _close_quietly(writer, store)
    except EncoderError as exc:
        raise _encoder_failure(plan, settings, state, store, writer, committed, exc) from exc
    except _BackendFailed as exc:
        raise _kept_failure(plan, state, store, writer, committed, exc.error, checkpoint=True) from exc.cause
    except RenderError as exc:
        raise _kept_failure(plan, state, store, writer, committed, exc, checkpoint=exc.frame is not None) from exc
    except OSError as exc:
        error = RenderError(f"cannot write the render output: {exc.strerror or exc}", frame=committed)
        raise _kept_failure(plan, state, store, writer, committed, error, checkpoint=False) from exc
    except Exception as exc:  # noqa: BLE001 - whatever went wrong, finalise the video and say where
        error = RenderError(f"unexpected failure at frame {committed}: {type(exc).__name__}: {exc}",
                            frame=committed)
        raise _kept_failure(plan, state, store, writer, committed, error, checkpoint=False) from exc
    if store is not None:
        store.close()
    result = _result(plan, committed, interrupted)
    if interrupted:
        return result
    _finish_outputs(plan, settings, result)
    if plan.frames_dir is not None and settings.save_frames:
        result.frame_files = [frame_file(plan.frames_dir, f) for f in range(plan.start, plan.end)]
    remove_work_folder(plan.work)
    return result


def render_frame(plan: RenderPlan, settings: RenderSettings, state: PipelineState, backend: Backend,
                 frame: int, source: np.ndarray | None) -> np.ndarray:
    """Render one frame through the whole pipeline; returns the image to write (overlay included)."""
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
    # 7. The backend (img2img, or the dry run).
    output = _generate(backend, image, params, plan)
    state.history.push(output)
    if state.colour.enabled:
        state.colour.add(lab_histogram(output, stride=WINDOW_HISTOGRAM_STRIDE))
    # 8. Overlay (on the written frame only; loopback continues from the clean output).
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


class _BackendFailed(Exception):
    def __init__(self, error: RenderError, cause: BaseException) -> None:
        super().__init__(str(error))
        self.error = error
        self.cause = cause


def _generate(backend: Backend, image: np.ndarray, params: FrameParams, plan: RenderPlan) -> np.ndarray:
    try:
        output = backend.generate(image, params)
    except (KeyboardInterrupt, RenderStopped):
        raise
    except Exception as exc:  # noqa: BLE001 - any backend failure becomes one clear error for this frame
        error = RenderError(f"the backend failed on frame {params.frame}: {type(exc).__name__}: {exc}",
                            frame=params.frame)
        raise _BackendFailed(error, exc) from exc
    output = np.asarray(output)
    if output.ndim != 3 or output.shape[2] < 3 or output.dtype != np.uint8:
        error = RenderError(f"the backend returned an image of shape {output.shape} {output.dtype}; "
                            "expected uint8 RGB (H, W, 3)", frame=params.frame)
        raise _BackendFailed(error, TypeError(error.message))
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


def _output_size(size: tuple[int, int] | None, source: tuple[int, int]) -> tuple[int, int]:
    if size is not None:
        width, height = (int(v) for v in size)
        if width < 2 or height < 2 or width % 2 or height % 2:
            raise RenderError(f"output size {width}x{height} must be even numbers of at least 2 (H.264 yuv420p)")
        return width, height
    width, height = source
    return max(2, width - width % 2), max(2, height - height % 2)


def _frame_range(requested: tuple[int | None, int | None] | None, count: int, video: VideoInfo | None,
                 fps: float, warnings: list[str]) -> tuple[int, int]:
    start, end = (requested or (None, None))
    start = 0 if start is None else int(start)
    end = count if end is None else int(end)
    if not 0 <= start < end <= count:
        raise RenderError(f"frame range {start}:{end} is outside the manifest's frames 0:{count}")
    if video is None:
        return start, end
    available = video.frame_count
    if requested is None and count < available:
        raise RenderError(
            f"the manifest has {count} frames but the video {video.path.name} has {available} frames at "
            f"{fps:g} fps: extend the manifest, trim the video, or choose frames with --frames 0:{count}")
    if start >= available:
        raise RenderError(f"the video {video.path.name} has only {available} frames at {fps:g} fps; "
                          f"frame {start} does not exist")
    if end > available:
        warnings.append(f"the video has {available} frames at {fps:g} fps; rendering frames {start}:{available}")
        end = available
    return start, end


def _check_existing(settings: RenderSettings, video: Path, work: Path, gif: Path | None, webm: Path | None,
                    save_frames: Path | None) -> None:
    if settings.resume:
        if not (work / "checkpoint.json").is_file():
            raise RenderError(f"nothing to resume for {video}: no saved state in {work}")
        return
    if settings.overwrite:
        remove_work_folder(work)
        return
    for path in (video, gif, webm):
        if path is not None and path.exists():
            hint = " (or --resume to continue the interrupted render)" if work.is_dir() else ""
            raise RenderError(f"{path} already exists; pass --overwrite to replace it{hint}")
    if save_frames is not None and Path(save_frames).is_dir() and any(Path(save_frames).glob("frame_*.png")):
        raise RenderError(f"{save_frames} already holds frames; pass --overwrite to replace them")
    remove_work_folder(work)


def _image_digest(image: np.ndarray) -> str:
    return hashlib.sha256(image.tobytes() + str(image.shape).encode()).hexdigest()


def _restore(plan: RenderPlan, state: PipelineState) -> int:
    checkpoint = load_checkpoint(plan.work)
    if checkpoint.fingerprint != plan.fingerprint:
        raise RenderError(f"cannot resume {plan.video_path.name}: the manifest, input or settings differ from "
                          "the interrupted render (use the same command, or --overwrite to start again)")
    if not plan.start <= checkpoint.next_frame <= plan.end:
        raise RenderError(f"cannot resume: saved state is at frame {checkpoint.next_frame}, outside "
                          f"{plan.start}:{plan.end}")
    for image in reversed(checkpoint.history):
        state.history.push(image)
    state.colour.restore(checkpoint.colour)
    state.colour.input_hist = checkpoint.input_hist
    return checkpoint.next_frame


def _replay_saved_frames(plan: RenderPlan, writer: VideoWriter, first: int) -> None:
    """On resume, feed the frames already rendered (lossless PNGs) into the new video."""
    folder = str(plan.frames_dir) if plan.frames_dir else None
    for frame in range(plan.start, first):
        path = os.path.join(folder, frame_name(frame)) if folder else None
        if path is None or not os.path.isfile(path):
            raise RenderError(f"cannot resume: saved frame {frame} is missing ({path})")
        writer.write(read_png(path))


@contextmanager
def _input_frames(plan: RenderPlan, first: int) -> Iterator[Iterator[np.ndarray] | None]:
    if plan.video is None:
        yield None
        return
    with VideoReader(plan.video, skip=first) as reader:
        yield iter(reader)


@contextmanager
def _stop_requests(backend: Backend, handle_sigint: bool) -> Iterator[Callable[[], bool]]:
    """A "should we stop?" check: the backend's flag, or a first Ctrl-C (a second one interrupts at once)."""
    requested = threading.Event()
    install = handle_sigint and threading.current_thread() is threading.main_thread()
    previous = None

    def on_sigint(signum: int, frame: Any) -> None:
        if requested.is_set():
            raise KeyboardInterrupt
        requested.set()

    if install:
        previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield lambda: requested.is_set() or bool(backend.should_stop())
    finally:
        if install:
            signal.signal(signal.SIGINT, previous)


def _close_quietly(writer: VideoWriter, store: FrameStore | None) -> None:
    try:
        writer.close()
    except RenderError:
        pass
    if store is not None:
        store.close()


def _save_exact_checkpoint(plan: RenderPlan, state: PipelineState, store: FrameStore | None, frame: int) -> bool:
    if store is None:
        return False
    try:
        store.flush()
        save_checkpoint(plan.work, state.checkpoint(frame, plan))
    except (RenderError, OSError):
        return False
    return True


def _finish_stopped(plan: RenderPlan, state: PipelineState, store: FrameStore | None, writer: VideoWriter,
                    committed: int) -> None:
    _save_exact_checkpoint(plan, state, store, committed)
    _close_quietly(writer, store)


def _result(plan: RenderPlan, committed: int, interrupted: bool) -> RenderResult:
    return RenderResult(video_path=plan.video_path, frames_written=committed - plan.start, total_frames=plan.total,
                        interrupted=interrupted, state_dir=plan.work if interrupted else None,
                        warnings=list(plan.warnings), first_frame=plan.start)


def _kept_failure(plan: RenderPlan, state: PipelineState, store: FrameStore | None, writer: VideoWriter,
                  committed: int, error: RenderError, *, checkpoint: bool) -> RenderError:
    saved = checkpoint and _save_exact_checkpoint(plan, state, store, committed)
    closed = True
    try:
        writer.close()
    except RenderError:
        closed = False
    if store is not None:
        store.close()
    kept = f"{plan.video_path} holds the {committed - plan.start} finished frames" if closed else \
        f"the video {plan.video_path} could not be finalised"
    resume = "; run the same command with --resume to continue" if (saved or _has_checkpoint(plan)) else ""
    failure = RenderError(f"{error.message} ({kept}{resume})", frame=error.frame, path=error.path)
    failure.result = _result(plan, committed, True)
    return failure


def _has_checkpoint(plan: RenderPlan) -> bool:
    return (plan.work / "checkpoint.json").is_file()


def _encoder_failure(plan: RenderPlan, settings: RenderSettings, state: PipelineState, store: FrameStore | None,
                     writer: VideoWriter, committed: int, error: EncoderError) -> RenderError:
    """The encoder died: rebuild the video from the saved frames, keep the state, and explain."""
    writer.abort()
    saved = _save_exact_checkpoint(plan, state, store, committed)
    if store is not None:
        store.close()
    done = committed - plan.start
    if store is None:
        note = "the frames were not saved (resumable off), so the video may be unplayable"
    else:
        try:
            rebuilt = VideoWriter(plan.video_path, plan.width, plan.height, plan.fps, crf=settings.crf,
                                  preset=settings.preset)
            folder = str(plan.frames_dir)
            for frame in range(plan.start, committed):
                rebuilt.write(read_png(os.path.join(folder, frame_name(frame))))
            rebuilt.close()
            note = f"{plan.video_path} was rebuilt with the {done} finished frames"
        except RenderError as rebuild_error:
            note = f"the video could not be rebuilt ({rebuild_error.message}); the frames are in {plan.frames_dir}"
    resume = "; run the same command with --resume to continue" if saved else ""
    failure = RenderError(f"{error.message} ({note}{resume})", frame=committed)
    failure.result = _result(plan, committed, True)
    return failure


def _finish_outputs(plan: RenderPlan, settings: RenderSettings, result: RenderResult) -> None:
    if settings.audio is not None:
        start_s = plan.start / plan.fps
        mux_audio(plan.video_path, Path(settings.audio), start_s=start_s)
        if plan.webm_path is not None:
            mux_audio(plan.webm_path, Path(settings.audio), start_s=start_s)
    if plan.webm_path is not None:
        result.webm_path = plan.webm_path
    if plan.gif_path is not None:
        result.gif_path = make_gif(plan.video_path, plan.gif_path, plan.fps)


def settings_summary(settings: RenderSettings) -> dict[str, Any]:
    """The settings as plain JSON-able data (for logs and reproducibility files)."""
    return {key: (str(value) if isinstance(value, Path) else value) for key, value in asdict(settings).items()}
