"""Check a keyframe document or a rendered manifest before anything uses it.

Documents and manifests are shared between strangers, so nothing is trusted. A JSON Schema (checked with
``jsonschema``) covers the shapes and types; the checks a schema cannot express (distinct frames, the first
keyframe at 0, the frame cap, contiguous rendered frames, NaN and out-of-range numbers) follow in plain Python.
Every problem is collected in one pass and reported once, with its JSON path and a plain-words message.
Problems are errors (the document cannot be used) or warnings (it can, but something looks wrong).

This module only looks at data: it never parses or evaluates expressions (that is the compiler's job), so
it imports nothing from ``lib_parseq.language``.

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

import functools
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from lib_parseq.errors import DocumentError
from lib_parseq.schedules.fields import DERIVED_SUFFIXES, LEGACY_FIELDS, MODERN_FIELDS, is_legacy_vocabulary

DEFAULT_MAX_FRAMES = 100_000
# Frame rates a render accepts (output and input video): past these ffmpeg fails late or runs out of memory.
MIN_FPS, MAX_FPS = 0.1, 1000.0
LARGEST_FLOAT = 1.7976931348623157e308

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document: how bad, where (a JSON path such as ``$.keyframes[3].frame``), and why."""

    severity: Severity
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.path}: {self.message}"


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



@functools.cache
def _validator(schema_name: str) -> Any:
    """The schema's validator, built on first use (importing jsonschema is a fair share of start-up)."""
    import jsonschema

    return jsonschema.Draft202012Validator({"document": DOCUMENT_SCHEMA, "manifest": MANIFEST_SCHEMA}[schema_name])


_KNOWN_TOP_LEVEL = {
    "meta", "options", "managedFields", "displayedFields", "keyframes", "prompts", "timeSeries",
    "keyframeLock", "reverseRender", "rendered_frames", "rendered_frames_meta",
    # Parseq app UI state that sometimes ends up in exports; harmless.
    "graphData", "sparklineData",
}
_KNOWN_OPTIONS = {"output_fps", "bpm", "cadence", "input_fps", "cc_window_width", "cc_window_slide_rate",
                  "cc_use_input", "prompt_blending", "blend_method", "genesis"}
PROMPT_BLENDING_CHOICES = {"prompt_blending": ("composable", "embedding"), "blend_method": ("lerp", "slerp"),
                           "genesis": ("successive", "fixed", "embryo")}
"""Prompt travel options (composable prompts or blended encoded prompts; what each frame starts from)."""
_KNOWN_PROMPT_KEYS = {"name", "positive", "negative", "allFrames", "from", "to", "enabled", "overlap"}
_KNOWN_PROMPTS_V2_KEYS = {"format", "enabled", "promptList", "commonPrompt", "commonPromptPos"}
_TEXT_KEYS_IN_FRAMES = {"deforum_prompt", "positive_prompt", "negative_prompt"}

_DECIMAL_TEXT = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*\Z")
_RADIX_TEXT = re.compile(r"\s*0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)\s*\Z")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
SURROGATE_MESSAGE = ("holds a lone surrogate (half of a UTF-16 pair, such as \\ud800), which is not a character; "
                     "remove it or write the whole character")


# ----------------------------------------------------------------------------------------------------------
# Small helpers


def json_path(parts: Any) -> str:
    """``("keyframes", 3, "frame")`` → ``$.keyframes[3].frame`` (odd keys are quoted: ``$["my key"]``)."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and _IDENTIFIER.match(part):
            out += f".{part}"
        else:
            out += "[" + _quote(str(part)) + "]"
    return out


def _quote(text: str, limit: int = 40) -> str:
    shown = text if len(text) <= limit else text[:limit] + "…"
    escaped = shown.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{without_lone_surrogates(escaped)}"'


def describe(value: Any) -> str:
    """A short plain-words picture of a JSON value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        text = str(value) if abs(value) < 10**21 else f"a {len(str(abs(value)))}-digit number"
        return text
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, str):
        return "the text " + _quote(value) if value else 'the empty text ""'
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def numeric_text_value(text: str) -> float | None:
    """The number a numeric string stands for (decimal, or 0x/0o/0b as JS ``Number`` reads), else None."""
    if _DECIMAL_TEXT.match(text):
        try:
            value = float(text)
        except (ValueError, OverflowError):
            return None
        return value
    if _RADIX_TEXT.match(text):
        body = text.strip()
        return float(int(body[2:], {"x": 16, "o": 8, "b": 2}[body[1].lower()]))
    return None


