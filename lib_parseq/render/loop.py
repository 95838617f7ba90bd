"""The render loop: a manifest and an input (init image or video) in, a video out.

``render`` plans (``plan``), then ``run_plan`` feeds each frame through the pipeline (``pipeline``) and writes
it (video, and the PNG copy that makes the render resumable); a stop or failure is finished by ``finish``.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from lib_parseq.errors import RenderError
from lib_parseq.render.backend import Backend
from lib_parseq.render.batching import batch_size, checkpoint_interval, produce_frames
from lib_parseq.render.cadence import CadenceFrames, first_video_frame
from lib_parseq.render.export import exporting
from lib_parseq.render.finish import (
    close_quietly,
    encoder_failure,
    finish_outputs,
    finish_stopped,
    kept_failure,
    render_result,
)
from lib_parseq.render.genesis import EMBRYO
from lib_parseq.render.pipeline import (
    BackendFailed,
    PipelineState,
    RenderStopped,
    make_embryo,
    overlay_lines,
    render_frame,
)
from lib_parseq.render.plan import RenderPlan, plan_render
from lib_parseq.render.segments import committer, open_segmented, other_mode_hint
from lib_parseq.render.settings import RenderProgress, RenderResult, RenderSettings, default_checkpoint_every
from lib_parseq.render.state import (
    Checkpoint,
    FrameStore,
    frame_file,
    frame_name,
    load_checkpoint,
    read_png,
    remove_work_folder,
)
from lib_parseq.video import EncoderError, VideoReader, VideoWriter

__all__ = ["RenderPlan", "RenderStopped", "overlay_lines", "plan_render", "render", "render_frame", "run_plan",
           "settings_summary"]

ProgressCallback = Callable[[RenderProgress], None]


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


def run_plan(plan: RenderPlan, settings: RenderSettings, backend: Backend, *,
             progress: ProgressCallback | None = None) -> RenderResult:
    """Run a planned render to the end, a stop request, or a failure (see ``render``)."""
    try:
        return _run(plan, settings, backend, progress)
    finally:
        plan.release()


def _run(plan: RenderPlan, settings: RenderSettings, backend: Backend,
         progress: ProgressCallback | None) -> RenderResult:
    state = PipelineState.for_plan(plan, settings)
    segmented = plan.resume_mode == "segments"  # resume state in the video's parts, not PNGs (render.segments)
    checkpoint = _restore(plan, state) if settings.resume else None
    first = plan.start if checkpoint is None else checkpoint.next_frame
    if checkpoint is not None and not segmented:
        _check_saved_frames(plan, first)
    if plan.genesis == EMBRYO and first < plan.end:
        try:
            state.embryo = make_embryo(plan, backend, resume=first > plan.start, keep=settings.resumable)
        except BackendFailed as exc:
            raise exc.error from exc.cause
        except RenderStopped as exc:
            raise RenderError("stopped while the embryo was being made: nothing was written") from exc
    video = open_segmented(plan, settings, checkpoint) if segmented else \
        VideoWriter(plan.encode_path, plan.width, plan.height, plan.fps, crf=settings.crf, preset=settings.preset,
                    webm_path=plan.encode_webm_path)
    writer = exporting(video, plan.total, settings.pick, settings.pad, seen=first - plan.start if segmented else 0)
    store = FrameStore(plan.frames_dir) if plan.frames_dir else None
    committed = plan.start  # frames in the video being written (the saved ones once replayed)
    saved_mark = 0
    every = checkpoint_interval(settings.checkpoint_every or default_checkpoint_every(plan.resume_mode),
                                batch_size(plan, settings, backend))
    interrupted = False
    started = time.perf_counter()
    try:
        with _stop_requests(backend, settings.handle_sigint) as stop_requested:
            if segmented and checkpoint is None:
                writer.cut(committer(plan, state.checkpoint(first, plan)))  # resumable from the first frame
            elif not segmented:
                _replay_saved_frames(plan, writer, first)
            committed = first
            with _input_frames(plan, first_video_frame(plan, first)) as inputs:
                frames = CadenceFrames(plan, settings, state, backend, inputs, first)
                for frame, written in produce_frames(plan, settings, state, backend, first, inputs, stop_requested,
                                                     frames.frame):
                    if store is not None:
                        store.submit(frame, written)
                    committed = frame + 1
                    writer.write(written)
                    if store is not None and (committed - plan.start) % every == 0:
                        # The previous checkpoint is long written by now: waiting for it costs nothing and
                        # reports a failed save within one checkpoint interval.
                        store.wait_for(saved_mark)
                        saved_mark = store.submit_checkpoint(plan.work, state.checkpoint(committed, plan))
                    elif segmented and (committed - plan.start) % every == 0:
                        writer.cut(committer(plan, state.checkpoint(committed, plan)))
                    if progress is not None:
                        progress(RenderProgress(frame, committed - plan.start, plan.total,
                                                time.perf_counter() - started, writer.pid))
        if store is not None:
            store.flush()  # every saved frame written (a failure on the last ones is still reported)
        writer.close()
    except RenderStopped:
        interrupted = True
        finish_stopped(plan, state, store, writer, committed, publish=committed >= first)
    except KeyboardInterrupt:
        interrupted = True
        close_quietly(plan, writer, store, publish=committed >= first)
    except EncoderError as exc:
        raise encoder_failure(plan, settings, state, store, writer, committed, exc,
                              publish=committed >= first) from exc
    except BackendFailed as exc:
        raise kept_failure(plan, state, store, writer, committed, exc.error, checkpoint=True) from exc.cause
    except RenderError as exc:
        raise kept_failure(plan, state, store, writer, committed, exc, checkpoint=exc.frame is not None,
                           publish=committed >= first) from exc
    except OSError as exc:
        error = RenderError(f"cannot write the render output: {exc.strerror or exc}", frame=committed)
        raise kept_failure(plan, state, store, writer, committed, error, checkpoint=False,
                           publish=committed >= first) from exc
    except Exception as exc:  # noqa: BLE001 - whatever went wrong, finalise the video and say where
        error = RenderError(f"unexpected failure at frame {committed}: {type(exc).__name__}: {exc}",
                            frame=committed)
        raise kept_failure(plan, state, store, writer, committed, error, checkpoint=False,
                           publish=committed >= first) from exc
    if store is not None:
        store.close()
    result = render_result(plan, committed, interrupted)
    if interrupted:
        return result
    try:
        plan.publish()
    except OSError as exc:
        raise RenderError(f"cannot move the resumed video over {plan.video_path}: {exc.strerror or exc} (it is "
                          f"complete in {plan.encode_path}; the old video was left as it was)") from exc
    finish_outputs(plan, settings, result)
    if plan.frames_dir is not None and settings.save_frames:
        result.frame_files = [frame_file(plan.frames_dir, f) for f in range(plan.start, plan.end)]
    remove_work_folder(plan.work)
    return result


def _restore(plan: RenderPlan, state: PipelineState) -> Checkpoint:
    checkpoint = load_checkpoint(plan.work)
    if checkpoint.fingerprint != plan.fingerprint:
        raise RenderError(f"cannot resume {plan.video_path.name}: the manifest, input or settings differ from "
                          f"the interrupted render (use the same command{other_mode_hint(plan, checkpoint)}, or "
                          "--overwrite to start again)")
    if not plan.start <= checkpoint.next_frame <= plan.end:
        raise RenderError(f"cannot resume: saved state is at frame {checkpoint.next_frame}, outside "
                          f"{plan.start}:{plan.end}")
    for image in reversed(checkpoint.history):
        state.history.push(image)
    state.colour.restore(checkpoint.colour)
    state.colour.input_hist = checkpoint.input_hist
    return checkpoint


def _check_saved_frames(plan: RenderPlan, first: int) -> None:
    """Before anything is written: every frame the resume will replay must be saved (else the video stays)."""
    folder = str(plan.frames_dir) if plan.frames_dir else None
    for frame in range(plan.start, first):
        path = os.path.join(folder, frame_name(frame)) if folder else None
        if path is None or not os.path.isfile(path) or os.path.getsize(path) == 0:
            raise RenderError(f"cannot resume {plan.video_path.name}: saved frame {frame} is missing ({path}); "
                              f"the video was left as it was (--overwrite starts again)")


def _replay_saved_frames(plan: RenderPlan, writer: VideoWriter, first: int) -> None:
    """On resume, feed the frames already rendered (lossless PNGs) into the new video."""
    folder = str(plan.frames_dir)
    for frame in range(plan.start, first):
        writer.write(read_png(os.path.join(folder, frame_name(frame))))


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


def settings_summary(settings: RenderSettings) -> dict[str, Any]:
    """The settings as plain JSON-able data (for logs and reproducibility files)."""
    return {key: (str(value) if isinstance(value, Path) else value) for key, value in asdict(settings).items()}
