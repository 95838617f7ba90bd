"""How one frame's ``FrameParams`` become A1111 img2img processing fields (no A1111 import needed).

Which UI settings a manifest overrides is decided once per manifest from its first rendered frame:

- ``seed`` managed → Seed, Variation seed and Variation strength come from the manifest (Parseq's
  ``subseed``/``subseed_strength``). A frame whose seed is exactly −1 *asks for a random seed*: it is sent as −1
  and A1111 draws a fresh one for that frame (``get_fixed_seed``). Unmanaged → the UI seed, resolved once by
  ``fix_seed``, plus the frame's position in the render (A1111's loopback convention), with the UI's variation.
- ``scale`` managed → CFG scale. ``strength`` (denoise = 1 − strength, as Deforum) or legacy ``denoise`` managed →
  Denoising strength.
- ``deforum_prompt`` (or legacy ``positive_prompt``/``negative_prompt``) present → Prompt and Negative prompt.
  Parseq's composable prompts ``a: 0.5 AND b: 1`` become A1111 AND prompts whose trailing weights A1111's
  ``re_weight`` reads (exponent forms rewritten as plain decimals; parts with weight 0 or a non-number dropped,
  which changes nothing in the result but saves a UNet pass each). A dropped part's extra-network tags
  (``<lora:name:0.8>``) are kept: A1111 applies them to the whole image whichever part holds them. A1111 has no AND in the negative prompt, so a
  composed negative becomes attention syntax: ``(text:weight)`` parts joined by ", " (weight 1 → plain text).
- Everything else (steps, sampler, size, restore faces, ...) keeps the UI values. Batch count and size are 1.

A1111 writes the processing fields into the infotext as they are (``processing.create_infotext``); its UI sliders
give values on their step, such as 0.3. Values computed from a manifest (denoise = 1 − 0.7) carry float noise
(0.29999999999999993), so the float fields are rounded to ``FLOAT_DECIMALS`` places: no visible change to a
render, and the infotext reads as A1111's own does (and pastes back into its sliders).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from lib_parseq.render.params import FrameParams
from lib_parseq.schedules.composable import weighted_parts
from lib_parseq.schedules.keyframes import has_value

RANDOM_SEED = -1
FLOAT_DECIMALS = 6
_EXTRA_NETWORK = re.compile(r"<\w+:[^>]+>")
"""A1111's extra-network tag (``modules/extra_networks.py:re_extra_net``)."""
_DERIVED_SUFFIXES = ("_delta", "_pc")
_NOT_FIELDS = ("frame", "subseed", "subseed_strength")

UI_SETTING_NAMES = {
    "seed": "Seed (with Variation seed and strength)",
    "cfg_scale": "CFG scale",
    "denoising_strength": "Denoising strength",
    "prompt": "Prompt",
    "negative_prompt": "Negative prompt",
}
KEPT_UI_SETTINGS = ("Sampling steps", "Sampler", "Schedule type", "Width and height (the video size)",
                    "Restore faces", "Tiling", "Resize mode")


@dataclass(frozen=True)
class Overrides:
    """Which processing fields the manifest sets, per A1111 UI setting."""

    seed: bool = False
    cfg_scale: bool = False
    denoising_strength: bool = False
    prompts: bool = False

    def ui_settings(self) -> list[str]:
        """The UI settings the manifest overrides, as the user sees them named."""
        names = []
        if self.seed:
            names.append(UI_SETTING_NAMES["seed"])
        if self.cfg_scale:
            names.append(UI_SETTING_NAMES["cfg_scale"])
        if self.denoising_strength:
            names.append(UI_SETTING_NAMES["denoising_strength"])
        if self.prompts:
            names += [UI_SETTING_NAMES["prompt"], UI_SETTING_NAMES["negative_prompt"]]
        return names


def overrides_of(manifest: Mapping[str, Any]) -> Overrides:
    """What a rendered manifest overrides, judged from its first frame (every frame has the same keys)."""
    frames = manifest.get("rendered_frames") or []
    first = frames[0] if frames and isinstance(frames[0], Mapping) else {}
    return Overrides(
        seed=has_value(first.get("seed")),
        cfg_scale=has_value(first.get("scale")),
        denoising_strength=has_value(first.get("strength")) or has_value(first.get("denoise")),
        prompts=isinstance(first.get("deforum_prompt"), str) or isinstance(first.get("positive_prompt"), str),
    )


