"""Render settings, progress reports and results: the plain data the render loop takes and gives back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

BORDER_MODES = ("reflect", "replicate", "wrap", "noise", "zeros")
INTERPOLATIONS = ("linear", "cubic", "lanczos", "nearest")
VOCABULARIES = ("auto", "modern", "legacy")
HYBRID_MOTIONS = ("none", "optical_flow", "perspective", "affine")
HYBRID_COMPOSITES = ("none", "before", "normal", "after")


@dataclass(frozen=True)
class HybridSettings:
    """Deforum's hybrid video: loopback on our own output, guided by the input video.

    ``motion``: the video's motion applied to the loopback image — dense ``optical_flow`` (``flow_method``:
    dis_medium, dis_fine or farneback, scaled by the ``hybrid_flow_factor`` field), or one ``perspective``
    / ``affine`` matrix from tracked features. ``use_previous_image`` measures the motion from our previous
    output to the video frame instead of between consecutive video frames. ``composite``: when the video
    frame is blended in (``before`` the motion, ``normal`` after it, ``after`` generation, or ``none``), with
    the ``hybrid_comp_*`` fields and ``mask_*`` options. ``first_frame_init``: start from the video's first
    frame even when an init image is given (without an init image it is always used).
    """

    motion: str = "none"
    flow_method: str = "dis_medium"
    use_previous_image: bool = False
    composite: str = "none"
    mask: str = "none"
    mask_invert: bool = False
    mask_equalise: str = "none"
    mask_auto_contrast: bool = False
    first_frame_init: bool = False


@dataclass
class RenderSettings:
    """How to render a manifest. ``None`` means "take it from the manifest or the input".

    ``output`` is a path template relative to ``output_dir`` (``<timestamp>`` and ``<img2img_output_path>``
    are expanded; it may not leave its folder). ``frames`` is ``(start, end)``, end exclusive, either ``None``.
    ``cc_*`` override the manifest's colour-correction options; ``colour_space`` (lab, hsv, rgb), ``colour_source``
    (window, first, video) and ``colour_every`` choose Deforum's colour coherence (see
    ``lib_parseq.frames.coherence``); ``greyscale`` forces grey frames. ``cadence`` overrides the manifest's
    cadence (its keyframed ``cadence`` column, else ``options.cadence``) with "diffuse every Nth frame"; ``cadence_flow`` (a flow method, or None) moves the two
    diffused frames along their optical flow in the in-betweens. ``hybrid`` turns a video input into Deforum's
    hybrid video instead of vid2vid. ``resumable`` keeps periodic checkpoints so an interrupted or failed
    render can be resumed, with ``resume_state`` "frames" (a lossless PNG copy of every written frame, which
    also rebuilds a dead encoder's video) or "segments" (the video encoded in parts that end at the
    checkpoints: no copy, see ``render.segments``); turning it off is faster but gives up both. ``audio_start_s`` is where in
    ``audio`` frame 0 falls (a document analysed from a trimmed or beat-aligned part of a song says so). ``pick`` (a slice text such as
    ``::2``) and ``pad`` ((first, last) extra copies) shape what the video receives (``render.export``). ``genesis``
(successive, fixed, embryo; None: the manifest's ``options.genesis``) is what each frame starts from
(``render.genesis``).
    """

    output: str = "parseq-<timestamp>.mp4"
    output_dir: Path = field(default_factory=lambda: Path("."))
    img2img_output_path: Path | None = None
    size: tuple[int, int] | None = None
    fps: float | None = None
    input_fps: float | None = None
    frames: tuple[int | None, int | None] | None = None
    save_frames: Path | None = None
    border: str = "reflect"
    interpolation: str = "linear"
    vocabulary: str = "auto"
    cc_window_width: int | None = None
    cc_window_slide_rate: float | None = None
    cc_use_input: bool | None = None
    colour_space: str = "lab"
    colour_source: str = "window"
    colour_every: int = 0
    greyscale: bool = False
    cadence: int | None = None
    cadence_flow: str | None = None
    hybrid: HybridSettings | None = None
    overlay: bool = False
    crf: int = 17
    preset: str = "medium"
    gif: bool = False
    webm: bool = False
    audio: Path | None = None
    audio_start_s: float = 0.0
    resume: bool = False
    overwrite: bool = False
    resumable: bool = True
    resume_state: str = "frames"
    checkpoint_every: int | None = None  # None: default_checkpoint_every(the resume state)
    handle_sigint: bool = True
    pick: str = ""
    pad: tuple[int, int] = (0, 0)
    genesis: str | None = None


def default_checkpoint_every(resume_mode: str | None) -> int:
    """Frames between checkpoints when the settings name none. In the segments way each checkpoint ends a part of
    the video (a fresh encoder and a saved state), so its parts are 100 frames long: at the dry run's ~100 frames
    a second that loses about a second of work to a kill, and ran at 128 frames/s at 512² where parts of 25
    frames (the default before issue 13's fourth round) ran at 109. The frames way, whose checkpoints are cheap
    (the PNGs are written anyway), keeps 25. (The diffusers backend asks for every frame.)"""
    return 100 if resume_mode == "segments" else 25


def backend_resume_state(backend: str | None) -> tuple[str, int | None]:
    """A backend's resume state and checkpoint interval when the user names neither: the diffusers backend
    keeps a PNG of every frame and checkpoints each one (a frame costs seconds); the dry run keeps segments,
    with ``default_checkpoint_every``'s interval (None)."""
    return ("frames", 1) if backend == "diffusers" else ("segments", None)


@dataclass(frozen=True)
class RenderProgress:
    """One progress report: ``done`` of ``total`` frames finished, the last one being ``frame``."""

    frame: int
    done: int
    total: int
    elapsed_s: float
    encoder_pid: int | None = None


@dataclass
class RenderResult:
    """What a render produced. ``frames_written`` counts the frames in the video (resumed ones included)."""

    video_path: Path
    frames_written: int
    total_frames: int
    interrupted: bool = False
    frame_files: list[Path] = field(default_factory=list)
    gif_path: Path | None = None
    webm_path: Path | None = None
    state_dir: Path | None = None
    warnings: list[str] = field(default_factory=list)
    first_frame: int = 0