def _as_number(value: Any) -> float | None:
    """A JSON number or decimal numeric string as a float; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return float(value) if abs(value) <= LARGEST_FLOAT else math.inf
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        return float(value) if _DECIMAL_TEXT.match(value) else None
    return None


def _is_whole(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value) and value.is_integer()


class _Collector:
    """Collects problems, dropping exact repeats and keeping the first-found order."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self._seen: set[Problem] = set()
        self.error_paths: set[str] = set()

    def add(self, severity: Severity, path: str, message: str) -> None:
        problem = Problem(severity, path, message)
        if problem not in self._seen:
            self._seen.add(problem)
            self.problems.append(problem)
            if severity == "error":
                self.error_paths.add(path)

    def error(self, path: str, message: str) -> None:
        self.add("error", path, message)

    def warning(self, path: str, message: str) -> None:
        self.add("warning", path, message)

    def has_error_at(self, path: str) -> bool:
        return path in self.error_paths


# ----------------------------------------------------------------------------------------------------------
# Whole-tree checks: NaN/Infinity literals and numbers too big for a double, anywhere.


def _walk(obj: Any) -> Iterator[tuple[tuple, Any]]:
    """Every (path parts, value) in a JSON tree, depth first, without recursion (deep trees are fine)."""
    stack: list[tuple[tuple, Any]] = [((), obj)]
    visiting: set[int] = set()
    while stack:
        parts, value = stack.pop()
        yield parts, value
        if isinstance(value, Mapping | list | tuple):
            if id(value) in visiting:
                continue
            visiting.add(id(value))
            items = value.items() if isinstance(value, Mapping) else enumerate(value)
            children = [(parts + (key,), child) for key, child in items]
            stack.extend(reversed(children))


def has_lone_surrogate(text: str) -> bool:
    """True when ``text`` holds half of a UTF-16 surrogate pair (``"\\ud800"`` in JSON): no character at all, and
    text that cannot be written as UTF-8, drawn or sent to a browser."""
    return _LONE_SURROGATE.search(text) is not None


def without_lone_surrogates(text: str) -> str:
    """``text`` with each lone surrogate shown as its escape (``\\ud800``), safe to print."""
    return _LONE_SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _key_or_text_has_lone_surrogate(parts: tuple, value: Any) -> bool:
    key = parts[-1] if parts else None
    return (isinstance(key, str) and has_lone_surrogate(key)) or (isinstance(value, str) and has_lone_surrogate(value))


def lone_surrogate_path(obj: Any) -> str | None:
    """The JSON path of the first key or text in ``obj`` holding a lone surrogate, or None."""
    for parts, value in _walk(obj):
        if _key_or_text_has_lone_surrogate(parts, value):
            return json_path(parts)
    return None


def refuse_lone_surrogates(obj: Any) -> None:
    """DocumentError naming where ``obj`` holds a lone surrogate (checked as documents are loaded)."""
    path = lone_surrogate_path(obj)
    if path is not None:
        raise DocumentError(SURROGATE_MESSAGE, path=path)


def _check_numbers_everywhere(obj: Any, out: _Collector) -> set[str]:
    """Report NaN/Infinity literals, integers too large for a 64-bit float and lone surrogates in texts and
    keys; return their paths."""
    bad: set[str] = set()
    for parts, value in _walk(obj):
        if _key_or_text_has_lone_surrogate(parts, value):
            path = json_path(parts)
            bad.add(path)
            out.error(path, SURROGATE_MESSAGE)
        if isinstance(value, float) and not math.isfinite(value):
            path = json_path(parts)
            bad.add(path)
            out.error(path, f"{describe(value)} is not a JSON number (standard JSON has no NaN or Infinity; "
                            "leave the cell empty or use null)")
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > LARGEST_FLOAT:
            path = json_path(parts)
            bad.add(path)
            out.error(path, f"{describe(value)} is too large (the largest usable number is about 1.8e308)")
    return bad


# ----------------------------------------------------------------------------------------------------------
# Schema errors in plain words


