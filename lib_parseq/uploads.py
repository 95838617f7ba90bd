"""Which uploaded files the UI may read: only files inside gradio's upload folder.

A gradio file value names a path on the server. The browser first uploads the file (gradio stores it in its
upload folder) and then sends that path back; but anyone who can reach the page can send any path instead
(``{"name": "/etc/passwd", "is_file": true}``), and gradio 3 copies whatever it names into its temp folder,
where ``/file=`` serves it. So every upload box is built through ``guarded_upload`` (the foreign value is
refused before gradio copies anything), and every handler turns the value into a path with
``safe_upload_path`` (the file must be a regular file inside the upload folder, links resolved). Refusals
never repeat the path or the file's contents. Used by the tab (``lib_parseq.ui``) and the img2img script.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from lib_parseq.errors import DocumentError

REFUSED_MESSAGE = "the upload was refused: only a file uploaded through this page can be read"
Component = TypeVar("Component")


class RefusedUpload:
    """What a guarded upload box hands its handlers instead of a file it refused (it carries no path)."""

    def __repr__(self) -> str:
        return "RefusedUpload()"


REFUSED = RefusedUpload()


def upload_folders() -> list[Path]:
    """Where gradio (3.x and 4.x) keeps uploads: ``$GRADIO_TEMP_DIR``, else ``<system temp>/gradio``; resolved."""
    folder = os.environ.get("GRADIO_TEMP_DIR") or str(Path(tempfile.gettempdir()) / "gradio")
    return [Path(os.path.realpath(folder))]


def is_inside_upload_folder(path: str | os.PathLike) -> bool:
    """True when ``path``, with every link resolved, lies inside one of ``upload_folders()``."""
    real = Path(os.path.realpath(path))
    return any(folder in real.parents for folder in upload_folders())


def _path_text(value: Any) -> str | None:
    """The path a gradio file value names (gradio 3: tempfile wrapper or dict; gradio 4: str/FileData)."""
    if isinstance(value, Mapping):
        name = value.get("path") or value.get("name")
        return str(name) if name else None
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    for attribute in ("path", "name"):
        name = getattr(value, attribute, None)
        if isinstance(name, str) and name:
            return name
    return None


def _single(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        if len(value) > 1:
            raise DocumentError("upload one file at a time")
        return value[0] if value else None
    return value


def safe_upload_path(value: Any) -> Path | None:
    """The file behind a gradio upload value, or None when nothing was uploaded.

    Raises a DocumentError (naming neither the path nor the contents) unless the value names a regular file
    inside gradio's upload folder; a gradio 3 value whose original name lies elsewhere is refused too (gradio
    copied a server file into its folder on a stranger's request).
    """
    value = _single(value)
    if value is None or value == "":
        return None
    if isinstance(value, RefusedUpload):
        raise DocumentError(REFUSED_MESSAGE)
    text = _path_text(value)
    if text is None:
        raise DocumentError(REFUSED_MESSAGE)
    original = getattr(value, "orig_name", None)
    if isinstance(original, str) and os.path.isabs(original) and not is_inside_upload_folder(original):
        raise DocumentError(REFUSED_MESSAGE)
    if not os.path.isabs(text) or not is_inside_upload_folder(text):
        raise DocumentError(REFUSED_MESSAGE)
    real = Path(os.path.realpath(text))
    if not real.is_file():
        raise DocumentError("the uploaded file is gone or is not a file; upload it again")
    return real


def _names_foreign_file(payload: Any) -> bool:
    """True when a raw gradio payload asks gradio to read a server file outside the upload folder."""
    if isinstance(payload, (list, tuple)):
        return any(_names_foreign_file(item) for item in payload)
    if payload is None or isinstance(payload, RefusedUpload):
        return False
    if isinstance(payload, Mapping):
        if "path" not in payload and not payload.get("is_file"):
            return False  # gradio 3 sends the bytes themselves (base64) when is_file is false
    text = _path_text(payload)
    if text is None:
        return False
    return not (os.path.isabs(text) and is_inside_upload_folder(text))


def guarded_upload(component: Component) -> Component:
    """``component`` (a gradio File/Audio/... box), made to refuse a value naming a server file outside the
    upload folder before gradio reads or copies it; its handlers then get ``REFUSED``, which
    ``safe_upload_path`` turns into a clear error."""
    preprocess = component.preprocess

    def guarded_preprocess(payload: Any, *args: Any, **kwargs: Any) -> Any:
        if _names_foreign_file(payload):
            return REFUSED
        return preprocess(payload, *args, **kwargs)

    component.preprocess = guarded_preprocess
    return component
