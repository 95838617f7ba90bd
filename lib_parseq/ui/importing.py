"""Turn what a user pastes or uploads into a document the tab can edit.

Accepted: a Parseq keyframe document, a Parseq manifest (its document part is kept, the rendered frames are
recomputed), a Deforum settings file (its schedule strings become keyframes), one bare Deforum schedule
string such as ``0:(1.0), 30:(1.5)`` which becomes keyframes of a chosen field, or ``N: prompt`` lines
(GIFfusion/Deforum prompts, with ``--neg``) which replace the prompt table; prompt-travel's one-stage-per-line
boxes come in through ``import_travel_boxes``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lib_parseq import json_input
from lib_parseq.errors import DocumentError
from lib_parseq.json_input import MAX_JSON_BYTES
from lib_parseq.schedules.prompt_stages import (
    Stage,
    looks_like_frame_prompts,
    parse_frame_prompts,
    parse_steps,
    stages_to_prompt_list,
    travel_stages,
)
from lib_parseq.schedules.validate_tree import refuse_lone_surrogates
from lib_parseq.ui.document import last_frame, prepare_document
from lib_parseq.ui.grid import add_keyframe

_SCHEDULE_START = re.compile(r"^\s*[\"']?\s*[(]?\s*[0-9A-Za-z_+\-*/ ]+\)?\s*:\s*\(", re.DOTALL)
_DEFORUM_MARKERS = ("animation_mode", "max_frames", "strength_schedule", "animation_prompts", "diffusion_cadence")


def parse_json_text(text: str, source: str = "pasted text") -> Any:
    """Parse JSON, turning a syntax error into a DocumentError with line:column and a caret excerpt."""
    if len(text) > MAX_JSON_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_JSON_BYTES:
        raise DocumentError(f"{source} is larger than the limit of {MAX_JSON_BYTES:,} bytes")
    return json_input.parse_json_text(text, origin=source)


def looks_like_schedule(text: str) -> bool:
    """True for a Deforum schedule string (``frame:(value), ...``) rather than JSON."""
    return bool(_SCHEDULE_START.match(text)) and not text.lstrip().startswith(("{", "["))


def is_deforum_settings(obj: Any) -> bool:
    """True for a Deforum settings object (it has Deforum's own keys and no Parseq keyframes)."""
    return isinstance(obj, dict) and "keyframes" not in obj and any(key in obj for key in _DEFORUM_MARKERS)


def document_from_object(obj: Any) -> dict:
    """The editable document for a parsed JSON object: a Parseq document, a manifest, or Deforum settings."""
    refuse_lone_surrogates(obj)
    if is_deforum_settings(obj):
        from lib_parseq.schedules import deforum_settings_to_document

        return prepare_document(deforum_settings_to_document(obj))
    if isinstance(obj, dict) and "keyframes" in obj:
        return prepare_document(obj)
    if isinstance(obj, dict) and "rendered_frames" in obj:
        raise DocumentError(
            "this manifest has no 'keyframes', so there is nothing to edit; it can still be rendered as it is",
            path="$.keyframes",
        )
    raise DocumentError(
        "not a Parseq document, manifest or Deforum settings file: expected an object with 'keyframes' "
        "(Parseq) or Deforum settings keys such as 'max_frames'",
        path="$",
    )


def schedule_into_field(doc: dict, field: str, schedule: str) -> dict:
    """A copy of ``doc`` whose ``field`` follows a Deforum schedule string, read the way Deforum reads it.

    The field's old cells are cleared; keyframes are added where the schedule has frames the document lacks.
    Frames past the document's last frame are ignored (Deforum stops at ``max_frames`` too).
    """
    from lib_parseq.schedules.deforum import schedule_to_cells

    field = (field or "").strip()
    if not field:
        raise DocumentError("choose the field the schedule is for")
    cells = schedule_to_cells(schedule, field, max_frames=last_frame(doc) + 1)
    if not cells:
        raise DocumentError(f"the schedule for {field} has no keyframes within the document's frames", field=field)
    keyframes = [dict(k) for k in doc.get("keyframes", [])]
    for keyframe in keyframes:
        keyframe.pop(field, None)
        keyframe.pop(f"{field}_i", None)
    existing = {k.get("frame") for k in keyframes}
    for frame in cells:
        if frame not in existing:
            keyframes = add_keyframe(keyframes, frame)
            existing.add(frame)
    by_frame = {k["frame"]: k for k in keyframes}
    for frame, values in cells.items():
        by_frame[frame].update(values)
    updated = dict(doc)
    updated["keyframes"] = keyframes
    updated["managedFields"] = [*doc.get("managedFields", []), *([field] if field not in doc.get("managedFields", []) else [])]
    updated["displayedFields"] = [
        *doc.get("displayedFields", []),
        *([field] if field not in doc.get("displayedFields", []) else []),
    ]
    return updated


def import_text(text: str, doc: dict, schedule_field: str = "") -> tuple[dict, str]:
    """Import pasted text; returns the new document and a one-line description of what was imported."""
    if not text or not text.strip():
        raise DocumentError("nothing to import: paste a document, a manifest, Deforum settings or a schedule")
    if looks_like_schedule(text):
        return schedule_into_field(doc, schedule_field, text.strip()), f"Imported a Deforum schedule into {schedule_field}."
    if looks_like_frame_prompts(text):
        stages = parse_frame_prompts(text)
        return prompt_stages_into(doc, stages), f"Imported {len(stages)} prompts as stages with linear fades."
    obj = parse_json_text(text)
    return document_from_object(obj), _describe(obj)


def prompt_stages_into(doc: dict, stages: list[Stage]) -> dict:
    """A copy of ``doc`` whose prompt table is the stages, cross-fading linearly; the document is extended
    with a keyframe at the last stage when that stage lies past its last frame."""
    keyframes = [dict(k) for k in doc.get("keyframes", [])]
    if stages[-1].frame > last_frame(doc):
        keyframes = add_keyframe(keyframes, stages[-1].frame)
    updated = dict(doc, keyframes=keyframes)
    prompts = dict(doc.get("prompts") or {})
    prompts.update(format="v2", enabled=True, promptList=stages_to_prompt_list(stages, last_frame(updated)))
    updated["prompts"] = prompts
    return updated


def import_travel_boxes(positive: str, negative: str, steps: str, doc: dict) -> tuple[dict, str]:
    """Import prompt-travel's boxes (one stage per line; ``steps`` frames between stages) into the prompt table."""
    stages = travel_stages(positive or "", negative or "", parse_steps(steps))
    return prompt_stages_into(doc, stages), f"Imported {len(stages)} prompt-travel stages ending at frame {stages[-1].frame}."


def import_file(path: str | Path) -> tuple[dict, str]:
    """Import an uploaded JSON file (a document, a manifest, or Deforum settings, which are JSON too).

    ``path`` is already checked (``safe_upload_path``); messages name the file, not where the server keeps it.
    """
    from lib_parseq.net import load_manifest_source

    name = Path(path).name
    obj = load_manifest_source(Path(path), origin=name)
    return document_from_object(obj), f"{_describe(obj)} (from {name})"


def _describe(obj: Any) -> str:
    if is_deforum_settings(obj):
        return "Imported Deforum settings: their schedules are now keyframes."
    if isinstance(obj, dict) and "rendered_frames" in obj:
        return "Imported a Parseq manifest's document."
    return "Imported a Parseq document."