def _schema_problems(validator: Any, obj: Any, out: _Collector,
                     skip_paths: set[str]) -> None:
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


# ----------------------------------------------------------------------------------------------------------
# Semantic checks shared by documents and manifests


def _is_legacy(obj: Mapping) -> bool:
    """A 2022-app document: no managedFields, and keyframe columns from the 2022 vocabulary."""
    keyframes = obj.get("keyframes")
    if "managedFields" in obj or not isinstance(keyframes, list):
        return False
    names = {key[:-2] if key.endswith("_i") else key
             for keyframe in keyframes if isinstance(keyframe, Mapping) for key in keyframe if isinstance(key, str)}
    return is_legacy_vocabulary(names)


def _check_top_level_keys(obj: Mapping, out: _Collector) -> None:
    for key in obj:
        if key not in _KNOWN_TOP_LEVEL:
            out.warning(json_path((key,)), "unknown field; kept as is but not used")


def _check_options(obj: Mapping, out: _Collector, skip: set[str]) -> None:
    options = obj.get("options")
    if "options" not in obj:
        out.warning("$.options", "missing; Parseq's defaults are used (output_fps 20, bpm 140)")
        return
    if not isinstance(options, Mapping):
        return
    for key in options:
        if key not in _KNOWN_OPTIONS:
            out.warning(json_path(("options", key)), "unknown option; kept as is but not used")
    for key, label, default in (("output_fps", "No output_fps found", 20), ("bpm", "No bpm found", 140)):
        path = json_path(("options", key))
        if path in skip or out.has_error_at(path):
            continue
        if key not in options:
            out.warning(path, f"missing; the default {default} is used")
            continue
        value = options[key]
        if key == "output_fps" and value in ("", None) and _is_legacy(obj):
            continue  # the 2022 app fell back to input_fps, then 20
        number = _as_number(value)
        if number is None or not number > 0 or not math.isfinite(number):
            out.error(path, f"{label}: it must be a number above 0, not {describe(value)}")
        elif key == "output_fps" and not MIN_FPS <= number <= MAX_FPS:
            out.error(path, fps_range_message(number))
        elif number > 1000:
            out.warning(path, f"{describe(value)} is unusually large")
    _check_numeric_option(options, "cadence", out, skip, minimum=1, whole=True)
    _check_numeric_option(options, "input_fps", out, skip, minimum=0, allow_blank=True)
    input_fps = _as_number(options.get("input_fps"))
    if input_fps and input_fps > 0 and not MIN_FPS <= input_fps <= MAX_FPS:
        out.error(json_path(("options", "input_fps")), fps_range_message(input_fps))
    _check_numeric_option(options, "cc_window_width", out, skip, minimum=-1, whole=True)
    _check_numeric_option(options, "cc_window_slide_rate", out, skip, minimum=0)
    for key, choices in PROMPT_BLENDING_CHOICES.items():
        if key in options and options[key] not in choices:
            out.error(json_path(("options", key)), f"must be one of {', '.join(choices)}, not {describe(options[key])}")


def fps_range_message(fps: float) -> str:
    """The one message for a frame rate outside what a render accepts."""
    return f"{fps:g} fps is outside the usable range {MIN_FPS:g} to {MAX_FPS:g} fps"


def _check_numeric_option(options: Mapping, key: str, out: _Collector, skip: set[str], *, minimum: float,
                          whole: bool = False, allow_blank: bool = False) -> None:
    path = json_path(("options", key))
    if key not in options or path in skip or out.has_error_at(path):
        return
    value = options[key]
    if allow_blank and (value == "" or value is None):
        return
    number = _as_number(value)
    if number is None:
        out.error(path, f"must be a number, not {describe(value)}")
    elif number < minimum:
        out.error(path, f"must be at least {minimum:g}, not {describe(value)}")
    elif whole and not float(number).is_integer():
        out.error(path, f"must be a whole number, not {describe(value)}")


