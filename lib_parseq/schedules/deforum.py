"""Deforum schedule strings (``0:(1.0), 30:(1.5)``): export from a manifest, import into keyframes.

Export (``to_deforum_schedules``) writes, per field, the frames where the per-frame values stop lying on one
straight line: keyframes of a piecewise-linear field, every frame of a curve. Deforum's linear interpolation
between the written points then reproduces every rendered frame. Motion fields are written as the per-frame
change (the ``_delta`` values) because Deforum's own motion schedules are per-frame increments.

Import (``parse_deforum_schedule``, ``deforum_settings_to_document``) reads schedule strings with a small
parser of our own (``deforum_expressions``; never ``eval`` or numexpr) and writes Parseq keyframes that
reproduce Deforum's meaning: numbers interpolate linearly, an expression holds from its keyframe to the next,
and motion increments are accumulated into the absolute values Parseq keyframes hold.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from lib_parseq.errors import DocumentError
from lib_parseq.schedules.deforum_expressions import (
    Node,
    format_number,
    frame_number,
    parse_expression,
    to_parseq,
)
from lib_parseq.schedules.fields import (
    CONTROLNET_UNITS,
    DEFORUM_DELTA_FIELDS,
    MODERN_FIELDS,
    MULTIPLICATIVE_DELTA_FIELDS,
)

DERIVED_SEED_FIELDS = ("subseed", "subseed_strength")
"""Exported for Deforum, never imported: Parseq derives them from a fractional seed."""


def _schedule_keys() -> dict[str, str]:
    keys = {name: name for name in (
        "angle", "zoom", "translation_x", "translation_y", "translation_z", "transform_center_x",
        "transform_center_y", "rotation_3d_x", "rotation_3d_y", "rotation_3d_z", "perspective_flip_theta",
        "perspective_flip_phi", "perspective_flip_gamma", "perspective_flip_fv",
    )}
    keys.update({
        "noise": "noise_schedule",
        "strength": "strength_schedule",
        "contrast": "contrast_schedule",
        "scale": "cfg_scale_schedule",
        "seed": "seed_schedule",
        "fov": "fov_schedule",
        "near": "near_schedule",
        "far": "far_schedule",
        "clipskip": "clipskip_schedule",
        "noise_multiplier": "noise_multiplier_schedule",
        "antiblur_kernel": "kernel_schedule",
        "antiblur_sigma": "sigma_schedule",
        "antiblur_amount": "amount_schedule",
        "antiblur_threshold": "threshold_schedule",
        "cadence_flow_factor": "cadence_flow_factor_schedule",
        "redo_flow_factor": "redo_flow_factor_schedule",
        "hybrid_flow_factor": "hybrid_flow_factor_schedule",
        "guided_blendFactorMax": "blendFactorMax",
        "guided_blendFactorSlope": "blendFactorSlope",
        "guided_tweening_frames": "tweening_frames_schedule",
        "guided_color_correction_factor": "color_correction_factor",
    })
    for name in MODERN_FIELDS:
        if name.startswith("hybrid_comp_"):
            keys[name] = f"{name}_schedule"
    for unit in range(1, CONTROLNET_UNITS + 1):
        for part in ("weight", "guidance_start", "guidance_end"):
            keys[f"cn_{unit}_{part}"] = f"cn_{unit}_{part}"
    keys.update({name: f"{name}_schedule" for name in DERIVED_SEED_FIELDS})
    return keys


DEFORUM_SCHEDULE_KEYS: Mapping[str, str] = _schedule_keys()
"""Parseq field → the Deforum settings key holding its schedule string."""

FIELDS_BY_SCHEDULE_KEY: Mapping[str, str] = {key: field for field, key in DEFORUM_SCHEDULE_KEYS.items()}

# Schedules Deforum reads only when a switch in the settings is on.
SCHEDULE_SWITCHES: Mapping[str, tuple[str, Any]] = {
    "seed": ("seed_behavior", "schedule"),
    "clipskip": ("enable_clipskip_scheduling", True),
    "noise_multiplier": ("enable_noise_multiplier_scheduling", True),
}

DEFAULT_DEFORUM_FPS = 15
DEFAULT_DEFORUM_MAX_FRAMES = 120
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)")
_PROMPT_MATH = re.compile(r"`([^`]*)`")
_NEGATIVE_MARK = "--neg"

# ----------------------------------------------------------------------------------------------------------
# Reading schedule strings


@dataclass(frozen=True)
class ScheduleEntry:
    """One ``frame:(value)`` item: a number, or an expression tree to be evaluated per frame."""

    frame: int
    number: float | None
    expression: Node | None


def _split_top_level(text: str, separator: str) -> list[tuple[int, str]]:
    """Split on ``separator`` outside parentheses and quotes; each part with its start offset."""
    parts, depth, quote, start = [], 0, "", 0
    for index, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append((start, text[start:index]))
            start = index + 1
    parts.append((start, text[start:]))
    return parts


def _unwrap_value(text: str) -> str:
    """``(0.5)`` → ``0.5``; quotes around the value are dropped as Deforum does."""
    value = text.strip()
    if value.startswith("(") and value.endswith(")"):
        value = value[1:-1]
    return value.strip().strip("\"'").strip()


def read_schedule(text: str, *, constants: Mapping[str, float] | None = None) -> list[ScheduleEntry]:
    """Parse a Deforum schedule string into entries sorted by frame (a repeated frame: the last one wins)."""
    constants = dict(constants or {})
    if text is None or str(text).strip() == "":
        return []
    text = str(text)
    entries: dict[int, ScheduleEntry] = {}
    for offset, item in _split_top_level(text, ","):
        if item.strip() == "":
            if offset == 0 or offset >= len(text):
                continue
            raise DocumentError("empty item between commas", text=text, line=1, column=offset + 1)
        pieces = _split_top_level(item, ":")
        if len(pieces) < 2:
            raise DocumentError("expected frame:(value)", text=text, line=1, column=offset + 1)
        if len(pieces) > 2:
            raise DocumentError("a second ':' in one item; is a comma missing between two items?", text=text,
                                line=1, column=offset + pieces[2][0])
        frame_text = pieces[0][1].strip().strip("\"'").strip()
        value_offset = offset + pieces[1][0]
        value_text = item[pieces[1][0]:]
        try:
            frame = frame_number(parse_expression(frame_text), constants=constants, text=frame_text)
        except DocumentError as error:
            raise DocumentError(f"bad keyframe position {frame_text!r}: {error.message}", text=text, line=1,
                                column=offset + 1) from None
        inner = _unwrap_value(value_text)
        cleaned = inner.replace("(", "").replace(")", "").replace('"', "").replace("'", "").strip()
        if _PLAIN_NUMBER.fullmatch(cleaned):
            entries[frame] = ScheduleEntry(frame, float(cleaned), None)
            continue
        try:
            entries[frame] = ScheduleEntry(frame, None, parse_expression(inner))
        except DocumentError as error:
            column = value_offset + value_text.find(inner[:1]) + (error.column or 1) if inner else value_offset + 1
            raise DocumentError(error.message, text=text, line=1, column=column) from None
    if not entries:
        raise DocumentError("no frame:(value) items found", text=text, line=1, column=1)
    return [entries[frame] for frame in sorted(entries)]


def parse_deforum_schedule(
    text: str, *, max_frames: int | None = None, seed: float | None = None
) -> list[tuple[int, float | str]]:
    """``"0:(1.0), 30:(sin(t))"`` → ``[(0, 1.0), (30, "_sin(f)")]``: numbers stay numbers, expressions
    become Parseq text (``t`` → ``f``; ``max_f`` and ``s`` are replaced by their values when given)."""
    constants = _constants(max_frames, seed)
    entries = read_schedule(text, constants=constants)
    return [
        (entry.frame, entry.number if entry.expression is None else to_parseq(entry.expression, constants=constants))
        for entry in entries
    ]


def _constants(max_frames: int | None, seed: float | None) -> dict[str, float]:
    constants: dict[str, float] = {}
    if max_frames is not None:
        constants["max_f"] = float(max_frames - 1)
    if seed is not None and seed >= 0:
        constants["s"] = float(seed)
    return constants


# ----------------------------------------------------------------------------------------------------------
# Schedule entries → Parseq keyframe cells


def _value_at(entry: ScheduleEntry, frame: int, constants: Mapping[str, float]) -> str:
    """Parseq text for the entry's value at one fixed frame."""
    if entry.expression is None:
        return format_number(entry.number or 0.0)
    return to_parseq(entry.expression, constants={**constants, "t": float(frame)})


