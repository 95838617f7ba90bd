"""Checks of the field names a document renders: managedFields entries, reserved names, and names that clash
with the columns Parseq derives from a field."""

from __future__ import annotations

from collections.abc import Mapping

from lib_parseq.schedules.fields import DERIVED_SUFFIXES, LEGACY_FIELDS, MODERN_FIELDS, is_legacy_vocabulary
from lib_parseq.schedules.validate_problems import Collector, json_path, quote

TEXT_KEYS_IN_FRAMES = {"deforum_prompt", "positive_prompt", "negative_prompt"}
"""The prompt columns of the rendered frames: no field may take these names."""


def is_legacy(obj: Mapping) -> bool:
    """A 2022-app document: no managedFields, and keyframe columns from the 2022 vocabulary."""
    keyframes = obj.get("keyframes")
    if "managedFields" in obj or not isinstance(keyframes, list):
        return False
    names = {key[:-2] if key.endswith("_i") else key
             for keyframe in keyframes if isinstance(keyframe, Mapping) for key in keyframe if isinstance(key, str)}
    return is_legacy_vocabulary(names)


def check_managed_fields(obj: Mapping, out: Collector) -> None:
    fields = obj.get("managedFields")
    if not isinstance(fields, list):
        return
    first_seen: dict[str, int] = {}
    for index, name in enumerate(fields):
        if not isinstance(name, str) or not name:
            continue
        path = json_path(("managedFields", index))
        if name in first_seen:
            out.warning(path, f"{quote(name)} is listed twice (first at index {first_seen[name]}); it is rendered once")
            continue
        first_seen[name] = index
        if name in ("frame", "info") or name in TEXT_KEYS_IN_FRAMES:
            out.error(path, f"{quote(name)} is a reserved name and cannot be a field")
        elif name.endswith("_i"):
            out.warning(path, f"{quote(name)} ends in _i, which keyframes use for interpolation expressions")


def _field_names(obj: Mapping) -> dict[str, str]:
    """Every field the document renders, with the JSON path that makes it one: its managedFields entry, or
    (without managedFields) its first keyframe cell; the vocabulary's own fields have no path."""
    fields = obj.get("managedFields")
    if isinstance(fields, list):
        named: dict[str, str] = {}
        for index, name in enumerate(fields):
            if isinstance(name, str) and name:
                named.setdefault(name, json_path(("managedFields", index)))
        return named
    keyframes = obj.get("keyframes") if isinstance(obj.get("keyframes"), list) else []
    found: dict[str, str] = dict.fromkeys(LEGACY_FIELDS if is_legacy(obj) else MODERN_FIELDS, "")
    for index, keyframe in enumerate(keyframes):
        if not isinstance(keyframe, Mapping):
            continue
        for key in keyframe:
            name = key[:-2] if isinstance(key, str) and key.endswith("_i") else key
            if isinstance(name, str) and name and name not in ("frame", "info") and name not in found:
                found[name] = json_path(("keyframes", index, key))
    return found


def check_field_names(obj: Mapping, out: Collector) -> None:
    """Names that would overwrite a column of the rendered frames: the prompt columns, and a field called
    ``<f>_delta``/``<f>_pc`` beside a field ``f`` (Parseq writes those columns for ``f``)."""
    fields = _field_names(obj)
    implicit = not isinstance(obj.get("managedFields"), list)
    for name, path in fields.items():
        if not path:
            continue
        if implicit and name in TEXT_KEYS_IN_FRAMES:
            out.error(path, f"{quote(name)} is a reserved name and cannot be a field (the rendered frames "
                            "write the prompt there)")
        for suffix in DERIVED_SUFFIXES:
            base = name[: -len(suffix)]
            if name.endswith(suffix) and base in fields:
                out.error(path, f"{quote(name)} clashes with the {name} column Parseq derives from the field "
                                f"{base}; rename it")