def _check_managed_fields(obj: Mapping, out: _Collector) -> None:
    fields = obj.get("managedFields")
    if not isinstance(fields, list):
        return
    first_seen: dict[str, int] = {}
    for index, name in enumerate(fields):
        if not isinstance(name, str) or not name:
            continue
        path = json_path(("managedFields", index))
        if name in first_seen:
            out.warning(path, f"{_quote(name)} is listed twice (first at index {first_seen[name]}); it is rendered once")
            continue
        first_seen[name] = index
        if name in ("frame", "info") or name in _TEXT_KEYS_IN_FRAMES:
            out.error(path, f"{_quote(name)} is a reserved name and cannot be a field")
        elif name.endswith("_i"):
            out.warning(path, f"{_quote(name)} ends in _i, which keyframes use for interpolation expressions")


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
    found: dict[str, str] = dict.fromkeys(LEGACY_FIELDS if _is_legacy(obj) else MODERN_FIELDS, "")
    for index, keyframe in enumerate(keyframes):
        if not isinstance(keyframe, Mapping):
            continue
        for key in keyframe:
            name = key[:-2] if isinstance(key, str) and key.endswith("_i") else key
            if isinstance(name, str) and name and name not in ("frame", "info") and name not in found:
                found[name] = json_path(("keyframes", index, key))
    return found


def _check_field_names(obj: Mapping, out: _Collector) -> None:
    """Names that would overwrite a column of the rendered frames: the prompt columns, and a field called
    ``<f>_delta``/``<f>_pc`` beside a field ``f`` (Parseq writes those columns for ``f``)."""
    fields = _field_names(obj)
    implicit = not isinstance(obj.get("managedFields"), list)
    for name, path in fields.items():
        if not path:
            continue
        if implicit and name in _TEXT_KEYS_IN_FRAMES:
            out.error(path, f"{_quote(name)} is a reserved name and cannot be a field (the rendered frames "
                            "write the prompt there)")
        for suffix in DERIVED_SUFFIXES:
            base = name[: -len(suffix)]
            if name.endswith(suffix) and base in fields:
                out.error(path, f"{_quote(name)} clashes with the {name} column Parseq derives from the field "
                                f"{base}; rename it")


def _check_prompt(prompt: Any, parts: tuple, out: _Collector) -> None:
    if not isinstance(prompt, Mapping):
        out.error(json_path(parts), f"must be a prompt object with positive and negative texts, not {describe(prompt)}")
        return
    path = json_path(parts)
    for key in prompt:
        if key not in _KNOWN_PROMPT_KEYS:
            out.warning(json_path(parts + (key,)), "unknown prompt setting; kept as is but not used")
    if "positive" not in prompt:
        out.error(json_path(parts + ("positive",)), "is missing")
    for key in ("name", "positive", "negative"):
        if key in prompt and prompt[key] is not None and not isinstance(prompt[key], str):
            if key == "name" and isinstance(prompt[key], int | float) and not isinstance(prompt[key], bool):
                continue
            out.error(json_path(parts + (key,)), f"must be text, not {describe(prompt[key])}")
    for key in ("allFrames", "enabled"):
        if key in prompt and not isinstance(prompt[key], bool):
            out.error(json_path(parts + (key,)), f"must be true or false, not {describe(prompt[key])}")
    if prompt.get("allFrames") is not True:
        bounds = {}
        for key in ("from", "to"):
            value = prompt.get(key)
            if key not in prompt:
                out.error(json_path(parts + (key,)), "is missing (needed unless allFrames is true)")
            elif not _is_whole(value):
                out.error(json_path(parts + (key,)), f"must be a whole frame number, not {describe(value)}")
            elif value < 0:
                out.error(json_path(parts + (key,)), f"must not be negative, not {describe(value)}")
            else:
                bounds[key] = value
        if len(bounds) == 2 and bounds["from"] > bounds["to"]:
            out.warning(path, f"from ({bounds['from']}) is after to ({bounds['to']}), so this prompt is never active")
    overlap = prompt.get("overlap")
    if "overlap" in prompt and overlap is not None:
        if not isinstance(overlap, Mapping):
            out.error(json_path(parts + ("overlap",)), f"must be an object {{type, inFrames, outFrames, custom}}, "
                                                      f"not {describe(overlap)}")
            return
        kind = overlap.get("type", "none")
        if kind not in ("none", "linear", "custom"):
            out.error(json_path(parts + ("overlap", "type")),
                      f'must be one of "none", "linear", "custom", not {describe(kind)}')
        for key in ("inFrames", "outFrames"):
            if key in overlap:
                number = _as_number(overlap[key])
                if number is None or isinstance(overlap[key], str):
                    out.error(json_path(parts + ("overlap", key)),
                              f"must be a number of frames, not {describe(overlap[key])}")
                elif number < 0:
                    out.error(json_path(parts + ("overlap", key)), f"must not be negative, not {describe(overlap[key])}")
        if kind == "custom" and not isinstance(overlap.get("custom"), str):
            out.error(json_path(parts + ("overlap", "custom")),
                      f"must be an expression (text) when the overlap type is custom, not {describe(overlap.get('custom'))}")


