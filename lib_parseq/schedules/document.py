"""Parseq keyframe documents: reading one from JSON, filling the app's defaults, converting the 2022 format.

``load_document`` accepts what the Parseq web app saves (modern vocabulary, ``managedFields``, v2 or older
prompt formats, time series) and what the 2022 app saved (``denoise``, ``rotx``, ``loopback_frames``...,
``{positive, negative}`` prompts). The result is a ``Document``: the normalised JSON (what the manifest
repeats) plus the typed pieces compilation needs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lib_parseq import json_input
from lib_parseq.errors import DocumentError
from lib_parseq.json_input import read_file_text
from lib_parseq.schedules.fields import (
    DEFAULT_DISPLAYED_FIELD_COUNT,
    LEGACY_FIELDS,
    MODERN_FIELDS,
    field_default,
    is_legacy_vocabulary,
)
from lib_parseq.schedules.prompts import PromptSettings, normalise_prompts
from lib_parseq.schedules.validate import DEFAULT_MAX_FRAMES, validate_document
from lib_parseq.schedules.validate_problems import raise_for_problems

DEFAULT_OPTIONS: Mapping[str, Any] = {
    "input_fps": 20,
    "bpm": 140,
    "output_fps": 20,
    "cc_window_width": 0,
    "cc_window_slide_rate": 1,
    "cc_use_input": False,
    "cadence": 1,
}

TOP_LEVEL_ORDER = (
    "meta",
    "options",
    "managedFields",
    "displayedFields",
    "keyframes",
    "prompts",
    "timeSeries",
    "keyframeLock",
    "reverseRender",
)
RENDER_KEYS = ("rendered_frames", "rendered_frames_meta")
KEYFRAME_RESERVED_KEYS = frozenset({"frame", "info"})


@dataclass(frozen=True)
class Options:
    """The options the renderer uses: frames per second, beats per minute, diffusion cadence."""

    fps: float
    bpm: float
    cadence: float


@dataclass(frozen=True)
class TimeSeriesData:
    """One ``timeSeries`` entry: an alias and its (x, y) samples, x in frames or milliseconds."""

    alias: str
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    in_milliseconds: bool


@dataclass(frozen=True)
class Document:
    """A loaded keyframe document: normalised JSON plus the parts compilation reads."""

    data: dict[str, Any]
    options: Options
    managed_fields: tuple[str, ...]
    keyframes: tuple[dict[str, Any], ...]
    prompts: PromptSettings
    time_series: tuple[TimeSeriesData, ...]
    legacy: bool

    @property
    def first_frame(self) -> int:
        return int(self.keyframes[0]["frame"])

    @property
    def last_frame(self) -> int:
        return int(self.keyframes[-1]["frame"])

    @property
    def frame_count(self) -> int:
        """Rendered frames run from 0 to the last keyframe, inclusive."""
        return self.last_frame + 1

    def default_for(self, field: str) -> float:
        return field_default(field, legacy=self.legacy)


def read_json_file(path: str | Path) -> dict[str, Any]:
    """Read a JSON object from a file (``-``: standard input) with the size cap and the rules of
    :mod:`lib_parseq.json_input`; bad JSON is a DocumentError at line:column."""
    origin = "standard input" if str(path) == "-" else str(path)
    return parse_json_text(read_file_text(path), origin=origin)


def parse_json_text(text: str, *, origin: str = "<text>") -> dict[str, Any]:
    """Parse JSON text that must hold an object; errors name ``origin`` and line:column."""
    value = json_input.parse_json_text(text, origin=origin)
    if not isinstance(value, dict):
        raise DocumentError(f"expected a JSON object at the top level, found {type(value).__name__}", path=origin)
    return value


def _option_number(value: Any) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return math.nan
    return math.nan


def _legacy_output_fps(options: Mapping[str, Any]) -> Any:
    """The 2022 app fell back to input_fps, then 20, when output_fps was blank."""
    if options.get("output_fps") not in (None, ""):
        return options["output_fps"]
    return options.get("input_fps") if options.get("input_fps") not in (None, "") else 20


def check_document(obj: Any, *, max_frames: int = DEFAULT_MAX_FRAMES) -> None:
    """Raise one DocumentError listing every error the validator finds (warnings pass)."""
    raise_for_problems(validate_document(obj, max_frames=max_frames))


def _detect_legacy(obj: Mapping[str, Any]) -> bool:
    if obj.get("managedFields") is not None:
        return False
    names = {key[:-2] if key.endswith("_i") else key for kf in obj["keyframes"] for key in kf}
    return is_legacy_vocabulary(names)


def _custom_fields(keyframes: list[dict[str, Any]], known: tuple[str, ...]) -> list[str]:
    """Field names used in keyframes that the vocabulary does not list, in order of first use."""
    seen = set(known)
    found = []
    for keyframe in keyframes:
        for key in keyframe:
            name = key[:-2] if key.endswith("_i") else key
            if name in KEYFRAME_RESERVED_KEYS or name in seen:
                continue
            seen.add(name)
            found.append(name)
    return found


def _time_series(raw: list[Any]) -> tuple[TimeSeriesData, ...]:
    """The validated ``timeSeries`` entries, samples sorted by x."""
    series = []
    for entry in raw:
        ts = entry.get("ts") or {}
        points = sorted((float(point["x"]), float(point["y"])) for point in ts.get("data") or [])
        series.append(
            TimeSeriesData(
                alias=entry["alias"],
                xs=tuple(x for x, _ in points),
                ys=tuple(y for _, y in points),
                in_milliseconds=ts.get("timestampType") == 1,
            )
        )
    return tuple(series)


def _ordered(data: dict[str, Any]) -> dict[str, Any]:
    """Top-level keys in the order the app writes them, unknown keys after."""
    ordered = {key: data[key] for key in TOP_LEVEL_ORDER if key in data}
    ordered.update({key: value for key, value in data.items() if key not in ordered and key not in RENDER_KEYS})
    return ordered


def copy_json(value: Any) -> Any:
    """A deep copy of a JSON tree (dicts, lists, scalars) without recursion: any depth ``json`` reads is fine."""

    def shell(item: Any) -> Any:
        return {} if isinstance(item, dict) else [] if isinstance(item, list) else item

    root = shell(value)
    pending = [(value, root)] if root is not value else []
    while pending:
        source, target = pending.pop()
        for key, item in (source.items() if isinstance(source, dict) else enumerate(source)):
            child = shell(item)
            if isinstance(target, dict):
                target[key] = child
            else:
                target.append(child)
            if child is not item:
                pending.append((item, child))
    return root


def load_document(obj: Mapping[str, Any], *, max_frames: int = DEFAULT_MAX_FRAMES, checked: bool = False) -> Document:
    """Check a keyframe document and fill in what the app would (options, fields, prompts, lock...).

    ``max_frames`` caps the render length (last keyframe + 1); a longer document is a DocumentError.
    ``checked=True``: the caller has validated ``obj`` with the same ``max_frames`` and raised for its errors.
    """
    if not checked:
        check_document(obj, max_frames=max_frames)
    data = copy_json(dict(obj))
    legacy = _detect_legacy(data)
    keyframes = sorted(data["keyframes"], key=lambda kf: kf["frame"])
    for keyframe in keyframes:
        keyframe["frame"] = int(keyframe["frame"])
    data["keyframes"] = keyframes
    last_frame = keyframes[-1]["frame"]

    options = {**DEFAULT_OPTIONS, **(data.get("options") or {})}
    if legacy:
        options["output_fps"] = _legacy_output_fps(data.get("options") or {})
    data["options"] = options
    fps, bpm, cadence = (_option_number(options.get(k)) for k in ("output_fps", "bpm", "cadence"))
    if math.isnan(cadence) or cadence <= 0:
        cadence = 1.0

    managed = data.get("managedFields")
    if managed is None:
        vocabulary = LEGACY_FIELDS if legacy else MODERN_FIELDS
        managed = list(vocabulary) + _custom_fields(keyframes, vocabulary)
    managed = list(dict.fromkeys(managed))
    data["managedFields"] = managed
    if data.get("displayedFields") is None:
        data["displayedFields"] = managed[:DEFAULT_DISPLAYED_FIELD_COUNT]

    data["prompts"] = normalise_prompts(data.get("prompts"), last_frame)
    data.setdefault("timeSeries", [])
    data.setdefault("keyframeLock", "frames")
    data.setdefault("reverseRender", False)

    return Document(
        data=_ordered(data),
        options=Options(fps=fps, bpm=bpm, cadence=cadence),
        managed_fields=tuple(managed),
        keyframes=tuple(keyframes),
        prompts=PromptSettings.from_json(data["prompts"]),
        time_series=_time_series(data["timeSeries"]),
        legacy=legacy,
    )


def load_document_file(path: str | Path, *, max_frames: int = DEFAULT_MAX_FRAMES) -> Document:
    """``load_document(read_json_file(path))``, with the file named in errors."""
    try:
        return load_document(read_json_file(path), max_frames=max_frames)
    except DocumentError as error:
        raise error.located(source=str(path)) from None
