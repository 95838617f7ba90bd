"""Planning a render: check the inputs and settings and decide size, frame range, paths and the fingerprint.

Every user error surfaces here, before the first frame (and before anything on disk is touched).
"""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from lib_parseq.errors import RenderError
from lib_parseq.frames import COLOUR_SOURCES, COLOUR_SPACES, border_mode, sampling_mode
from lib_parseq.frames.flow import FLOW_METHODS
from lib_parseq.frames.hybrid import CompositeMask
from lib_parseq.render.cadence_plan import DiffusedFrames, describe_cadence, manifest_cadence, plan_diffused
from lib_parseq.render.export import check_export
from lib_parseq.render.genesis import SUCCESSIVE, resolve_genesis
from lib_parseq.render.inputs import load_image, manifest_frames, option_flag, option_number
from lib_parseq.render.lock import OutputLock
from lib_parseq.render.motion import AbsoluteMotion, detect_vocabulary
from lib_parseq.render.params import numeric_values
from lib_parseq.render.segments import resume_mode
from lib_parseq.render.settings import HYBRID_COMPOSITES, HYBRID_MOTIONS, HybridSettings, RenderSettings
from lib_parseq.render.state import fingerprint, remove_work_folder, work_folder
from lib_parseq.schedules.validate_options import MAX_FPS, MIN_FPS, fps_range_message
from lib_parseq.video import VideoInfo, VideoReader, probe_video
from lib_parseq.video.paths import check_sidecars, check_writable_folder, resolve_output_path

DEFAULT_FPS = 20.0
MAX_BLEND_FRAMES = 64
VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv")
# The largest frame: H.264 (libx264) codes at most 16384 pixels a side; 8192x8192 bounds memory per frame.
MAX_SIDE = 16_384
MAX_PIXELS = 8_192 * 8_192


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
    lock: OutputLock | None = None
    staged: bool = False
    diffused: DiffusedFrames | None = None
    hybrid: bool = False
    genesis: str = "successive"
    resume_mode: str | None = None  # None, "frames" or "segments" (render.segments)

    @property
    def total(self) -> int:
        return self.end - self.start

    @cached_property
    def absolute_motion(self) -> AbsoluteMotion:
        """Each frame's absolute motion matrix (``render.motion.absolute_matrix``), computed once."""
        return AbsoluteMotion(self.frames, self.vocabulary, self.width, self.height)

    @property
    def encode_path(self) -> Path:
        """Where the encoder writes the video: the output itself, or on resume a staging file in the work
        folder (the video already there stays untouched until the new one holds at least its frames)."""
        return self.work / f"resumed{self.video_path.suffix}" if self.staged else self.video_path

    @property
    def encode_webm_path(self) -> Path | None:
        if self.webm_path is None or not self.staged:
            return self.webm_path
        return self.work / "resumed.webm"

    def publish(self) -> None:
        """Move a staged (resumed) video and WebM over the outputs; nothing to do for a fresh render."""
        if not self.staged:
            return
        os.replace(self.encode_path, self.video_path)
        if self.webm_path is not None:
            os.replace(self.encode_webm_path, self.webm_path)

    def discard_staged(self) -> None:
        """Drop a staged video that will not be published (the outputs stay as they were). A segmented
        render keeps it: its checkpoints may point into it, and the next resume continues it."""
        if self.staged and self.resume_mode != "segments":
            for path in (self.encode_path, self.encode_webm_path):
                if path is not None:
                    path.unlink(missing_ok=True)

    def release(self) -> None:
        """Let another render write this output."""
        if self.lock is not None:
            self.lock.release()