def _segment_text(entry: ScheduleEntry, following: ScheduleEntry | None, constants: Mapping[str, float]) -> str:
    """Parseq text of the value from this entry until the next one, as Deforum computes it."""
    if entry.expression is not None:
        return to_parseq(entry.expression, constants=constants)
    start = format_number(entry.number or 0.0)
    if following is None:
        return start
    end = _value_at(following, following.frame, constants)
    span = following.frame - entry.frame
    return f"({start} + ({end} - {start}) * (f - {entry.frame}) / {span})"


def _absolute_cells(entries: list[ScheduleEntry], field: str, constants: Mapping[str, float]) -> dict[int, dict]:
    """Keyframe cells of a field Deforum reads as absolute values."""
    cells: dict[int, dict] = {}
    interpolation = "L"
    if entries[0].frame > 0 and entries[0].expression is not None:
        interpolation = _value_at(entries[0], entries[0].frame, constants)
        cells[0] = {f"{field}_i": interpolation}
    for index, entry in enumerate(entries):
        following = entries[index + 1] if index + 1 < len(entries) else None
        cell: dict[str, Any] = {}
        if entry.expression is None:
            cell[field] = entry.number
            wanted = "L" if following is None or following.expression is None else _segment_text(
                entry, following, constants
            )
        else:
            wanted = _segment_text(entry, following, constants)
        if wanted != interpolation or (entry.expression is not None):
            cell[f"{field}_i"] = wanted
            interpolation = wanted
        cells[entry.frame] = cell
    return cells