def _check_prompts(obj: Mapping, out: _Collector) -> None:
    if "prompts" not in obj:
        return
    prompts = obj["prompts"]
    if isinstance(prompts, list):
        if not prompts:
            out.warning("$.prompts", "is an empty list, so every frame has an empty prompt")
        for index, prompt in enumerate(prompts):
            _check_prompt(prompt, ("prompts", index), out)
        return
    if not isinstance(prompts, Mapping):
        return
    if "promptList" not in prompts and ("positive" in prompts or "negative" in prompts):
        # Legacy (2022) shape: {positive, negative}, one prompt for every frame.
        for key in ("positive", "negative"):
            if key in prompts and not isinstance(prompts[key], str):
                out.error(json_path(("prompts", key)), f"must be text, not {describe(prompts[key])}")
        return
    for key in prompts:
        if key not in _KNOWN_PROMPTS_V2_KEYS:
            out.warning(json_path(("prompts", key)), "unknown prompts setting; kept as is but not used")
    if "format" in prompts and prompts["format"] != "v2":
        out.warning("$.prompts.format", f'is {describe(prompts["format"])}; only "v2" is known, read as v2')
    if "enabled" in prompts and not isinstance(prompts["enabled"], bool):
        out.error("$.prompts.enabled", f"must be true or false, not {describe(prompts['enabled'])}")
    pos = prompts.get("commonPromptPos", "append")
    if pos not in ("append", "prepend", "template"):
        out.error("$.prompts.commonPromptPos", f'must be one of "append", "prepend", "template", not {describe(pos)}')
    if "promptList" not in prompts:
        out.error("$.prompts.promptList", "is missing")
    elif not isinstance(prompts["promptList"], list):
        out.error("$.prompts.promptList", f"must be a list of prompts, not {describe(prompts['promptList'])}")
    else:
        for index, prompt in enumerate(prompts["promptList"]):
            _check_prompt(prompt, ("prompts", "promptList", index), out)
    if "commonPrompt" in prompts and prompts["commonPrompt"] is not None:
        _check_prompt(prompts["commonPrompt"], ("prompts", "commonPrompt"), out)


def _check_time_series(obj: Mapping, out: _Collector) -> None:
    series = obj.get("timeSeries")
    if not isinstance(series, list):
        return
    aliases: dict[str, int] = {}
    for index, entry in enumerate(series):
        if not isinstance(entry, Mapping):
            continue
        alias = entry.get("alias")
        path = json_path(("timeSeries", index, "alias"))
        if isinstance(alias, str):
            if not _IDENTIFIER.match(alias):
                out.error(path, f"{_quote(alias)} is not a usable name (letters, digits and _, not starting with a digit)")
            elif alias in aliases:
                out.error(path, f"{_quote(alias)} is already used by $.timeSeries[{aliases[alias]}]")
            else:
                aliases[alias] = index
        ts = entry.get("ts")
        data = ts.get("data") if isinstance(ts, Mapping) else None
        if not isinstance(data, list):
            continue
        previous = None
        for sample_index, sample in enumerate(data):
            x = sample.get("x") if isinstance(sample, Mapping) else None
            if not isinstance(x, int | float) or isinstance(x, bool) or not math.isfinite(x):
                continue
            if previous is not None and x < previous:
                out.warning(json_path(("timeSeries", index, "ts", "data", sample_index, "x")),
                            f"samples should be sorted by x, but {describe(x)} comes after {describe(previous)}; "
                            "they are sorted on load")
                break
            previous = x


# ----------------------------------------------------------------------------------------------------------
# Documents