def plan_render(
    manifest: Mapping[str, Any],
    settings: RenderSettings,
    *,
    init_image: np.ndarray | str | Path | None = None,
    video_path: str | Path | None = None,
) -> RenderPlan:
    """Check inputs and settings and decide size, range and paths (every user error surfaces here)."""
    _check_modes(settings)
    hybrid = settings.hybrid is not None
    if hybrid and video_path is None:
        raise RenderError("hybrid video needs an input video (--video) to guide the loopback")
    if not hybrid and (init_image is None) == (video_path is None):
        raise RenderError("give exactly one input: an init image (loopback) or a video (vid2vid)")
    frames = manifest_frames(manifest)
    options = manifest.get("options") if isinstance(manifest.get("options"), Mapping) else {}
    fps = float(settings.fps or option_number(options, "output_fps") or DEFAULT_FPS)
    for name, rate in (("fps", fps), ("input fps", settings.input_fps)):
        if rate is not None and not MIN_FPS <= rate <= MAX_FPS:
            raise RenderError(f"{name}: {fps_range_message(rate)}")
    warnings: list[str] = []
    genesis = resolve_genesis(settings.genesis, options)
    if genesis != SUCCESSIVE and video_path is not None:
        raise RenderError(f"genesis {genesis} starts every frame from the init image; it applies to loopback "
                          "from an init image, not to an input or hybrid video")

    image = video = None
    if video_path is not None:
        video = probe_video(video_path, fps=settings.input_fps or fps)
        source_size = (video.width, video.height)
    if init_image is not None and not (hybrid and settings.hybrid.first_frame_init):
        image = load_image(init_image)
    elif hybrid:
        image = _video_frame(video, settings.frames[0] if settings.frames and settings.frames[0] else 0)
    if video is None:
        source_size = (image.shape[1], image.shape[0])
    width, height = _output_size(settings.size, source_size)
    start, end = _frame_range(settings.frames, len(frames), video, fps, warnings)
    check_export(settings.pick, settings.pad, end - start)

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
    cadence = manifest_cadence(frames, options, settings.cadence)
    diffused = plan_diffused(cadence, start, end)
    if not diffused.every_frame and video is not None and not hybrid:
        warnings.append(f"{describe_cadence(cadence)} applies to loopback and hybrid video; vid2vid diffuses "
                        "every frame")
        diffused = plan_diffused(cadence, start, end, every_frame=True)
    most_blended = max((numeric_values(f).get("loopback_frames", 1.0) for f in frames[start:end]), default=1.0)
    history_size = int(min(max(round(most_blended), 1 if diffused.every_frame else 2), MAX_BLEND_FRAMES))

    video_out = resolve_output_path(settings.output, settings.output_dir,
                                    img2img_output_path=settings.img2img_output_path)
    if video_out.suffix.lower() not in VIDEO_SUFFIXES:
        raise RenderError(f"output {video_out.name} must end in one of {', '.join(VIDEO_SUFFIXES)}")
    check_writable_folder(video_out.parent)
    _check_audio(settings.audio)
    work = work_folder(video_out)
    mode = resume_mode(settings, video_out)
    frames_dir = Path(settings.save_frames).absolute() if settings.save_frames else None
    if frames_dir is None and mode == "frames":
        frames_dir = work / "frames"
    gif_path = video_out.with_suffix(".gif") if settings.gif else None
    webm_path = video_out.with_suffix(".webm") if settings.webm else None
    for path in (video_out, gif_path, webm_path):
        if path is not None and path.is_dir():
            raise RenderError(f"the output {path} is a directory; give a file name")
    check_sidecars(video_out, work, frames_dir, gif_path, webm_path)
    lock = OutputLock(video_out)
    try:
        _check_existing(settings, video_out, work, gif_path, webm_path, settings.save_frames)
        if settings.save_frames:
            check_writable_folder(Path(settings.save_frames).absolute())
        source_id = _image_digest(image) if image is not None else ""
        if video is not None:
            source_id += f"{Path(video_path).resolve()}:{video.frame_count}"
        decisive = {
            "mode": "hybrid" if hybrid else "video" if video else "loopback",
            "motion": [diffused.digest(), settings.cadence_flow, settings.colour_space, settings.colour_source,
                       settings.colour_every, settings.greyscale, repr(settings.hybrid)],
            "source": source_id, "size": [width, height], "fps": fps,
            "input_fps": settings.input_fps, "start": start, "end": end, "vocabulary": vocabulary,
            "border": settings.border, "interpolation": settings.interpolation,
            "cc": [cc_width, cc_rate, cc_use_input], "overlay": settings.overlay, "crf": settings.crf,
            "preset": settings.preset, "webm": settings.webm, "frames_dir": str(frames_dir),
            "export": [settings.pick, repr(settings.pad)],
        }
        if genesis != SUCCESSIVE:
            decisive["genesis"] = genesis
        if mode == "segments":  # frames-mode fingerprints stay as they were
            decisive["resume_state"] = mode
        return RenderPlan(
            frames=frames, width=width, height=height, fps=fps, start=start, end=end, vocabulary=vocabulary,
            init_image=image, video=video, video_path=video_out, work=work, frames_dir=frames_dir,
            cc_width=cc_width, cc_rate=cc_rate, cc_use_input=cc_use_input, history_size=history_size,
            fingerprint=fingerprint(itertools.islice(frames, start, end), decisive), gif_path=gif_path,
            webm_path=webm_path, warnings=warnings, lock=lock, staged=settings.resume and video_out.exists(),
            diffused=diffused, hybrid=hybrid, genesis=genesis, resume_mode=mode,
        )
    except BaseException:
        lock.release()
        raise


