"""How a render ends other than by finishing normally, and the outputs made after the last frame.

A stop or a failure always leaves the video finalised with every finished frame (or rebuilt from the saved
frames when the encoder died), saves an exact checkpoint where it can, and says in one error what was kept
and whether ``--resume`` will continue.
"""

from __future__ import annotations

import os
from pathlib import Path

from lib_parseq.errors import RenderError
from lib_parseq.render.export import exporting
from lib_parseq.render.pipeline import PipelineState
from lib_parseq.render.plan import RenderPlan
from lib_parseq.render.settings import RenderResult, RenderSettings
from lib_parseq.render.state import FrameStore, frame_name, read_png, save_checkpoint
from lib_parseq.video import EncoderError, VideoWriter, make_gif, mux_audio


def close_quietly(writer: VideoWriter, store: FrameStore | None) -> None:
    try:
        writer.close()
    except RenderError:
        pass
    if store is not None:
        store.close()


def save_exact_checkpoint(plan: RenderPlan, state: PipelineState, store: FrameStore | None, frame: int) -> bool:
    if store is None:
        return False
    try:
        store.flush()
        save_checkpoint(plan.work, state.checkpoint(frame, plan))
    except (RenderError, OSError):
        return False
    return True


def finish_stopped(plan: RenderPlan, state: PipelineState, store: FrameStore | None, writer: VideoWriter,
                    committed: int) -> None:
    save_exact_checkpoint(plan, state, store, committed)
    close_quietly(writer, store)


def render_result(plan: RenderPlan, committed: int, interrupted: bool) -> RenderResult:
    return RenderResult(video_path=plan.video_path, frames_written=committed - plan.start, total_frames=plan.total,
                        interrupted=interrupted, state_dir=plan.work if interrupted else None,
                        warnings=list(plan.warnings), first_frame=plan.start)


def kept_failure(plan: RenderPlan, state: PipelineState, store: FrameStore | None, writer: VideoWriter,
                  committed: int, error: RenderError, *, checkpoint: bool) -> RenderError:
    saved = checkpoint and save_exact_checkpoint(plan, state, store, committed)
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
    failure.result = render_result(plan, committed, True)
    return failure


def _has_checkpoint(plan: RenderPlan) -> bool:
    return (plan.work / "checkpoint.json").is_file()


def encoder_failure(plan: RenderPlan, settings: RenderSettings, state: PipelineState, store: FrameStore | None,
                     writer: VideoWriter, committed: int, error: EncoderError) -> RenderError:
    """The encoder died: rebuild the video from the saved frames, keep the state, and explain."""
    writer.abort()
    saved = save_exact_checkpoint(plan, state, store, committed)
    if store is not None:
        store.close()
    done = committed - plan.start
    if store is None:
        note = "the frames were not saved (resumable off), so the video may be unplayable"
    else:
        try:
            rebuilt = exporting(VideoWriter(plan.video_path, plan.width, plan.height, plan.fps, crf=settings.crf,
                                            preset=settings.preset), plan.total, settings.pick, settings.pad)
            folder = str(plan.frames_dir)
            for frame in range(plan.start, committed):
                rebuilt.write(read_png(os.path.join(folder, frame_name(frame))))
            rebuilt.close()
            note = f"{plan.video_path} was rebuilt with the {done} finished frames"
        except RenderError as rebuild_error:
            note = f"the video could not be rebuilt ({rebuild_error.message}); the frames are in {plan.frames_dir}"
    resume = "; run the same command with --resume to continue" if saved else ""
    failure = RenderError(f"{error.message} ({note}{resume})", frame=committed)
    failure.result = render_result(plan, committed, True)
    return failure


def finish_outputs(plan: RenderPlan, settings: RenderSettings, result: RenderResult) -> None:
    if settings.audio is not None:
        start_s = plan.start / plan.fps
        mux_audio(plan.video_path, Path(settings.audio), start_s=start_s)
        if plan.webm_path is not None:
            mux_audio(plan.webm_path, Path(settings.audio), start_s=start_s)
    if plan.webm_path is not None:
        result.webm_path = plan.webm_path
    if plan.gif_path is not None:
        result.gif_path = make_gif(plan.video_path, plan.gif_path, plan.fps)