def _check_keyframes(obj: Mapping, out: _Collector, skip: set[str], max_frames: int) -> None:
    if "keyframes" not in obj:
        out.error("$.keyframes", "No keyframes found.")
        return
    keyframes = obj["keyframes"]
    if not isinstance(keyframes, list):
        return
    if not keyframes:
        out.error("$.keyframes", "No keyframes found.")
        return
    if len(keyframes) < 2:
        out.error("$.keyframes", f"There must be at least 2 keyframes to render (found {len(keyframes)}).")

    frames: dict[int, int] = {}
    lowest: tuple[int, int] | None = None
    highest: tuple[int, int] | None = None
    for index, keyframe in enumerate(keyframes):
        if not isinstance(keyframe, Mapping):
            continue
        frame_path = json_path(("keyframes", index, "frame"))
        frame = keyframe.get("frame")
        if frame_path not in skip and not out.has_error_at(frame_path) and _is_whole(frame):
            frame = int(frame)
            if frame < 0:
                out.error(frame_path, f"must not be negative, not {frame}")
            elif frame in frames:
                out.error(frame_path, f"frame {frame} is used by more than one keyframe "
                                      f"(also $.keyframes[{frames[frame]}])")
            else:
                frames[frame] = index
                if lowest is None or frame < lowest[0]:
                    lowest = (frame, index)
                if highest is None or frame > highest[0]:
                    highest = (frame, index)
        _check_cells(keyframe, index, out, skip)
    if lowest is not None and lowest[0] != 0 and not any(
        _is_whole(k.get("frame")) and k.get("frame") < 0 for k in keyframes if isinstance(k, Mapping)
    ):
        out.error(json_path(("keyframes", lowest[1], "frame")),
                  f"the first keyframe must be at frame 0, but the earliest is at frame {lowest[0]}")
    if highest is not None and highest[0] + 1 > max_frames:
        out.error(json_path(("keyframes", highest[1], "frame")),
                  f"the last keyframe (frame {describe(highest[0])}) is past the limit: "
                  f"a render may have at most {max_frames:,} frames")


def _check_cells(keyframe: Mapping, index: int, out: _Collector, skip: set[str]) -> None:
    for key, value in keyframe.items():
        if key in ("frame", "info"):
            continue
        path = json_path(("keyframes", index, key))
        if path in skip or out.has_error_at(path):
            continue
        if key.endswith("_i"):
            if isinstance(value, str) and len(value) > 100_000:
                out.error(path, f"the expression is {len(value):,} characters long; the limit here is 100,000")
            elif isinstance(value, bool | int | float):
                meaning = "no interpolation" if not value else f'the expression "{describe(value)}"'
                out.warning(path, f"{describe(value)} is not an expression (text); read as Parseq does: {meaning}")
            continue
        if not isinstance(key, str) or not key:
            out.warning(path, "a field with an empty name is ignored")
            continue
        if isinstance(value, bool):
            out.warning(path, f"{describe(value)} is not a number, so this keyframe has no {key} value "
                              f"(Parseq read it as {int(value)})")
        elif isinstance(value, str) and re.fullmatch(r"\s*[+-]?Infinity\s*", value):
            out.error(path, f"{describe(value)} is not a finite number")
        elif isinstance(value, str) and value != "" and numeric_text_value(value) is None:
            out.warning(path, f"{describe(value)} is not a number, so this keyframe has no {key} value "
                              f"(an expression belongs in {key}_i)")
        elif isinstance(value, str) and value != "":
            number = numeric_text_value(value)
            if number is not None and not math.isfinite(number):
                out.error(path, f"{describe(value)} is too large")


def validate_document(obj: Any, *, max_frames: int = DEFAULT_MAX_FRAMES) -> list[Problem]:
    """Every problem in a Parseq keyframe document (``ParseqPersistableState``), errors and warnings, in one pass."""
    out = _Collector()
    skip = _check_numbers_everywhere(obj, out)
    _schema_problems(_validator("document"), obj, out, skip)
    if not isinstance(obj, Mapping):
        return out.problems
    _check_top_level_keys(obj, out)
    _check_options(obj, out, skip)
    _check_managed_fields(obj, out)
    _check_field_names(obj, out)
    _check_keyframes(obj, out, skip, max_frames)
    _check_prompts(obj, out)
    _check_time_series(obj, out)
    return out.problems


# ----------------------------------------------------------------------------------------------------------
# Manifests


