"""The JSON Schemas of documents and manifests (checked with ``jsonschema``) and their errors in plain words.

Most documents are valid, and importing jsonschema and walking a document with it is a fair share of a
``compile`` (about 0.1 s of 0.5). So ``conforms`` first checks the few keywords these schemas use, with
jsonschema's Draft 2020-12 meanings; only a document that does not conform is handed to jsonschema, whose
errors give the messages. ``conforms`` must never pass what jsonschema would fail: tests compare the two.
"""

from __future__ import annotations

import functools
import numbers
import re
from collections.abc import Mapping
from typing import Any

from lib_parseq.schedules.validate_problems import Collector, Severity, describe, json_path

# ----------------------------------------------------------------------------------------------------------
# Schemas. "x-message" is our own annotation: the plain-words text used when a value there has the wrong type.

_NUMBER_OR_NUMERIC_TEXT = {
    "type": ["number", "string"],
    "x-message": "must be a number",
}

_CELL = {
    "type": ["number", "string", "null", "boolean"],
    "x-message": "must be a number, a numeric string, \"\" or null",
}

_PROMPT = {
    "type": "object",
    "x-message": "must be an object with positive and negative prompt texts",
    "properties": {
        "name": {"type": ["string", "number", "null"], "x-message": "must be text"},
        "positive": {"type": "string", "x-message": "must be text"},
        "negative": {"type": "string", "x-message": "must be text"},
        "allFrames": {"type": "boolean", "x-message": "must be true or false"},
        "from": {"type": "number", "x-message": "must be a frame number"},
        "to": {"type": "number", "x-message": "must be a frame number"},
        "enabled": {"type": "boolean", "x-message": "must be true or false"},
        "overlap": {
            "type": "object",
            "x-message": "must be an object {type, inFrames, outFrames, custom}",
            "properties": {
                "type": {"enum": ["none", "linear", "custom"]},
                "inFrames": {"type": "number", "x-message": "must be a number of frames"},
                "outFrames": {"type": "number", "x-message": "must be a number of frames"},
                "custom": {"type": "string", "x-message": "must be an expression (text)"},
            },
        },
    },
    "required": ["positive"],
}

_OPTIONS = {
    "type": "object",
    "x-message": "must be an object such as {\"output_fps\": 20, \"bpm\": 140}",
    "properties": {
        "output_fps": {"type": ["number", "string", "null"], "x-message": "must be a number"},
        "bpm": {"type": ["number", "string", "null"], "x-message": "must be a number"},
        "cadence": _NUMBER_OR_NUMERIC_TEXT,
        "input_fps": _NUMBER_OR_NUMERIC_TEXT,
        "cc_window_width": _NUMBER_OR_NUMERIC_TEXT,
        "cc_window_slide_rate": _NUMBER_OR_NUMERIC_TEXT,
        "cc_use_input": {"type": ["boolean", "string"], "x-message": "must be true or false"},
    },
}

_TIME_SERIES = {
    "type": "array",
    "x-message": "must be a list of {alias, ts}",
    "items": {
        "type": "object",
        "x-message": "must be an object {alias, ts: {data, timestampType}}",
        "required": ["alias", "ts"],
        "properties": {
            "alias": {"type": "string", "x-message": "must be a name (text)"},
            "ts": {
                "type": "object",
                "x-message": "must be an object {data: [{x, y}...], timestampType}",
                "required": ["data"],
                "properties": {
                    "data": {
                        "type": "array",
                        "x-message": "must be a list of {x, y} samples",
                        "items": {
                            "type": "object",
                            "x-message": "must be a sample {x, y}",
                            "required": ["x", "y"],
                            "properties": {
                                "x": {"type": "number", "x-message": "must be a number"},
                                "y": {"type": "number", "x-message": "must be a number"},
                            },
                        },
                    },
                    "timestampType": {"enum": [0, 1]},
                },
            },
        },
    },
}

_COMMON_PROPERTIES: dict[str, Any] = {
    "meta": {"type": ["object", "null"], "x-message": "must be an object"},
    "options": _OPTIONS,
    "managedFields": {
        "type": "array",
        "x-message": "must be a list of field names",
        "items": {"type": "string", "minLength": 1, "x-message": "must be a field name (text)"},
    },
    "displayedFields": {"type": "array", "x-message": "must be a list of field names"},
    "prompts": {
        "type": ["object", "array"],
        "x-message": "must be a prompts object (or, in older documents, a list of prompts)",
    },
    "timeSeries": _TIME_SERIES,
    "keyframeLock": {"enum": ["frames", "seconds", "beats"], "x-severity": "warning"},
    "reverseRender": {"type": "boolean", "x-message": "must be true or false", "x-severity": "warning"},
}

DOCUMENT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Parseq keyframe document",
    "type": "object",
    "x-message": "must be a JSON object (a Parseq document)",
    "properties": {
        **_COMMON_PROPERTIES,
        "keyframes": {
            "type": "array",
            "x-message": "must be a list of keyframes",
            "items": {
                "type": "object",
                "x-message": "must be a keyframe object such as {\"frame\": 0, \"zoom\": 1}",
                "required": ["frame"],
                "properties": {
                    "frame": {"type": "integer", "x-message": "must be a whole frame number"},
                    "info": {"type": ["string", "null"], "x-message": "must be text"},
                },
                "patternProperties": {
                    "_i$": {
                        "type": ["string", "null", "number", "boolean"],
                        "x-message": "must be an expression (text) or null",
                    },
                },
                "additionalProperties": _CELL,
            },
        },
    },
}

