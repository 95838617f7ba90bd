"""What the backend needs for one frame, read from one entry of a manifest's ``rendered_frames``.

Both field vocabularies are understood. Modern (Parseq web app / Deforum): ``seed``, ``scale``, ``strength``
(denoise = 1 − strength, as Deforum reads it), ``deforum_prompt`` ("positive --neg negative"). Legacy (2022):
``seed``, ``scale``, ``denoise``, ``positive_prompt``/``negative_prompt``. ``denoise`` wins when both appear.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

NEGATIVE_MARKER = "--neg"


@dataclass(frozen=True)
class FrameParams:
    """The generation parameters of one frame, plus every numeric field of it in ``values``."""

    frame: int
    seed: int = -1
    subseed: int = -1
    subseed_strength: float = 0.0
    cfg_scale: float = 7.0
    denoising_strength: float = 0.4
    prompt: str = ""
    negative_prompt: str = ""
    values: dict[str, float] = field(default_factory=dict)


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def numeric_values(entry: Mapping[str, Any]) -> dict[str, float]:
    """Every finite numeric field of a rendered frame (strings that hold numbers count; prompts do not)."""
    values: dict[str, float] = {}
    for name, raw in entry.items():
        if isinstance(raw, str) and not raw.strip():
            continue
        number = _number(raw)
        if number is not None:
            values[name] = number
    return values


def split_deforum_prompt(text: str) -> tuple[str, str]:
    """Split Deforum's ``"positive --neg negative"`` into its two halves (both stripped)."""
    positive, marker, negative = text.partition(NEGATIVE_MARKER)
    if not marker:
        return text.strip(), ""
    return positive.strip(), negative.strip()


def frame_params(entry: Mapping[str, Any], frame: int | None = None) -> FrameParams:
    """Build the ``FrameParams`` of one ``rendered_frames`` entry, in either vocabulary."""
    values = numeric_values(entry)
    index = frame if frame is not None else int(values.get("frame", 0))
    seed_value = values.get("seed", -1.0)
    seed = math.floor(seed_value)
    subseed = int(values["subseed"]) if "subseed" in values else math.ceil(seed_value)
    if "subseed_strength" in values:
        subseed_strength = values["subseed_strength"]
    else:
        subseed_strength = math.fmod(seed_value, 1.0)
    if "denoise" in values:
        denoise = _clamp(values["denoise"], 0.01, 1.0)
    elif "strength" in values:
        denoise = _clamp(1.0 - values["strength"], 0.0, 1.0)
    else:
        denoise = FrameParams.denoising_strength
    if isinstance(entry.get("deforum_prompt"), str):
        prompt, negative = split_deforum_prompt(entry["deforum_prompt"])
    else:
        prompt = str(entry.get("positive_prompt", "") or "")
        negative = str(entry.get("negative_prompt", "") or "")
    return FrameParams(
        frame=index,
        seed=int(seed),
        subseed=int(subseed),
        subseed_strength=float(_clamp(abs(subseed_strength), 0.0, 1.0)),
        cfg_scale=_clamp(values.get("scale", FrameParams.cfg_scale), -100.0, 100.0),
        denoising_strength=float(denoise),
        prompt=prompt,
        negative_prompt=negative,
        values=values,
    )
