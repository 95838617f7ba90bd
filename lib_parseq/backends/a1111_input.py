"""What the user gave the img2img script — pasted JSON, an http(s) URL, or an uploaded file — as a manifest.

The text box takes JSON or an http(s) URL only: a path typed there would let anyone using a shared webui read
the server's files, so local files come through the upload component, and only files inside gradio's upload
folder are read from it (``lib_parseq.uploads``). URLs go through ``lib_parseq.net``
(http(s) only, timeout, size cap, no private addresses). Keyframe documents are compiled to manifests here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lib_parseq.atomic import write_text_atomic
from lib_parseq.errors import DocumentError
from lib_parseq.uploads import safe_upload_path

_URL = re.compile(r"(?i)^https?://")


@dataclass(frozen=True)
class ManifestInput:
    """A loaded manifest, what it was loaded from, and the raw object when it came from a URL (kept for saving)."""

    manifest: dict[str, Any]
    origin: str
    fetched: dict[str, Any] | None = None
    was_document: bool = False
    document: dict[str, Any] | None = None  # the keyframe document as given, when it did not come from a URL


def is_url(text: str) -> bool:
    return bool(_URL.match(text.strip()))


def read_source(text: str, upload: Any = None) -> tuple[dict[str, Any], str]:
    """The JSON object from the text box (JSON or URL), or else from the uploaded file; with its origin."""
    from lib_parseq.net import load_manifest_source

    stripped = (text or "").strip()
    if stripped:
        if stripped[0] not in "{[" and not is_url(stripped):
            raise DocumentError("the manifest box takes JSON text or an http(s) URL; upload a file to use one")
        return load_manifest_source(stripped), ("the pasted JSON" if stripped[0] in "{[" else stripped)
    path = safe_upload_path(upload)
    if path is None:
        raise DocumentError("no manifest: paste one, give an http(s) URL, or upload a file")
    return load_manifest_source(path, origin=path.name), path.name


def to_manifest(obj: dict[str, Any], *, max_frames: int = 100_000) -> tuple[dict[str, Any], bool]:
    """A rendered manifest passes through (after validation); a keyframe document is compiled. (manifest, was_doc)."""
    from lib_parseq.schedules.validate import is_manifest, validate_manifest
    from lib_parseq.schedules.validate_problems import raise_for_problems

    if is_manifest(obj):
        raise_for_problems(validate_manifest(obj, max_frames=max_frames), what="manifest")
        return obj, False
    from lib_parseq.schedules import as_manifest

    return as_manifest(obj, max_frames=max_frames), True


def load_input(text: str, upload: Any = None, *, max_frames: int = 100_000) -> ManifestInput:
    """Read and compile what the user gave (see the module docstring)."""
    obj, origin = read_source(text, upload)
    manifest, was_document = to_manifest(obj, max_frames=max_frames)
    fetched = obj if is_url(origin) else None
    document = obj if was_document and fetched is None else None
    return ManifestInput(manifest=manifest, origin=origin, fetched=fetched, was_document=was_document,
                         document=document)


def fetched_copy_path(video_path: Path) -> Path:
    """Where ``save_fetched`` keeps a URL-loaded document: ``NAME.parseq.json`` beside the video."""
    return video_path.with_name(video_path.stem + ".parseq.json")


def save_fetched(source: ManifestInput, video_path: Path) -> Path | None:
    """Write a URL-loaded document beside the video (``NAME.parseq.json``) so the render can be reproduced."""
    if source.fetched is None:
        return None
    path = fetched_copy_path(video_path)
    write_text_atomic(path, json.dumps(source.fetched, indent=2, ensure_ascii=False))
    return path
