"""Which render the img2img script's "Continue the last unfinished render" continues (no A1111 import needed).

When a render stops early (Interrupt, Skip, a failure) with its resume state kept, the script records it in
``.parseq-unfinished.json`` in the img2img output folder: the video (relative to that folder) and the seeds
A1111 resolved for it, so that a UI seed of -1 is not drawn again on continue. Continuing renders into that
same video; the render loop checks that the manifest, input and settings are those of the stopped render. A
finished render removes the record when it is the one recorded.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

from lib_parseq.errors import RenderError
from lib_parseq.render.state import work_folder
from lib_parseq.video.paths import check_inside

RECORD_NAME = ".parseq-unfinished.json"


@dataclass(frozen=True)
class Unfinished:
    """A stopped render: its video relative to the output folder, and the seeds it was started with."""

    video: str
    seed: int
    subseed: int


def record_path(output_dir: Path) -> Path:
    return output_dir / RECORD_NAME


def remember(output_dir: Path, video: Path, *, seed: int, subseed: int) -> None:
    """Record ``video`` (inside ``output_dir``) as the last unfinished render."""
    entry = Unfinished(video=video.relative_to(output_dir).as_posix(), seed=int(seed), subseed=int(subseed))
    record_path(output_dir).write_text(json.dumps(asdict(entry)), encoding="utf-8")


def forget(output_dir: Path, video: Path) -> None:
    """Drop the record if it names ``video`` (that render has now finished)."""
    entry = _read(output_dir)
    if entry is not None and output_dir / entry.video == video:
        record_path(output_dir).unlink(missing_ok=True)


def last_unfinished(output_dir: Path) -> tuple[Path, Unfinished]:
    """The video to continue and its record; a RenderError naming the folder when there is nothing to continue."""
    entry = _read(output_dir)
    if entry is None:
        raise RenderError(f"there is no unfinished render to continue in {output_dir}; choose \"Start a new "
                          "render\"")
    video = output_dir / entry.video
    check_inside(video, output_dir, entry.video)
    if not (work_folder(video) / "checkpoint.json").is_file():
        raise RenderError(f"the last unfinished render, {video.name}, has no saved state left to continue from; "
                          "choose \"Start a new render\"")
    return video, entry


def _read(output_dir: Path) -> Unfinished | None:
    path = record_path(output_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entry = Unfinished(video=str(data["video"]), seed=int(data["seed"]), subseed=int(data["subseed"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RenderError(f"cannot read the unfinished-render record {path}: {exc}") from None
    relative = PurePosixPath(entry.video)
    if relative.is_absolute() or ".." in relative.parts:
        raise RenderError(f"the unfinished-render record {path} names a video outside {output_dir}")
    return entry
