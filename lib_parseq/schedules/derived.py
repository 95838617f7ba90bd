"""Outputs derived from the evaluated fields (spec §6.3): range metadata, deltas, percentages, subseeds.

Every function takes and returns whole float64 arrays, one value per rendered frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib_parseq.schedules.fields import MULTIPLICATIVE_DELTA_FIELDS


@dataclass(frozen=True)
class FieldRange:
    """``rendered_frames_meta[field]``: max of |v|, min of v, flat iff they are equal; NaN anywhere → NaN, not flat."""

    max: float
    min: float
    is_flat: bool

    def as_json(self) -> dict[str, float | bool | None]:
        return {"max": _json_number(self.max), "min": _json_number(self.min), "isFlat": self.is_flat}


def _json_number(value: float) -> float | None:
    return value if np.isfinite(value) else None


def field_range(values: np.ndarray) -> FieldRange:
    """The range metadata of one field (max uses absolute values, as Parseq does)."""
    if values.size == 0 or np.isnan(values).any():
        return FieldRange(float("nan"), float("nan"), False)
    top = float(np.max(np.abs(values)))
    bottom = float(np.min(values))
    return FieldRange(top, bottom, top == bottom)


def field_delta(name: str, values: np.ndarray) -> np.ndarray:
    """Frame-to-frame change: v[0] at frame 0, then v[f]-v[f-1]; zoom is ``1 + difference`` (a scale factor)."""
    delta = np.empty_like(values)
    if values.size == 0:
        return delta
    delta[0] = values[0]
    np.subtract(values[1:], values[:-1], out=delta[1:])
    if name in MULTIPLICATIVE_DELTA_FIELDS:
        delta[1:] += 1.0
    return delta


def field_percent(values: np.ndarray, value_range: FieldRange) -> np.ndarray:
    """The value as a percentage of the field's largest magnitude (the value itself when that is 0)."""
    if value_range.max == 0:
        return values.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        return values / value_range.max * 100


def subseeds(seed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``subseed = ceil(seed)`` and ``subseed_strength = seed rem 1`` (JS remainder): seed 10.5 travels 10 → 11."""
    return np.ceil(seed), np.fmod(seed, 1.0)