def _motion_cells(entries: list[ScheduleEntry], field: str, constants: Mapping[str, float],
                  last_frame: int) -> dict[int, dict]:
    """Keyframe cells of a motion field: Deforum's per-frame increments summed into absolute values."""
    multiplicative = field in MULTIPLICATIVE_DELTA_FIELDS
    if len(entries) == 1 and entries[0].expression is None:
        step = entries[0].number or 0.0
        total = step + last_frame * (step - 1.0 if multiplicative else step)
        return {0: {field: step}, last_frame: {field: total}}
    cells: dict[int, dict] = {}
    segments = []
    if entries[0].frame > 0:
        segments.append((0, _value_at(entries[0], entries[0].frame, constants)))
    for index, entry in enumerate(entries):
        following = entries[index + 1] if index + 1 < len(entries) else None
        segments.append((entry.frame, _segment_text(entry, following, constants)))
    for frame, step in segments:
        if multiplicative:
            text = f"prev_computed_value + {step} - 1"
            if frame == 0:
                text = f"if (f == 0) {step} else {text}"
        else:
            text = f"prev_computed_value + {step}"
        cells[frame] = {f"{field}_i": text}
    return cells


def schedule_to_cells(text: str, field: str, *, max_frames: int, seed: float | None = None,
                      as_increments: bool | None = None) -> dict[int, dict]:
    """Parseq keyframe cells ({frame: {field: value, field_i: text}}) reproducing a Deforum schedule."""
    constants = _constants(max_frames, seed)
    try:
        entries = [e for e in read_schedule(text, constants=constants) if e.frame < max_frames]
    except DocumentError as error:
        raise error.located(field=field) from None
    if not entries:
        return {}
    increments = field in DEFORUM_DELTA_FIELDS if as_increments is None else as_increments
    try:
        if increments:
            return _motion_cells(entries, field, constants, max_frames - 1)
        return _absolute_cells(entries, field, constants)
    except DocumentError as error:
        raise error.located(field=field, text=text) from None


# ----------------------------------------------------------------------------------------------------------
# A Deforum settings file → a keyframe document


