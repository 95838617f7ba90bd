"""Keyframe cells: which cells hold a value, the bookended defined keyframes, and interpolation spans.

These are the per-field inputs of evaluation (spec §6.2 steps 2–4): the defined keyframes (DK) are the
keyframes that have a value for the field plus a synthetic bookend at the first and last keyframe when
those have none; an interpolation declared at a keyframe applies from there until the next declaration.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from lib_parseq.language.values import js_number_to_string, to_number


def has_value(cell: Any) -> bool:
    """A cell has a value iff it is a JSON number or a numeric string (not blank, not a boolean)."""
    if isinstance(cell, bool) or cell is None:
        return False
    if isinstance(cell, (int, float)):
        return not math.isnan(cell)
    if isinstance(cell, str):
        return cell.strip() != "" and not math.isnan(to_number(cell))
    return False


def cell_value(cell: Any) -> float:
    """The number a cell holds (call only when ``has_value(cell)``)."""
    return float(cell) if not isinstance(cell, str) else to_number(cell)


def interpolation_text(cell: Any) -> str | None:
    """The interpolation a ``<field>_i`` cell declares, or None when it declares none (Parseq: falsy cell)."""
    if cell is None or cell is False or cell == "" or isinstance(cell, (list, dict)):
        return None
    if cell is True:
        return "true"
    if isinstance(cell, (int, float)):
        return None if cell == 0 or math.isnan(cell) else js_number_to_string(float(cell))
    return str(cell)


def defined_keyframes(
    keyframes: Sequence[Mapping[str, Any]], field: str, default: float
) -> list[tuple[int, float]]:
    """The sorted (frame, value) pairs of a field, with bookends at the first and last keyframe (§6.2 step 3)."""
    valued = [(int(kf["frame"]), cell_value(kf[field])) for kf in keyframes if has_value(kf.get(field))]
    if not keyframes:
        return valued
    first_frame = int(keyframes[0]["frame"])
    last_frame = int(keyframes[-1]["frame"])
    if not valued:
        return [(first_frame, default), (last_frame, default)] if last_frame != first_frame else [(first_frame, default)]
    points = list(valued)
    if points[0][0] != first_frame:
        points.insert(0, (first_frame, points[0][1]))
    if points[-1][0] != last_frame:
        points.append((last_frame, points[-1][1]))
    return points


def interpolations(keyframes: Sequence[Mapping[str, Any]], field: str) -> list[tuple[int, str]]:
    """The (frame, text) interpolation declarations of a field, in frame order."""
    declared = []
    for kf in keyframes:
        text = interpolation_text(kf.get(f"{field}_i"))
        if text is not None:
            declared.append((int(kf["frame"]), text))
    return declared
