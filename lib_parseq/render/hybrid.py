"""Hybrid video steps of the per-frame pipeline: the video's motion and the video frame composited in.

The pure maths is in ``lib_parseq.frames.flow`` and ``lib_parseq.frames.hybrid``; this module reads the
frame's keyframable fields (``hybrid_flow_factor``, ``hybrid_comp_*``; the vocabulary default where a field
is absent) and the fixed ``HybridSettings``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from lib_parseq.frames import fit_to_size, warp_image
from lib_parseq.frames.features import feature_fit
from lib_parseq.frames.flow import apply_flow, backward_flow
from lib_parseq.frames.hybrid import CompositeAmounts, CompositeMask, hybrid_composite
from lib_parseq.render.settings import HybridSettings
from lib_parseq.schedules.fields import field_default


@dataclass(frozen=True)
class HybridGuide:
    """The video frame at this frame (``current``) and at the frame whose output the loopback continues."""

    current: np.ndarray
    previous: np.ndarray | None


def _field(values: Mapping[str, float], name: str) -> float:
    return float(values.get(name, field_default(name)))


def hybrid_motion_step(image: np.ndarray, guide: HybridGuide, hybrid: HybridSettings, values: Mapping[str, float],
                       *, border: str, interpolation: str, frame: int = 0, notes: list[str] | None = None) -> np.ndarray:
    """Move the loopback ``image`` the way the video moved (or towards the video frame, "use previous image").

    A matrix motion that finds too few matching features leaves the image where it is and adds one note to
    ``notes`` (the render's warnings) naming the first such frame."""
    if hybrid.motion == "none":
        return image
    height, width = image.shape[:2]
    current = fit_to_size(guide.current, width, height)
    reference = image if hybrid.use_previous_image else guide.previous
    if reference is None:
        return image
    reference = fit_to_size(reference, width, height)
    if hybrid.motion == "optical_flow":
        flow = backward_flow(reference, current, hybrid.flow_method)
        return apply_flow(image, flow, _field(values, "hybrid_flow_factor"))
    fit = feature_fit(reference, current, hybrid.motion)
    if fit.note is not None:
        _note_once(notes, f"hybrid {hybrid.motion} motion", f"at frame {frame}: {fit.note}; such frames are not moved")
        return image
    return warp_image(image, fit.matrix, border=border, interpolation=interpolation)


def _note_once(notes: list[str] | None, topic: str, detail: str) -> None:
    if notes is not None and not any(note.startswith(topic) for note in notes):
        notes.append(f"{topic} {detail}")


def hybrid_composite_step(image: np.ndarray, guide: HybridGuide, hybrid: HybridSettings,
                          values: Mapping[str, float]) -> np.ndarray:
    """Composite this frame's video frame into ``image`` with the frame's ``hybrid_comp_*`` amounts."""
    height, width = image.shape[:2]
    mask = CompositeMask(hybrid.mask, hybrid.mask_invert, hybrid.mask_equalise, hybrid.mask_auto_contrast)
    amounts = CompositeAmounts(
        alpha=_field(values, "hybrid_comp_alpha"),
        mask_blend_alpha=_field(values, "hybrid_comp_mask_blend_alpha"),
        mask_contrast=_field(values, "hybrid_comp_mask_contrast"),
        cutoff_low=_field(values, "hybrid_comp_mask_auto_contrast_cutoff_low"),
        cutoff_high=_field(values, "hybrid_comp_mask_auto_contrast_cutoff_high"),
    )
    return hybrid_composite(image, fit_to_size(guide.current, width, height), mask, amounts)