MANIFEST_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Parseq rendered manifest",
    "type": "object",
    "x-message": "must be a JSON object (a Parseq manifest)",
    "properties": {
        **_COMMON_PROPERTIES,
        "keyframes": {"type": "array", "x-message": "must be a list of keyframes", "x-severity": "warning"},
        "rendered_frames": {
            "type": "array",
            "x-message": "must be a list of frames",
            "items": {
                "type": "object",
                "x-message": "must be a frame object such as {\"frame\": 0, \"zoom\": 1}",
                "required": ["frame"],
                "properties": {
                    "frame": {"type": "integer", "x-message": "must be a whole frame number"},
                    "deforum_prompt": {"type": "string", "x-message": "must be text"},
                    "positive_prompt": {"type": "string", "x-message": "must be text"},
                    "negative_prompt": {"type": "string", "x-message": "must be text"},
                },
                "additionalProperties": {
                    "type": ["number", "string", "null"],
                    "x-message": "must be a number (or null)",
                },
            },
        },
        "rendered_frames_meta": {
            "type": ["object", "array"],
            "maxItems": 0,
            "x-message": "must be an object keyed by field",
            "x-severity": "warning",
            "additionalProperties": {
                "type": "object",
                "x-message": "must be an object {max, min, isFlat}",
                "x-severity": "warning",
            },
        },
    },
}


SCHEMAS = {"document": DOCUMENT_SCHEMA, "manifest": MANIFEST_SCHEMA}


@functools.cache
def schema_validator(schema_name: str) -> Any:
    """The schema's jsonschema validator, built on first use (only documents that do not conform need it)."""
    import jsonschema

    return jsonschema.Draft202012Validator(SCHEMAS[schema_name])


def _is_integer(value: Any) -> bool:
    return not isinstance(value, bool) and (isinstance(value, int) or isinstance(value, float) and value.is_integer())


# Draft 2020-12's types as jsonschema checks them (a bool is not a number; 1.0 is an integer).
_TYPE_CHECKS = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "null": lambda value: value is None,
    "boolean": lambda value: isinstance(value, bool),
    "number": lambda value: not isinstance(value, bool) and isinstance(value, numbers.Number),
    "integer": _is_integer,
}
# What ``conforms`` reads; a keyword added to the schemas must be added there too (a test checks the schemas,
# and that their subschemas are objects: conforms does not take the boolean schemas true and false).
CONFORMS_KEYWORDS = {"type", "properties", "patternProperties", "additionalProperties", "required", "items",
                     "enum", "maxItems", "minLength"}


def _has_type(value: Any, types: str | list[str]) -> bool:
    return any(_TYPE_CHECKS[name](value) for name in ([types] if isinstance(types, str) else types))


def _enum_holds(value: Any, choice: Any) -> bool:
    """jsonschema's equality for our enums' texts and numbers: ``True`` is not ``1``, ``1.0`` is ``1``."""
    if isinstance(value, bool) or isinstance(choice, bool):
        return value is choice
    if isinstance(value, (dict, list)) or isinstance(choice, (dict, list)):
        return False  # our enums hold only texts and numbers
    return value == choice


def conforms(schema: Mapping[str, Any], value: Any) -> bool:
    """True when ``value`` meets ``schema``: the keywords our schemas use (``CONFORMS_KEYWORDS``), each with its
    Draft 2020-12 meaning; walked with a stack, so deep values are fine."""
    pending = [(schema, value)]
    while pending:
        schema, value = pending.pop()
        if "type" in schema and not _has_type(value, schema["type"]):
            return False
        if "enum" in schema and not any(_enum_holds(value, choice) for choice in schema["enum"]):
            return False
        if isinstance(value, str) and len(value) < schema.get("minLength", 0):
            return False
        if isinstance(value, list):
            if len(value) > schema.get("maxItems", len(value)):
                return False
            if "items" in schema:
                pending.extend((schema["items"], item) for item in value)
        if isinstance(value, dict):
            if any(key not in value for key in schema.get("required", ())):
                return False
            properties = schema.get("properties", {})
            patterns = schema.get("patternProperties", {})
            extra = schema.get("additionalProperties")
            for key, item in value.items():
                matched = [subschema for pattern, subschema in patterns.items() if re.search(pattern, key)]
                if key in properties:
                    pending.append((properties[key], item))
                pending.extend((subschema, item) for subschema in matched)
                if extra is not None and key not in properties and not matched:
                    pending.append((extra, item))
    return True


def schema_problems(schema_name: str, obj: Any, out: Collector, skip_paths: set[str]) -> None:
    """The problems jsonschema finds in ``obj`` against the named schema (none, without jsonschema, when
    ``obj`` conforms), except those at ``skip_paths`` (already reported)."""
    if conforms(SCHEMAS[schema_name], obj):
        return
    validator = schema_validator(schema_name)
    for err in validator.iter_errors(obj):
        parts = tuple(err.absolute_path)
        path = json_path(parts)
        if path in skip_paths:
            continue
        schema = err.schema if isinstance(err.schema, Mapping) else {}
        severity: Severity = schema.get("x-severity", "error")
        kind = err.validator
        if kind == "type":
            reason = schema.get("x-message", f"must be of type {err.validator_value}")
            out.add(severity, path, f"{reason}, not {describe(err.instance)}")
        elif kind == "required":
            for key in err.validator_value:
                if isinstance(err.instance, Mapping) and key not in err.instance:
                    out.add(severity, json_path(parts + (key,)), "is missing")
        elif kind == "enum":
            choices = ", ".join(describe(choice) for choice in err.validator_value)
            out.add(severity, path, f"must be one of {choices}, not {describe(err.instance)}")
        elif kind == "maxItems":
            out.add(severity, path, schema.get("x-message", "has too many items") + ", not a non-empty list")
        elif kind == "minLength":
            out.add(severity, path, "must not be empty")
        else:
            out.add(severity, path, err.message)
