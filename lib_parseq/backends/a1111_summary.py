"""The read-only summary shown under the script's manifest box: what the manifest will do, or what is wrong."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lib_parseq.backends.a1111_input import is_url, read_source, to_manifest
from lib_parseq.backends.a1111_mapping import KEPT_UI_SETTINGS, managed_fields, overrides_of
from lib_parseq.backends.a1111_travel_notes import blending_summary
from lib_parseq.errors import ParseqError

_MAX_LISTED = 12


def _fps(manifest: Mapping[str, Any]) -> str:
    options = manifest.get("options") if isinstance(manifest.get("options"), Mapping) else {}
    fps = options.get("output_fps")
    return f" at {fps} fps" if fps not in (None, "") else ""


def _listed(names: list[str]) -> str:
    if not names:
        return "none"
    shown = ", ".join(names[:_MAX_LISTED])
    return shown + (f" (+{len(names) - _MAX_LISTED} more)" if len(names) > _MAX_LISTED else "")


def describe_manifest(manifest: Mapping[str, Any], *, compiled_from_document: bool = False) -> str:
    """Frames, managed fields, which A1111 settings the manifest overrides and which stay from the UI."""
    frames = manifest.get("rendered_frames") or []
    first = frames[0].get("frame", 0) if frames and isinstance(frames[0], Mapping) else 0
    overrides = overrides_of(manifest)
    kind = "keyframe document (compiled)" if compiled_from_document else "manifest"
    lines = [
        f"OK: {kind}, {len(frames)} frames ({first}–{first + len(frames) - 1}){_fps(manifest)}.",
        f"Fields managed: {_listed(managed_fields(manifest))}.",
        f"Overrides these img2img settings: {_listed(overrides.ui_settings())}.",
        f"Kept from the img2img settings: {', '.join(KEPT_UI_SETTINGS)}; batch count and size are set to 1.",
    ]
    if overrides.seed:
        lines.append("Frames whose seed is -1 get a new random seed each.")
    if blending_summary(manifest.get("options")):
        lines.append(blending_summary(manifest.get("options")))
    return "\n".join(lines)


def summarize(text: str, upload: Any = None) -> str:
    """The summary for what is in the manifest box (or the uploaded file); never raises for bad input."""
    stripped = (text or "").strip()
    if not stripped and upload is None:
        return "Paste a Parseq manifest or keyframe document (JSON), or an http(s) URL to one, or upload a file."
    if is_url(stripped):
        return f"The manifest will be downloaded from {stripped[:200]} when you press Generate."
    try:
        obj, _origin = read_source(text, upload)
        manifest, was_document = to_manifest(obj)
    except ParseqError as exc:
        return f"Error: {exc}"
    return describe_manifest(manifest, compiled_from_document=was_document)
