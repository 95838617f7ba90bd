"""Which manifest fields, columns and options the renderer uses, and why the others are compile/export only.

Every field of both vocabularies (``lib_parseq.schedules.fields``), every other column a compiled manifest's
frames hold and every option is in exactly one table of its kind; the tests check that, that changing each
rendered one changes a dry-run frame, the backend's parameters or the video, and that the README lists the
export-only ones with their reasons.
"""

from __future__ import annotations

import re

from lib_parseq.schedules.fields import DERIVED_SUFFIXES, LEGACY_FIELDS, MODERN_FIELDS

RENDERED_FIELDS: dict[str, str] = {
    "seed": "backend seed (fractional part → variation seed)",
    "scale": "backend CFG scale",
    "strength": "backend denoise = 1 − strength",
    "denoise": "backend denoise (legacy)",
    "noise": "noise blended into the frame before the backend",
    "contrast": "contrast before the backend",
    "noise_shift": "backend initial noise: drift from the previous diffused frame's (1 = fresh)",
    "angle": "camera: 2D rotation",
    "zoom": "camera: scale (legacy: dolly)",
    "transform_center_x": "camera: centre of zoom and rotation",
    "transform_center_y": "camera: centre of zoom and rotation",
    "translation_x": "camera: pan",
    "translation_y": "camera: pan",
    "translation_z": "camera: dolly",
    "rotation_3d_x": "camera: 3D rotation",
    "rotation_3d_y": "camera: 3D rotation",
    "rotation_3d_z": "camera: 3D rotation",
    "fov": "camera: focal length of the 3D rotation and dolly",
    "perspective_flip_theta": "perspective flip",
    "perspective_flip_phi": "perspective flip",
    "perspective_flip_gamma": "perspective flip",
    "perspective_flip_fv": "perspective flip field of view",
    "antiblur_kernel": "anti-blur unsharp mask",
    "antiblur_sigma": "anti-blur unsharp mask",
    "antiblur_amount": "anti-blur unsharp mask (0 = off)",
    "antiblur_threshold": "anti-blur unsharp mask",
    "hybrid_comp_alpha": "hybrid video composite (with --hybrid-composite)",
    "hybrid_comp_mask_blend_alpha": "hybrid composite mask 'blend'",
    "hybrid_comp_mask_contrast": "hybrid composite mask contrast",
    "hybrid_comp_mask_auto_contrast_cutoff_low": "hybrid composite mask auto-contrast",
    "hybrid_comp_mask_auto_contrast_cutoff_high": "hybrid composite mask auto-contrast",
    "hybrid_flow_factor": "hybrid optical flow strength",
    "cadence_flow_factor": "flow-guided cadence in-betweens (with --cadence-flow)",
    "loopback_frames": "history blend",
    "loopback_decay": "history blend",
    "panx": "camera: pan (legacy)",
    "pany": "camera: pan (legacy)",
    "rotx": "camera: 3D rotation (legacy)",
    "roty": "camera: 3D rotation (legacy)",
    "rotz": "camera: 3D rotation (legacy)",
    **{f"prompt_weight_{i}": "prompt weights, applied when the prompts are compiled into deforum_prompt"
       for i in range(1, 9)},
}

EXPORT_ONLY_FIELDS: dict[str, str] = {
    "noise_multiplier": "A1111's initial noise multiplier is a global setting; the script does not change "
                        "shared settings per frame",
    "clipskip": "A1111's CLIP skip is a global setting; the script does not change shared settings per frame",
    "near": "depth clipping plane of Deforum's depth-map 3D warp; our 3D warp is one homography of the image "
            "plane (no depth model), so there is nothing to clip",
    "far": "depth clipping plane of Deforum's depth-map 3D warp (see near)",
    "redo_flow_factor": "Deforum's optical-flow redo diffuses each frame twice; we never call the backend twice "
                        "for one frame",
    "cn_N_weight": "ControlNet units belong to the ControlNet extension, which the script does not drive",
    "cn_N_guidance_start": "ControlNet (see cn_N_weight)",
    "cn_N_guidance_end": "ControlNet (see cn_N_weight)",
    "guided_blendFactorMax": "Deforum's guided-images (looper) mode, a different render mode",
    "guided_blendFactorSlope": "guided-images mode (see guided_blendFactorMax)",
    "guided_tweening_frames": "guided-images mode (see guided_blendFactorMax)",
    "guided_color_correction_factor": "guided-images mode (see guided_blendFactorMax)",
}


RENDERED_COLUMNS: dict[str, str] = {
    "frame": "orders the frames (frame i is rendered i-th)",
    "cadence": "keyframed diffusion cadence: which frames the backend makes (else options.cadence)",
    "subseed": "backend variation seed",
    "subseed_strength": "backend variation strength",
    "deforum_prompt": "backend prompt and negative prompt",
    "positive_prompt": "backend prompt (legacy)",
    "negative_prompt": "backend negative prompt (legacy)",
}
"""Columns of ``rendered_frames`` beyond the field vocabularies that the renderer reads."""

EXPORT_ONLY_COLUMNS: dict[str, str] = {
    "<field>_delta": "the change since the previous frame, which Deforum applies; the renderer works out each "
                     "frame's step from the fields themselves",
    "<field>_pc": "the field as a percentage of its range, for charts and custom scripts",
}

RENDERED_OPTIONS: dict[str, str] = {
    "output_fps": "the video's frame rate (unless --fps)",
    "cadence": "diffusion cadence (unless a cadence column or --cadence)",
    "cc_window_width": "colour coherence window",
    "cc_window_slide_rate": "colour coherence window",
    "cc_use_input": "colour coherence includes the input image",
}

EXPORT_ONLY_OPTIONS: dict[str, str] = {
    "bpm": "beats are turned into frames when the document is compiled; the frames carry the result",
    "input_fps": "the web app's note of its input video's rate; the renderer resamples the input video to the "
                 "output rate, or to --input-fps",
}


def coverage_name(field: str) -> str:
    """The table key of a field or column (ControlNet units share ``cn_N_…``; derived columns ``<field>_…``)."""
    for suffix in DERIVED_SUFFIXES:
        base = field[: -len(suffix)]
        if field.endswith(suffix) and base in (*MODERN_FIELDS, *LEGACY_FIELDS, *RENDERED_COLUMNS):
            return f"<field>{suffix}"
    return re.sub(r"^cn_\d+_", "cn_N_", field)


def uncovered_fields() -> list[str]:
    """Vocabulary fields in neither table (should be none)."""
    names = {coverage_name(f) for f in (*MODERN_FIELDS, *LEGACY_FIELDS)}
    missing = sorted(n for n in names if n not in RENDERED_FIELDS and n not in EXPORT_ONLY_FIELDS)
    return missing
