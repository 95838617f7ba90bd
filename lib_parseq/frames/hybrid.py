"""Hybrid compositing (Deforum's "Hybrid Video" composite): mix the video frame into the loopback image.

Without a mask the composite is the video frame. With one, the mask picks per pixel between the loopback
image (mask 255) and the video frame (mask 0). Then the result is blended over the loopback image with
``alpha`` (``hybrid_comp_alpha``: 0 keeps the loopback image, 1 takes the composite). Mask kinds:
"blend" (greyscale mix of the two images by ``mask_blend_alpha``), "difference" (bright where they differ)
and "video" (the video frame's own luma). Deforum's depth masks need a depth model and are not offered.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from lib_parseq.frames.masks import (
    EQUALISE_WHEN,
    auto_contrast_mask,
    blend_mask,
    composite,
    contrast_mask,
    difference_mask,
    equalise_mask,
    greyscale,
    invert_mask,
)

MASK_KINDS = ("none", "blend", "difference", "video")


@dataclass(frozen=True)
class CompositeMask:
    """How the composite mask is made (the fixed options; the keyframable numbers come per frame)."""

    kind: str = "none"
    invert: bool = False
    equalise: str = "none"
    auto_contrast: bool = False

    def __post_init__(self) -> None:
        if self.kind not in MASK_KINDS:
            raise ValueError(f"unknown hybrid mask {self.kind!r}; expected one of {', '.join(MASK_KINDS)}")
        if self.equalise not in EQUALISE_WHEN:
            raise ValueError(f"unknown mask equalise {self.equalise!r}; expected one of {', '.join(EQUALISE_WHEN)}")


@dataclass(frozen=True)
class CompositeAmounts:
    """One frame's keyframable compositing numbers (Deforum's ``hybrid_comp_*`` schedules)."""

    alpha: float = 1.0
    mask_blend_alpha: float = 0.5
    mask_contrast: float = 1.0
    cutoff_low: float = 0.0
    cutoff_high: float = 100.0


def composite_mask(image: np.ndarray, video_frame: np.ndarray, options: CompositeMask,
                   amounts: CompositeAmounts) -> np.ndarray | None:
    """The mask of one composite (None for kind "none"), after every option in Deforum's order."""
    if options.kind == "none":
        return None
    if options.kind == "blend":
        mask = blend_mask(image, video_frame, amounts.mask_blend_alpha)
    elif options.kind == "difference":
        mask = difference_mask(image, video_frame)
    else:
        mask = greyscale(video_frame).copy()
    if options.invert:
        mask = invert_mask(mask)
    if options.equalise in ("before", "both"):
        mask = equalise_mask(mask)
    mask = contrast_mask(mask, amounts.mask_contrast)
    if options.auto_contrast:
        mask = auto_contrast_mask(mask, amounts.cutoff_low, amounts.cutoff_high)
    if options.equalise in ("after", "both"):
        mask = equalise_mask(mask)
    return mask


def hybrid_composite(image: np.ndarray, video_frame: np.ndarray, options: CompositeMask,
                     amounts: CompositeAmounts) -> np.ndarray:
    """The loopback ``image`` with ``video_frame`` composited in (both RGB uint8 of one size)."""
    alpha = min(max(float(amounts.alpha), 0.0), 1.0)
    if alpha == 0.0:
        return image
    mask = composite_mask(image, video_frame, options, amounts)
    mixed = video_frame if mask is None else composite(image, video_frame, mask)
    return cv2.addWeighted(image, 1.0 - alpha, mixed, alpha, 0.0)
