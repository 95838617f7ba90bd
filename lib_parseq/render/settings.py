"""Render settings, progress reports and results: the plain data the render loop takes and gives back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

BORDER_MODES = ("reflect", "replicate", "wrap", "noise")
INTERPOLATIONS = ("linear", "cubic", "lanczos")
VOCABULARIES = ("auto", "modern", "legacy")


@dataclass
class RenderSettings:
    """How to render a manifest. ``None`` means "take it from the manifest or the input".

    ``output`` is a path template relative to ``output_dir`` (``<timestamp>`` and ``<img2img_output_path>``
    are expanded; it may not leave its folder). ``frames`` is ``(start, end)``, end exclusive, either ``None``.
    ``cc_*`` override the manifest's colour-correction options. ``resumable`` keeps a lossless PNG copy of
    every written frame and periodic checkpoints so an interrupted or failed render can be resumed and a
    dead encoder's video rebuilt; turning it off is faster but gives up both. ``pick`` (a slice text such as
    ``::2``) and ``pad`` ((first, last) extra copies) shape what the video receives (``render.export``).
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
    overlay: bool = False
    crf: int = 17
    preset: str = "medium"
    gif: bool = False
    webm: bool = False
    audio: Path | None = None
    resume: bool = False
    overwrite: bool = False
    resumable: bool = True
    checkpoint_every: int = 25
    handle_sigint: bool = True
    pick: str = ""
    pad: tuple[int, int] = (0, 0)


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
