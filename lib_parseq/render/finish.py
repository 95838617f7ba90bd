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
from lib_parseq.render.segments import failure_note
from lib_parseq.render.settings import RenderResult, RenderSettings
from lib_parseq.render.state import FrameStore, frame_name, read_png, save_checkpoint
from lib_parseq.video import EncoderError, VideoWriter, make_gif, mux_audio


def close_video(plan: RenderPlan, writer: VideoWriter, *, publish: bool = True) -> bool:
    """Finalise the video. A staged (resumed) one replaces the output only when ``publish`` (its replay of the
    saved frames completed) and it closed cleanly; otherwise it is dropped and the output stays as it was.
    True when the output now holds every frame sent to this writer."""
    try:
        writer.close()
    except RenderError:
        plan.discard_staged()
        return False
    if not publish:
        plan.discard_staged()
        return False
    try:
        plan.publish()
    except OSError:
        plan.discard_staged()
        return False
    return True


def close_quietly(plan: RenderPlan, writer: VideoWriter, store: FrameStore | None, *, publish: bool = True) -> bool:
    closed = close_video(plan, writer, publish=publish)
    if store is not None:
        store.close()
    return closed


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
                   committed: int, *, publish: bool = True) -> None:
    save_exact_checkpoint(plan, state, store, committed)
    close_quietly(plan, writer, store, publish=publish)


def render_result(plan: RenderPlan, committed: int, interrupted: bool) -> RenderResult:
    return RenderResult(video_path=plan.video_path, frames_written=committed - plan.start, total_frames=plan.total,
                        interrupted=interrupted, state_dir=plan.work if interrupted else None,
                        warnings=list(plan.warnings), first_frame=plan.start)


def kept_failure(plan: RenderPlan, state: PipelineState, store: FrameStore | None, writer: VideoWriter,
                 committed: int, error: RenderError, *, checkpoint: bool, publish: bool = True) -> RenderError:
    saved = checkpoint and save_exact_checkpoint(plan, state, store, committed)
    closed = close_quietly(plan, writer, store, publish=publish)
    if closed:
        kept = f"{plan.video_path} holds the {committed - plan.start} finished frames"
    elif plan.staged:
        kept = f"{plan.video_path} was left as it was"
    else:
        kept = f"the video {plan.video_path} could not be finalised; it plays the frames written before the failure"
    resume = "; run the same command with --resume to continue" if (saved or _has_checkpoint(plan)) else ""
    failure = RenderError(f"{error.message} ({kept}{resume})", frame=error.frame, path=error.path)
    failure.result = render_result(plan, committed, True)
    return failure


def _has_checkpoint(plan: RenderPlan) -> bool:
    return (plan.work / "checkpoint.json").is_file()


def encoder_failure(plan: RenderPlan, settings: RenderSettings, state: PipelineState, store: FrameStore | None,
                    writer: VideoWriter, committed: int, error: EncoderError, *, publish: bool = True) -> RenderError:
    """The encoder died: rebuild the video from the saved frames, keep the state, and explain.

    The rebuild goes to a temporary file that replaces the video only once complete, so a rebuild that fails
    too (a full disk) leaves the video as the dead encoder left it: fragmented, it plays every complete
    fragment (or, on resume, the video from before the resume is kept)."""
    writer.abort()
    plan.discard_staged()
    saved = save_exact_checkpoint(plan, state, store, committed)
    if store is not None:
        store.close()
    done = committed - plan.start
    as_left = f"{plan.video_path} was left as it was" if plan.staged else \
        f"{plan.video_path} plays the frames written before the failure"
    if plan.resume_mode == "segments":
        note = failure_note(plan)
    elif store is None:
        note = f"the frames were not saved (resumable off), so the video cannot be rebuilt; {as_left}"
    elif not publish or committed <= plan.start:
        note = as_left
    else:
        try:
            _rebuild(plan, settings, committed)
            note = f"{plan.video_path} was rebuilt with the {done} finished frames"
        except (RenderError, OSError) as rebuild_error:
            reason = rebuild_error.message if isinstance(rebuild_error, RenderError) else \
                (rebuild_error.strerror or str(rebuild_error))
            note = f"the video could not be rebuilt ({reason}); {as_left}; the frames are in {plan.frames_dir}"
    resumable = saved or (plan.resume_mode == "segments" and _has_checkpoint(plan))
    resume = "; run the same command with --resume to continue" if resumable else ""
    failure = RenderError(f"{error.message} ({note}{resume})", frame=committed)
    failure.result = render_result(plan, committed, True)
    return failure


def _rebuild(plan: RenderPlan, settings: RenderSettings, committed: int) -> None:
    """Encode the saved frames ``start..committed`` into a temporary file, then move it over the video."""
    temporary = plan.video_path.with_name(f".{plan.video_path.stem}.rebuilt{plan.video_path.suffix}")
    try:
        rebuilt = exporting(VideoWriter(temporary, plan.width, plan.height, plan.fps, crf=settings.crf,
                                        preset=settings.preset), plan.total, settings.pick, settings.pad)
        try:
            folder = str(plan.frames_dir)
            for frame in range(plan.start, committed):
                rebuilt.write(read_png(os.path.join(folder, frame_name(frame))))
        except BaseException:
            rebuilt.abort()
            raise
        rebuilt.close()
        os.replace(temporary, plan.video_path)
    finally:
        temporary.unlink(missing_ok=True)


def finish_outputs(plan: RenderPlan, settings: RenderSettings, result: RenderResult) -> None:
    if settings.audio is not None:
        start_s = settings.audio_start_s + plan.start / plan.fps
        mux_audio(plan.video_path, Path(settings.audio), start_s=start_s)
        if plan.webm_path is not None:
            mux_audio(plan.webm_path, Path(settings.audio), start_s=start_s)
    if plan.webm_path is not None:
        result.webm_path = plan.webm_path
    if plan.gif_path is not None:
        result.gif_path = make_gif(plan.video_path, plan.gif_path, plan.fps)