def _check_modes(settings: RenderSettings) -> None:
    """Every named choice of the motion settings is a known one (one clear error naming the setting)."""
    try:
        border_mode(settings.border)
        sampling_mode(settings.interpolation)
    except ValueError as exc:
        raise RenderError(str(exc)) from None
    choices = {"colour space": (settings.colour_space, COLOUR_SPACES),
               "colour source": (settings.colour_source, COLOUR_SOURCES)}
    if settings.cadence_flow is not None:
        choices["cadence flow method"] = (settings.cadence_flow, FLOW_METHODS)
    if settings.hybrid is not None:
        hybrid: HybridSettings = settings.hybrid
        choices.update({"hybrid motion": (hybrid.motion, HYBRID_MOTIONS),
                        "hybrid flow method": (hybrid.flow_method, FLOW_METHODS),
                        "hybrid composite": (hybrid.composite, HYBRID_COMPOSITES)})
        try:
            CompositeMask(hybrid.mask, hybrid.mask_invert, hybrid.mask_equalise, hybrid.mask_auto_contrast)
        except ValueError as exc:
            raise RenderError(str(exc)) from None
    for name, (value, allowed) in choices.items():
        if value not in allowed:
            raise RenderError(f"unknown {name} {value!r}; expected one of {', '.join(allowed)}")
    if settings.colour_every < 0:
        raise RenderError(f"colour every-N must be 0 or more, got {settings.colour_every}")
    if settings.cadence is not None and settings.cadence < 1:
        raise RenderError(f"cadence must be a whole number of at least 1, got {settings.cadence}")
    if settings.colour_source == "video" and settings.hybrid is None:
        raise RenderError("colour source 'video' needs hybrid video (an input video guiding the loopback)")


def _video_frame(video: VideoInfo, index: int) -> np.ndarray:
    """Frame ``index`` of the video (hybrid video's init when no init image is given)."""
    if not 0 <= index < video.frame_count:
        raise RenderError(f"the video {video.path.name} has no frame {index} to start from")
    with VideoReader(video, skip=index) as reader:
        for frame in reader:
            return frame.copy()
    raise RenderError(f"the video {video.path.name} has no frame {index} to start from")


def _output_size(size: tuple[int, int] | None, source: tuple[int, int]) -> tuple[int, int]:
    if size is not None:
        width, height = (int(v) for v in size)
        if width < 2 or height < 2 or width % 2 or height % 2:
            raise RenderError(f"output size {width}x{height} must be even numbers of at least 2 (H.264 yuv420p)")
    else:
        width, height = source
        width, height = max(2, width - width % 2), max(2, height - height % 2)
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        given = "output size" if size is not None else "the input's size (use --size)"
        raise RenderError(f"{given} {width}x{height} is too large: at most {MAX_SIDE} on a side (H.264) and "
                          f"{MAX_PIXELS:,} pixels in all")
    return width, height


def _check_audio(audio: Path | None) -> None:
    """The audio track is added at the end of a render; a missing file must fail before the first frame."""
    if audio is None:
        return
    if not Path(audio).exists():
        raise RenderError(f"audio file not found: {audio}")
    if not Path(audio).is_file():
        raise RenderError(f"audio is not a file: {audio}")


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
