"""Field vocabularies: the names Parseq documents use, their defaults, and which ones Deforum reads as deltas.

The modern vocabulary is the Parseq web app's (its order is the default ``managedFields`` order); the
legacy vocabulary is the 2022 app's. A field not in either vocabulary is a custom field with default 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

CONTROLNET_UNITS = 5


def _controlnet_fields() -> dict[str, float]:
    fields: dict[str, float] = {}
    for unit in range(1, CONTROLNET_UNITS + 1):
        fields[f"cn_{unit}_weight"] = 1.0
        fields[f"cn_{unit}_guidance_start"] = 0.0
        fields[f"cn_{unit}_guidance_end"] = 1.0
    return fields


MODERN_FIELD_DEFAULTS: Mapping[str, float] = {
    # generation
    "seed": -1.0,
    "scale": 7.0,
    "noise": 0.08,
    "noise_multiplier": 1.05,
    "noise_shift": 1.0,
    "strength": 0.6,
    "clipskip": 0.0,
    "contrast": 1.0,
    # prompt weights
    "prompt_weight_1": 1.0,
    "prompt_weight_2": 0.0,
    "prompt_weight_3": 0.0,
    "prompt_weight_4": 0.0,
    "prompt_weight_5": 0.0,
    "prompt_weight_6": 0.0,
    "prompt_weight_7": 0.0,
    "prompt_weight_8": 1.0,
    # 2D
    "angle": 0.0,
    "zoom": 1.0,
    "transform_center_x": 0.5,
    "transform_center_y": 0.5,
    "perspective_flip_theta": 0.0,
    "perspective_flip_phi": 0.0,
    "perspective_flip_gamma": 0.0,
    "perspective_flip_fv": 50.0,
    # 2D and 3D
    "translation_x": 0.0,
    "translation_y": 0.0,
    # 3D
    "translation_z": 10.0,
    "rotation_3d_x": 0.0,
    "rotation_3d_y": 0.0,
    "rotation_3d_z": 0.0,
    "fov": 40.0,
    "near": 200.0,
    "far": 10000.0,
    # anti-blur
    "antiblur_kernel": 5.0,
    "antiblur_sigma": 1.0,
    "antiblur_amount": 0.2,
    "antiblur_threshold": 0.0,
    # hybrid video
    "hybrid_comp_alpha": 1.0,
    "hybrid_comp_mask_blend_alpha": 0.5,
    "hybrid_comp_mask_contrast": 1.0,
    "hybrid_comp_mask_auto_contrast_cutoff_low": 0.0,
    "hybrid_comp_mask_auto_contrast_cutoff_high": 100.0,
    "hybrid_flow_factor": 1.0,
    # optical flow
    "cadence_flow_factor": 1.0,
    "redo_flow_factor": 1.0,
    # ControlNet
    **_controlnet_fields(),
    # guided images (Deforum drops the guided_ prefix)
    "guided_blendFactorMax": 0.35,
    "guided_blendFactorSlope": 0.25,
    "guided_tweening_frames": 20.0,
    "guided_color_correction_factor": 0.075,
}

MODERN_FIELDS: tuple[str, ...] = tuple(MODERN_FIELD_DEFAULTS)
"""All modern fields, in the default ``managedFields`` order."""

DEFAULT_DISPLAYED_FIELD_COUNT = 5

DEFORUM_DELTA_FIELDS: frozenset[str] = frozenset(
    {
        "angle",
        "zoom",
        "translation_x",
        "translation_y",
        "translation_z",
        "rotation_3d_x",
        "rotation_3d_y",
        "rotation_3d_z",
        "perspective_flip_theta",
        "perspective_flip_phi",
        "perspective_flip_gamma",
    }
)
"""Motion fields Deforum reads as ``<field>_delta`` (when ``parseq_use_deltas`` is on, its default)."""

MULTIPLICATIVE_DELTA_FIELDS: frozenset[str] = frozenset({"zoom"})
"""Fields whose ``_delta`` is ``1 + difference`` because Deforum applies them as a scale factor."""

LEGACY_FIELD_DEFAULTS: Mapping[str, float] = {
    "seed": 303.0,
    "denoise": 0.6,
    "prompt_weight_1": 1.0,
    "prompt_weight_2": 0.0,
    "prompt_weight_3": 1.0,
    "prompt_weight_4": 0.0,
    "scale": 7.5,
    "rotx": 0.0,
    "roty": 0.0,
    "rotz": 0.0,
    "panx": 0.0,
    "pany": 0.0,
    "zoom": 0.0,
    "loopback_frames": 1.0,
    "loopback_decay": 0.25,
}

LEGACY_FIELDS: tuple[str, ...] = tuple(LEGACY_FIELD_DEFAULTS)
"""All 2022 fields, in the legacy app's column order."""

LEGACY_ONLY_FIELDS: frozenset[str] = frozenset(LEGACY_FIELDS) - frozenset(MODERN_FIELDS)
"""Names that exist only in the legacy vocabulary; finding one marks a document as legacy."""

CUSTOM_FIELD_DEFAULT = 0.0

DERIVED_SUFFIXES = ("_delta", "_pc")


def field_default(name: str, *, legacy: bool = False) -> float:
    """The value a field takes where no keyframe gives one (its vocabulary default, else 0)."""
    table = LEGACY_FIELD_DEFAULTS if legacy else MODERN_FIELD_DEFAULTS
    return float(table.get(name, CUSTOM_FIELD_DEFAULT))


def is_legacy_vocabulary(names: Iterable[str]) -> bool:
    """True when any of these field names exists only in the 2022 vocabulary."""
    return any(name in LEGACY_ONLY_FIELDS for name in names)