def managed_fields(manifest: Mapping[str, Any]) -> list[str]:
    """The manifest's own fields: ``managedFields`` when present, else the numeric keys of the first frame."""
    listed = manifest.get("managedFields")
    if isinstance(listed, list) and all(isinstance(name, str) for name in listed):
        return list(listed)
    frames = manifest.get("rendered_frames") or []
    first = frames[0] if frames and isinstance(frames[0], Mapping) else {}
    return [name for name, value in first.items()
            if has_value(value) and name not in _NOT_FIELDS and not name.endswith(_DERIVED_SUFFIXES)]


def _without_float_noise(value: float) -> float:
    return float(round(float(value), FLOAT_DECIMALS))


def _plain_number(value: float) -> str:
    """A decimal A1111's weight regex reads: no exponent, no trailing zeros."""
    return np.format_float_positional(value, trim="-")


def a1111_prompt(text: str) -> str:
    """Parseq's positive prompt as an A1111 composable prompt (see the module docstring)."""
    parts = weighted_parts(text)
    if len(parts) < 2:
        return text.strip()
    keep = [w is None or (math.isfinite(w) and w != 0) for _, w in parts]
    if not any(keep):
        keep[0] = True
    kept = [part for part, wanted in zip(parts, keep, strict=True) if wanted]
    dropped_tags = [tag for (part_text, _), wanted in zip(parts, keep, strict=True) if not wanted
                    for tag in _EXTRA_NETWORK.findall(part_text)]
    if dropped_tags:
        kept[0] = (" ".join([kept[0][0], *dropped_tags]), kept[0][1])
    pieces = []
    for part_text, weight in kept:
        if weight is None:
            pieces.append(part_text)
        else:
            safe = weight if math.isfinite(weight) else 0.0
            pieces.append(f"{part_text} :{_plain_number(safe)}")
    return " AND ".join(pieces)


def a1111_negative_prompt(text: str) -> str:
    """Parseq's negative prompt without AND, which A1111 does not read there (see the module docstring)."""
    parts = weighted_parts(text)
    if len(parts) < 2:
        return text.strip()
    pieces = []
    for part_text, weight in parts:
        if not part_text or (weight is not None and (not math.isfinite(weight) or weight == 0)):
            continue
        if weight is None or weight == 1:
            pieces.append(part_text)
        else:
            pieces.append(f"({part_text}:{_plain_number(weight)})")
    return ", ".join(pieces)


@dataclass(frozen=True)
class UiValues:
    """The user's own img2img settings, captured before the render (seeds already fixed)."""

    seed: int
    subseed: int
    subseed_strength: float
    cfg_scale: float
    denoising_strength: float
    prompt: str
    negative_prompt: str


def processing_fields(params: FrameParams, position: int, overrides: Overrides, ui: UiValues) -> dict[str, Any]:
    """The img2img fields for one frame: the manifest's where it overrides, the UI's elsewhere.

    ``position`` is the frame's 0-based place in this render (it advances an unmanaged seed).
    """
    fields: dict[str, Any] = {"n_iter": 1, "batch_size": 1}
    if overrides.seed:
        fields["seed"] = params.seed
        if params.seed == RANDOM_SEED:
            fields["subseed"], fields["subseed_strength"] = ui.subseed, 0.0
        else:
            fields["subseed"], fields["subseed_strength"] = params.subseed, params.subseed_strength
    else:
        fields["seed"] = ui.seed + position
        fields["subseed"], fields["subseed_strength"] = ui.subseed, ui.subseed_strength
    fields["cfg_scale"] = params.cfg_scale if overrides.cfg_scale else ui.cfg_scale
    fields["denoising_strength"] = params.denoising_strength if overrides.denoising_strength else ui.denoising_strength
    for name in ("subseed_strength", "cfg_scale", "denoising_strength"):
        fields[name] = _without_float_noise(fields[name])
    if overrides.prompts:
        fields["prompt"] = a1111_prompt(params.prompt)
        fields["negative_prompt"] = a1111_negative_prompt(params.negative_prompt)
    else:
        fields["prompt"], fields["negative_prompt"] = ui.prompt, ui.negative_prompt
    return fields


def infotext_params(params: FrameParams, fields: list[str]) -> dict[str, Any]:
    """``extra_generation_params`` entries for a frame: its number and the Parseq values it was made with."""
    shown = " ".join(f"{name}={_plain_number(round(params.values[name], 6))}"
                     for name in fields if name in params.values)
    entries: dict[str, Any] = {"Parseq frame": params.frame}
    if shown:
        entries["Parseq values"] = shown
    return entries
