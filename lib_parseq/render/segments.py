"""Resume state kept in the video itself: the ``segments`` resume mode.

The ``frames`` mode keeps a lossless PNG of every frame and re-encodes them all on ``--resume``. The
``segments`` mode keeps none: the video is encoded in parts that end at the checkpoints, each by a fresh
encoder (``video.segmented``), and each checkpoint records the splice point where its part ends in the file
(length, fragment number, time, and a digest of the bytes before it). ``--resume`` copies the video up to
that point into the work folder, continues from the checkpoint's frame, and moves the file over the video
once complete: byte for byte the video an uninterrupted render writes. A stop or failure finishes the part
being encoded, so the video holds every finished frame; frames after the last checkpoint are rendered again
on resume. Used where frames are cheap and the PNG would cost more than the frame (the dry run); a backend
that takes seconds a frame keeps the ``frames`` mode and its checkpoint at every stop.

Needs an MP4/MOV output, and no WebM or ``--save-frames`` (which keep the ``frames`` mode: their PNGs or
their second encoder would not continue exactly).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from lib_parseq.errors import RenderError
from lib_parseq.render.settings import RenderSettings
from lib_parseq.render.state import Checkpoint, save_checkpoint
from lib_parseq.video.fragments import TAIL_BYTES, FragmentError, SplicePoint, tail_digest
from lib_parseq.video.segmented import SegmentedVideoWriter
from lib_parseq.video.writer import FRAGMENTED_SUFFIXES

if TYPE_CHECKING:  # the plan decides the mode with resume_mode below
    from lib_parseq.render.plan import RenderPlan

RESUME_MODES = ("frames", "segments")


def resume_mode(settings: RenderSettings, video_path: Path) -> str | None:
    """The resume state a render keeps: None (not resumable), "frames" or "segments" (see the module)."""
    if not settings.resumable:
        return None
    if settings.resume_state not in RESUME_MODES:
        raise RenderError(f"unknown resume state {settings.resume_state!r}; expected one of {', '.join(RESUME_MODES)}")
    if (settings.resume_state == "segments" and video_path.suffix.lower() in FRAGMENTED_SUFFIXES
            and not settings.webm and settings.save_frames is None):
        return "segments"
    return "frames"


def open_segmented(plan: RenderPlan, settings: RenderSettings, checkpoint: Checkpoint | None) -> SegmentedVideoWriter:
    """The writer of a segmented render: a new video, or on resume the video cut back to the checkpoint's
    splice point and staged in the work folder (the video itself stays as it is until the render ends)."""
    point = None
    if checkpoint is not None:
        point = _splice_point(checkpoint)
        _stage_head(plan, point)
    return SegmentedVideoWriter(plan.encode_path, plan.width, plan.height, plan.fps, crf=settings.crf,
                                preset=settings.preset, point=point)


def committer(plan: RenderPlan, checkpoint: Checkpoint) -> Callable[[SplicePoint], None]:
    """What to call once the part before ``checkpoint`` is in the file: save the checkpoint with its point."""

    def commit(point: SplicePoint) -> None:
        checkpoint.video = point.to_json()
        try:
            save_checkpoint(plan.work, checkpoint)
        except OSError as exc:
            raise RenderError(f"cannot save the resume state in {plan.work}: {exc.strerror or exc}") from exc

    return commit


def other_mode_hint(plan: RenderPlan, checkpoint: Checkpoint) -> str:
    """A hint for a resume refused because the state was kept the other way (the dry run's default changed)."""
    kept = "segments" if checkpoint.video is not None else "frames"
    if plan.resume_mode is None or kept == plan.resume_mode:
        return ""
    return f" with --resume-state {kept}, the way it kept its state"


def _splice_point(checkpoint: Checkpoint) -> SplicePoint:
    try:
        return SplicePoint.from_json(checkpoint.video)
    except FragmentError as exc:
        raise RenderError("the saved render state does not say where its video ends (it was written without "
                          "--resume-state segments?); start again with --overwrite") from exc


def _stage_head(plan: RenderPlan, point: SplicePoint) -> None:
    """Put the video up to ``point`` in the staging file: already there (an interrupted resume), or copied
    from the video. RenderError, touching nothing, if neither holds exactly that head any more."""
    staging = plan.work / f"resumed{plan.video_path.suffix}"
    plan.staged = True
    if tail_digest(staging, point.size) == point.tail_digest:
        return
    if tail_digest(plan.video_path, point.size) != point.tail_digest:
        raise RenderError(f"cannot resume {plan.video_path.name}: the video no longer holds the "
                          f"{point.size:,} bytes the saved state was taken after (changed, cut or removed); "
                          "--overwrite starts again")
    try:
        with open(plan.video_path, "rb") as source, open(staging, "wb") as target:
            _copy_bytes(source, target, point.size)
    except OSError as exc:
        staging.unlink(missing_ok=True)
        raise RenderError(f"cannot resume {plan.video_path.name}: cannot copy its video into {plan.work}: "
                          f"{exc.strerror or exc}") from exc


def _copy_bytes(source, target, count: int) -> None:  # noqa: ANN001 - binary files
    while count > 0:
        block = source.read(min(count, 64 * TAIL_BYTES))
        if not block:
            raise OSError(f"the video ended {count} bytes early")
        target.write(block)
        count -= len(block)


def failure_note(plan: RenderPlan) -> str:
    """What an encoder failure left, in a segmented render (nothing to rebuild: whole parts are in the file)."""
    if plan.staged:
        return f"{plan.video_path} was left as it was; the resumed part is kept in {plan.work}"
    return f"{plan.video_path} plays the frames written before the failure"
