"""Check a keyframe document or a rendered manifest before anything uses it.

Documents and manifests are shared between strangers, so nothing is trusted. A JSON Schema (checked with
``jsonschema``) covers the shapes and types; the checks a schema cannot express (distinct frames, the first
keyframe at 0, the frame cap, contiguous rendered frames, NaN and out-of-range numbers) follow in plain Python.
Every problem is collected in one pass and reported once, with its JSON path and a plain-words message.
Problems are errors (the document cannot be used) or warnings (it can, but something looks wrong).

This module runs the checks in order; each kind lives in its own ``validate_*`` module (problems, tree, schema,
options, fields, frames, prompts, time series). They only look at data: they never parse or evaluate expressions
(that is the compiler's job), so they import nothing from ``lib_parseq.language``.

Choices where Parseq is loose:
- A keyframe cell has a value when it is a JSON number or a numeric string (``"1.5"``, ``" 2 "``, ``"0x10"``);
  ``""`` and ``null`` mean "no value". Any other string, and ``true``/``false``, are not values (Parseq read
  ``true`` as 1 and ``" "`` as 0): they get a warning and the cell is treated as empty.
- ``options`` numbers may be numeric strings, because the Parseq app itself writes ``"output_fps": "30"``.
- A missing ``options`` or ``output_fps``/``bpm`` is a warning (the loader applies Parseq's defaults, 20 fps
  and 140 bpm); one that is present but ``null``, ``0``, negative or not a number is an error.
- Unknown top-level, ``options`` and prompt keys are warnings and are kept. Keyframe columns are field names
  (custom fields are allowed), so they are never "unknown".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lib_parseq.schedules.validate_fields import check_field_names, check_managed_fields
from lib_parseq.schedules.validate_frames import check_keyframes, check_rendered_frames
from lib_parseq.schedules.validate_options import check_options, check_top_level_keys
from lib_parseq.schedules.validate_problems import Collector, Problem
from lib_parseq.schedules.validate_prompts import check_prompts
from lib_parseq.schedules.validate_schema import schema_problems
from lib_parseq.schedules.validate_time_series import check_time_series
from lib_parseq.schedules.validate_tree import check_numbers_everywhere

DEFAULT_MAX_FRAMES = 100_000


def validate_document(obj: Any, *, max_frames: int = DEFAULT_MAX_FRAMES) -> list[Problem]:
    """Every problem in a Parseq keyframe document (``ParseqPersistableState``), errors and warnings, in one pass."""
    out = Collector()
    skip = check_numbers_everywhere(obj, out)
    schema_problems("document", obj, out, skip)
    if not isinstance(obj, Mapping):
        return out.problems
    check_top_level_keys(obj, out)
    check_options(obj, out, skip)
    check_managed_fields(obj, out)
    check_field_names(obj, out)
    check_keyframes(obj, out, skip, max_frames)
    check_prompts(obj, out)
    check_time_series(obj, out)
    return out.problems


def validate_manifest(obj: Any, *, max_frames: int = DEFAULT_MAX_FRAMES) -> list[Problem]:
    """Every problem in a rendered Parseq manifest (``rendered_frames`` …), errors and warnings, in one pass."""
    out = Collector()
    skip = check_numbers_everywhere(obj, out)
    schema_problems("manifest", obj, out, skip)
    if not isinstance(obj, Mapping):
        return out.problems
    check_top_level_keys(obj, out)
    if "options" in obj:
        check_options(obj, out, skip)
    check_rendered_frames(obj, out, skip, max_frames)
    return out.problems


def is_manifest(obj: Any) -> bool:
    """True for a rendered manifest (it has ``rendered_frames``), False for a keyframe document."""
    return isinstance(obj, Mapping) and "rendered_frames" in obj


def validate(obj: Any, *, max_frames: int = DEFAULT_MAX_FRAMES) -> list[Problem]:
    """Validate as a manifest when it has ``rendered_frames``, otherwise as a keyframe document."""
    if is_manifest(obj):
        return validate_manifest(obj, max_frames=max_frames)
    return validate_document(obj, max_frames=max_frames)
