"""Document-level edits the tab makes: shown fields, fps/bpm, and the defaults of a new document.

The tab keeps the whole keyframe document (a JSON-like dict, the shape of Parseq's persistable state) and
changes it through these functions, so that everything the grid does not show is preserved on export.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from lib_parseq.errors import DocumentError
from lib_parseq.schedules.fields import DEFAULT_DISPLAYED_FIELD_COUNT, MODERN_FIELDS
from lib_parseq.schedules.prompts import normalise_prompts
from lib_parseq.ui.prompts_table import default_prompts

DEFAULT_FPS = 20
DEFAULT_BPM = 140
UI_ONLY_KEYS = ("rendered_frames", "rendered_frames_meta")


def blank_document(last_frame: int = 100, fields: Sequence[str] = ("seed", "strength", "zoom")) -> dict:
    """A minimal document: two keyframes, the given fields managed and shown, one prompt over all frames."""
    return {
        "meta": {"generated_by": "sd-webui-parseq"},
        "options": {"output_fps": DEFAULT_FPS, "bpm": DEFAULT_BPM, "cadence": 1},
        "managedFields": list(fields),
        "displayedFields": list(fields),
        "keyframes": [{"frame": 0}, {"frame": int(last_frame)}],
        "prompts": default_prompts(),
        "timeSeries": [],
        "keyframeLock": "frames",
        "reverseRender": False,
    }


def prepare_document(obj: dict) -> dict:
    """A deep copy of a document (or the document part of a manifest) ready for editing.

    Drops the rendered frames, sorts keyframes, and fills in what the editor needs: options, managed and
    shown fields, and the prompts in their v2 form.
    """
    if not isinstance(obj, dict):
        raise DocumentError("a Parseq document must be a JSON object", path="$")
    doc = copy.deepcopy({k: v for k, v in obj.items() if k not in UI_ONLY_KEYS})
    keyframes = doc.get("keyframes")
    if not isinstance(keyframes, list) or not all(isinstance(k, dict) for k in keyframes):
        raise DocumentError("'keyframes' must be a list of objects", path="$.keyframes")
    doc["keyframes"] = sorted(keyframes, key=lambda k: k.get("frame", 0) if isinstance(k.get("frame"), (int, float)) else 0)
    options = doc.get("options") if isinstance(doc.get("options"), dict) else {}
    options.setdefault("output_fps", DEFAULT_FPS)
    options.setdefault("bpm", DEFAULT_BPM)
    doc["options"] = options
    managed = doc.get("managedFields")
    if not isinstance(managed, list) or not managed:
        managed = list(MODERN_FIELDS)
    doc["managedFields"] = [str(f) for f in managed]
    displayed = doc.get("displayedFields")
    if not isinstance(displayed, list) or not displayed:
        displayed = doc["managedFields"][:DEFAULT_DISPLAYED_FIELD_COUNT]
    doc["displayedFields"] = [str(f) for f in displayed if str(f) in doc["managedFields"]] or doc["managedFields"][:1]
    doc["prompts"] = normalise_prompts(doc.get("prompts"), last_frame(doc))
    return doc


def last_frame(doc: dict) -> int:
    """The largest keyframe frame (the last rendered frame), 0 without keyframes."""
    frames = [k.get("frame") for k in doc.get("keyframes", []) if isinstance(k.get("frame"), (int, float))]
    return int(max(frames)) if frames else 0


def shown_fields(doc: dict) -> list[str]:
    """The fields the grid and the charts show, in managed order."""
    displayed = set(doc.get("displayedFields") or [])
    return [f for f in doc.get("managedFields", []) if f in displayed]


def field_choices(doc: dict) -> list[str]:
    """Every field the user can pick: the managed fields, then the rest of Parseq's vocabulary."""
    managed = list(doc.get("managedFields", []))
    return managed + [f for f in MODERN_FIELDS if f not in managed]


def with_shown_fields(doc: dict, fields: Sequence[str]) -> dict:
    """A copy of ``doc`` showing ``fields``; a field not yet managed becomes managed (appended, so evaluated last)."""
    updated = dict(doc)
    names = []
    for field in fields:
        name = str(field).strip()
        if not name:
            continue
        if not name.replace("_", "a").isalnum() or name[0].isdigit():
            raise DocumentError(f"field name {name!r} must be letters, digits and _ and not start with a digit")
        if name not in names:
            names.append(name)
    managed = list(doc.get("managedFields", []))
    managed.extend(n for n in names if n not in managed)
    updated["managedFields"] = managed
    updated["displayedFields"] = names
    return updated


def with_options(doc: dict, fps: float | None, bpm: float | None) -> dict:
    """A copy of ``doc`` with new output fps and bpm (both must be positive)."""
    if fps is None or not fps > 0:
        raise DocumentError(f"fps must be a positive number, not {fps}", path="$.options.output_fps")
    if bpm is None or not bpm > 0:
        raise DocumentError(f"bpm must be a positive number, not {bpm}", path="$.options.bpm")
    updated = dict(doc)
    options = dict(doc.get("options") or {})
    options["output_fps"] = int(fps) if float(fps).is_integer() else float(fps)
    options["bpm"] = int(bpm) if float(bpm).is_integer() else float(bpm)
    updated["options"] = options
    return updated