def _settings_number(settings: Mapping[str, Any], key: str, default: float) -> float:
    value = settings.get(key, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DocumentError(f"{key} must be a number, found {value!r}", path=f"$.{key}") from None
    if not math.isfinite(number):
        raise DocumentError(f"{key} must be a finite number", path=f"$.{key}")
    return number


def _prompt_text(text: str) -> str:
    """Deforum's backtick maths in prompts becomes Parseq ``${…}`` (``t`` → ``f``)."""

    def convert(match: re.Match[str]) -> str:
        return "${" + to_parseq(parse_expression(match.group(1)), constants={}) + "}"

    return _PROMPT_MATH.sub(convert, text)


def _prompts(settings: Mapping[str, Any], last_frame: int, constants: Mapping[str, float]) -> dict[str, Any]:
    raw = settings.get("prompts") or settings.get("animation_prompts") or {}
    if isinstance(raw, str):
        raise DocumentError("prompts must be an object {\"frame\": \"prompt\"}", path="$.prompts")
    starts = []
    for key, text in raw.items():
        try:
            frame = frame_number(parse_expression(str(key)), constants=constants, text=str(key))
        except DocumentError as error:
            raise error.located(path=f"$.prompts[{key!r}]") from None
        if frame <= last_frame:
            starts.append((frame, str(text)))
    starts.sort()
    prompt_list = []
    for index, (frame, text) in enumerate(starts):
        end = starts[index + 1][0] - 1 if index + 1 < len(starts) else last_frame
        positive, _, negative = text.partition(_NEGATIVE_MARK)
        try:
            positive, negative = _prompt_text(positive.strip()), _prompt_text(negative.strip())
        except DocumentError as error:
            raise error.located(path=f"$.prompts[\"{frame}\"]") from None
        prompt_list.append({
            "name": f"Prompt {index + 1}", "positive": positive, "negative": negative, "allFrames": False,
            "from": frame, "to": end,
            "overlap": {"inFrames": 0, "outFrames": 0, "type": "none", "custom": "prompt_weight_1"},
        })
    extra_positive = str(settings.get("positive_prompts") or "").strip()
    extra_negative = str(settings.get("negative_prompts") or "").strip()
    return {
        "format": "v2",
        "enabled": bool(prompt_list),
        "commonPrompt": {
            "name": "Common",
            "positive": f"{extra_positive} [prompt]" if extra_positive else "",
            "negative": f"[prompt] {extra_negative}" if extra_negative else "",
            "allFrames": True, "from": 0, "to": last_frame,
            "overlap": {"inFrames": 0, "outFrames": 0, "type": "none", "custom": "prompt_weight_1"},
        },
        "commonPromptPos": "template",
        "promptList": prompt_list,
    }


def deforum_settings_to_document(settings: Mapping[str, Any]) -> dict[str, Any]:
    """A Parseq keyframe document reproducing a Deforum settings file's schedules, prompts, fps and length.

    Each schedule string Deforum would use becomes a managed field. Seed, clip-skip and noise-multiplier
    schedules are taken only when the settings switch them on; subseed schedules are left out because
    Parseq derives subseeds from a fractional seed.
    """
    if not isinstance(settings, Mapping):
        raise DocumentError("Deforum settings must be a JSON object", path="$")
    max_frames = int(_settings_number(settings, "max_frames", DEFAULT_DEFORUM_MAX_FRAMES))
    if max_frames < 2:
        raise DocumentError("max_frames must be at least 2", path="$.max_frames")
    last_frame = max_frames - 1
    fps = _settings_number(settings, "fps", DEFAULT_DEFORUM_FPS)
    seed = _settings_number(settings, "seed", -1)
    constants = _constants(max_frames, seed)

    keyframes: dict[int, dict[str, Any]] = {0: {"frame": 0}, last_frame: {"frame": last_frame}}
    managed = []
    for field, key in DEFORUM_SCHEDULE_KEYS.items():
        if field in DERIVED_SEED_FIELDS or key not in settings or not isinstance(settings[key], str) or not settings[key].strip():
            continue
        switch = SCHEDULE_SWITCHES.get(field)
        if switch and settings.get(switch[0]) != switch[1]:
            continue
        try:
            cells = schedule_to_cells(settings[key], field, max_frames=max_frames, seed=seed)
        except DocumentError as error:
            raise error.located(path=f"$.{key}") from None
        if not cells:
            continue
        managed.append(field)
        for frame, cell in cells.items():
            keyframes.setdefault(frame, {"frame": frame}).update(cell)
    cadence = settings.get("diffusion_cadence", 1)
    return {
        "meta": {"generated_by": "sd-webui-parseq (imported from Deforum settings)"},
        "options": {"output_fps": fps, "bpm": 140, "cadence": int(_settings_number({"c": cadence}, "c", 1))},
        "managedFields": managed,
        "displayedFields": managed[:5],
        "keyframes": [keyframes[frame] for frame in sorted(keyframes)],
        "prompts": _prompts(settings, last_frame, constants),
        "timeSeries": [],
        "keyframeLock": "frames",
        "reverseRender": False,
    }


# ----------------------------------------------------------------------------------------------------------
# Writing schedule strings


def breakpoints(values: np.ndarray, *, rel_tol: float = 1e-9) -> np.ndarray:
    """Indices where linear interpolation must restart: the ends and every change of slope.

    Interpolating linearly between the returned points reproduces ``values`` (within ``rel_tol`` of the
    field's magnitude); a curve therefore keeps every frame, a piecewise-linear field only its keyframes.
    NaN frames are skipped (Deforum interpolates across the gap).
    """
    frames = np.flatnonzero(np.isfinite(values))
    if frames.size <= 2:
        return frames
    finite = values[frames]
    scale = max(1.0, float(np.max(np.abs(finite))))
    slopes = np.diff(finite) / np.diff(frames)
    bends = np.flatnonzero(np.abs(np.diff(slopes)) > rel_tol * scale) + 1
    kept = np.concatenate(([0], bends, [frames.size - 1]))
    rebuilt = np.interp(frames, frames[kept], finite[kept])
    if np.max(np.abs(rebuilt - finite)) > 1e-6 * scale:
        return frames
    return frames[kept]


def schedule_string(values: np.ndarray) -> str:
    """``0:(1), 30:(1.5)`` for a per-frame series (frame i = values[i])."""
    return ", ".join(f"{frame}:({format_number(float(values[frame]))})" for frame in breakpoints(values))


def _column(frames: list[Mapping[str, Any]], key: str) -> np.ndarray:
    column = np.full(len(frames), np.nan)
    for index, frame in enumerate(frames):
        value = frame.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            column[index] = value
    return column


def _frame_fields(first: Mapping[str, Any]) -> list[str]:
    return [
        key for key, value in first.items()
        if key != "frame" and not key.endswith(("_delta", "_pc")) and isinstance(value, (int, float, type(None)))
        and not isinstance(value, bool)
    ]


def to_deforum_schedules(manifest: Mapping[str, Any], fields: Iterable[str] | None = None) -> dict[str, str]:
    """Deforum schedule strings for a rendered manifest, keyed by Deforum settings key.

    Motion fields (angle, zoom, translation, 3D rotation, perspective flip angles) are written as their
    per-frame change, which is what Deforum's own schedules mean; everything else as absolute values. A
    field with no Deforum schedule (prompt weights, custom fields) is keyed by its own name.
    """
    frames = manifest.get("rendered_frames")
    if not isinstance(frames, list) or not frames or not isinstance(frames[0], Mapping):
        raise DocumentError("the manifest has no rendered_frames", path="$.rendered_frames")
    available = _frame_fields(frames[0])
    wanted = list(fields) if fields is not None else available
    unknown = [name for name in wanted if name not in available]
    if unknown:
        raise DocumentError(f"not in the manifest: {', '.join(unknown)}; available: {', '.join(available)}")
    ordered = sorted(range(len(frames)), key=lambda i: frames[i].get("frame", i))
    frames = [frames[i] for i in ordered]
    schedules = {}
    for name in wanted:
        if name in DEFORUM_DELTA_FIELDS:
            values = _column(frames, f"{name}_delta")
            if np.isnan(values).all():
                absolute = _column(frames, name)
                values = np.concatenate((absolute[:1], np.diff(absolute)))
                if name in MULTIPLICATIVE_DELTA_FIELDS:
                    values[1:] += 1.0
        else:
            values = _column(frames, name)
        schedules[DEFORUM_SCHEDULE_KEYS.get(name, name)] = schedule_string(values)
    return schedules