def _check_rendered_frames(obj: Mapping, out: _Collector, skip: set[str], max_frames: int) -> None:
    if "rendered_frames" not in obj:
        hint = " (this looks like a keyframe document: compile it first)" if "keyframes" in obj else ""
        out.error("$.rendered_frames", f"is missing, so this is not a rendered Parseq manifest{hint}")
        return
    frames = obj["rendered_frames"]
    if not isinstance(frames, list):
        return
    if not frames:
        out.error("$.rendered_frames", "is empty: there are no frames to render")
        return
    if len(frames) > max_frames:
        out.error("$.rendered_frames", f"has {len(frames):,} frames, more than the limit of {max_frames:,}")
    seen: dict[int, int] = {}
    expected = 0
    for index, frame_obj in enumerate(frames):
        if not isinstance(frame_obj, Mapping):
            expected += 1
            continue
        path = json_path(("rendered_frames", index, "frame"))
        frame = frame_obj.get("frame")
        if path not in skip and not out.has_error_at(path) and _is_whole(frame):
            frame = int(frame)
            if frame in seen:
                out.error(path, f"frame {frame} appears more than once (also $.rendered_frames[{seen[frame]}])")
            elif frame < 0:
                out.error(path, f"must not be negative, not {frame}")
            elif frame != expected:
                if frame > expected:
                    missing = f"frame {expected}" if frame == expected + 1 else f"frames {expected}–{frame - 1}"
                    out.error(path, f"frames must be contiguous from 0, but {missing} "
                                    f"{'is' if frame == expected + 1 else 'are'} missing before frame {frame}")
                else:
                    out.error(path, f"frame {frame} is out of order (expected frame {expected} here)")
            if frame >= 0:
                seen.setdefault(frame, index)
                expected = max(expected, frame) + 1
            continue
        expected += 1
    for index, frame_obj in enumerate(frames):
        if not isinstance(frame_obj, Mapping):
            continue
        for key, value in frame_obj.items():
            if key == "frame" or key in _TEXT_KEYS_IN_FRAMES:
                continue
            path = json_path(("rendered_frames", index, key))
            if path in skip or out.has_error_at(path):
                continue
            if isinstance(value, str):
                out.error(path, f"must be a number, not {describe(value)}")
            elif value is None:
                out.warning(path, "is null (NaN in Parseq): no usable value on this frame")


def validate_manifest(obj: Any, *, max_frames: int = DEFAULT_MAX_FRAMES) -> list[Problem]:
    """Every problem in a rendered Parseq manifest (``rendered_frames`` …), errors and warnings, in one pass."""
    out = _Collector()
    skip = _check_numbers_everywhere(obj, out)
    _schema_problems(_validator("manifest"), obj, out, skip)
    if not isinstance(obj, Mapping):
        return out.problems
    _check_top_level_keys(obj, out)
    if "options" in obj:
        _check_options(obj, out, skip)
    _check_rendered_frames(obj, out, skip, max_frames)
    return out.problems


def is_manifest(obj: Any) -> bool:
    """True for a rendered manifest (it has ``rendered_frames``), False for a keyframe document."""
    return isinstance(obj, Mapping) and "rendered_frames" in obj


def validate(obj: Any, *, max_frames: int = DEFAULT_MAX_FRAMES) -> list[Problem]:
    """Validate as a manifest when it has ``rendered_frames``, otherwise as a keyframe document."""
    if is_manifest(obj):
        return validate_manifest(obj, max_frames=max_frames)
    return validate_document(obj, max_frames=max_frames)


# ----------------------------------------------------------------------------------------------------------
# Turning problems into one error


def errors_only(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.severity == "error"]


def problems_to_error(problems: list[Problem], *, what: str = "document") -> DocumentError | None:
    """One DocumentError listing every error problem (``path: message`` per line), or None when there are none."""
    errors = errors_only(problems)
    if not errors:
        return None
    if len(errors) == 1:
        return DocumentError(f"invalid {what}: {errors[0].message}", path=errors[0].path)
    lines = "\n".join(f"  {problem.path}: {problem.message}" for problem in errors)
    return DocumentError(f"invalid {what}, {len(errors)} problems:\n{lines}")


def raise_for_problems(problems: list[Problem], *, what: str = "document") -> None:
    """Raise the DocumentError of ``problems_to_error`` when any problem is an error; warnings pass."""
    error = problems_to_error(problems, what=what)
    if error is not None:
        raise error
