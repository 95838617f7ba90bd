"""Output path templates: expanding ``<timestamp>`` and ``<img2img_output_path>`` without leaving the folder.

A template is a relative path inside a chosen output folder. ``<img2img_output_path>`` may only start it, and
then the folder is the one the caller supplies (A1111's img2img output directory). The result may not escape
its folder: absolute paths, ``..`` and ``~`` are refused, existing symlinks below the folder are refused, and
every name is sanitised (no control characters, no ``<>:"|?*\\``, no leading dots or trailing spaces). The
files written beside the video (``check_sidecars``) obey the same rule.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path, PurePosixPath

from lib_parseq.errors import RenderError

IMG2IMG_PLACEHOLDER = "<img2img_output_path>"
TIMESTAMP_PLACEHOLDER = "<timestamp>"
_PLACEHOLDER_RE = re.compile(r"<[^<>/\\]*>")
_UNSAFE_CHARS_RE = re.compile(r'[\x00-\x1f\x7f<>:"|?*\\]')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}
MAX_NAME_LENGTH = 200


def timestamp(now: datetime | None = None) -> str:
    """The ``<timestamp>`` text: local time as YYYYMMDD-HHMMSS (Parseq's format)."""
    return (now or datetime.now()).strftime("%Y%m%d-%H%M%S")


def sanitise_name(name: str) -> str:
    """One safe file or folder name (raises RenderError when nothing usable is left)."""
    cleaned = _UNSAFE_CHARS_RE.sub("_", name).strip().lstrip(".").rstrip(". ")
    if len(cleaned) > MAX_NAME_LENGTH:
        stem, dot, suffix = cleaned.rpartition(".")
        cleaned = (stem[: MAX_NAME_LENGTH - len(suffix) - 1] + dot + suffix) if dot else cleaned[:MAX_NAME_LENGTH]
    if not cleaned:
        raise RenderError(f"output name {name!r} is empty once unsafe characters are removed")
    if cleaned.split(".")[0].upper() in _WINDOWS_RESERVED:
        cleaned = "_" + cleaned
    return cleaned


def _refuse(template: str, why: str) -> RenderError:
    return RenderError(f"output path {template!r} {why}")


def resolve_output_path(template: str, output_dir: str | Path, *, img2img_output_path: str | Path | None = None,
                        now: datetime | None = None, default_suffix: str = ".mp4") -> Path:
    """Expand ``template`` into an absolute path inside its folder (see the module docstring)."""
    text = template.strip()
    if not text:
        raise _refuse(template, "is empty")
    root = Path(output_dir)
    if text.startswith(IMG2IMG_PLACEHOLDER):
        if img2img_output_path is None:
            raise _refuse(template, f"uses {IMG2IMG_PLACEHOLDER} but no img2img output folder was given")
        root = Path(img2img_output_path)
        text = text[len(IMG2IMG_PLACEHOLDER):].lstrip("/\\") or "parseq-<timestamp>"
    if IMG2IMG_PLACEHOLDER in text:
        raise _refuse(template, f"may use {IMG2IMG_PLACEHOLDER} only at its start")
    text = text.replace(TIMESTAMP_PLACEHOLDER, timestamp(now))
    unknown = _PLACEHOLDER_RE.search(text)
    if unknown:
        raise _refuse(template, f"has an unknown placeholder {unknown.group(0)} "
                                f"(known: {TIMESTAMP_PLACEHOLDER}, {IMG2IMG_PLACEHOLDER})")
    if text.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:", text):
        raise _refuse(template, "must be relative to the output folder (no absolute paths or ~)")
    parts = [part for part in re.split(r"[/\\]+", text) if part not in ("", ".")]
    if any(part == ".." for part in parts):
        raise _refuse(template, "may not contain '..'")
    if not parts:
        raise _refuse(template, "names no file")
    names = [sanitise_name(part) for part in parts]
    if not PurePosixPath(names[-1]).suffix:
        names[-1] += default_suffix
    root = root.expanduser().absolute()
    path = root.joinpath(*names)
    check_inside(path, root, template)
    return path


def check_inside(path: Path, root: Path, template: str) -> None:
    """Refuse ``path`` if it leaves ``root`` or any existing component below ``root`` is a symlink."""
    current = root
    for part in path.relative_to(root).parts:
        current = current / part
        if current.is_symlink():
            raise _refuse(template, f"goes through a symbolic link ({current}); links are not followed")
    real_root = Path(os.path.realpath(root))
    real_path = Path(os.path.realpath(path))
    if real_path != real_root and real_root not in real_path.parents:
        raise _refuse(template, f"leaves the output folder {root}")


def check_sidecars(video: Path, *paths: Path | None) -> None:
    """Refuse any of ``paths`` beside ``video`` (GIF, WebM, work folder, frames folder...) that goes through a
    symbolic link or leaves the video's folder: ffmpeg and the frame store would write through the link.
    Paths outside the video's folder (a frames folder the user named on the command line) are left alone."""
    folder = video.parent
    for path in paths:
        if path is None or (folder not in path.parents):
            continue
        check_inside(path, folder, str(path.relative_to(folder)))


def check_writable_folder(folder: Path) -> None:
    """Create ``folder`` if needed and prove a file can be written there (one clear error otherwise)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RenderError(f"cannot create output folder {folder}: {exc.strerror or exc}") from exc
    if not folder.is_dir():
        raise RenderError(f"output folder {folder} is not a folder")
    probe = folder / f".parseq-write-test-{os.getpid()}"
    try:
        with open(probe, "wb") as handle:
            handle.write(b"ok")
    except OSError as exc:
        raise RenderError(f"output folder {folder} is not writable: {exc.strerror or exc}") from exc
    finally:
        try:
            probe.unlink()
        except OSError:
            pass
