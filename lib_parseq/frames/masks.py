"""Greyscale masks (uint8, 255 = fully on) and the operations Deforum offers on them.

Hybrid compositing builds a mask from two images (their blend or difference) or from the video frame, then
optionally inverts, equalises, changes contrast and auto-contrasts it. Init masks come from a mask image or an
image's alpha channel. ``composite`` puts one image over another through a mask.
"""

from __future__ import annotations

import cv2
import numpy as np

EQUALISE_WHEN = ("none", "before", "after", "both")


def greyscale(image: np.ndarray) -> np.ndarray:
    """Luma of an RGB image (a greyscale image is returned as is)."""
    return image if image.ndim == 2 else cv2.cvtColor(np.ascontiguousarray(image[:, :, :3]), cv2.COLOR_RGB2GRAY)


def blend_mask(first: np.ndarray, second: np.ndarray, alpha: float) -> np.ndarray:
    """The greyscale blend ``first·(1−alpha) + second·alpha``."""
    alpha = min(max(float(alpha), 0.0), 1.0)
    return cv2.addWeighted(greyscale(first), 1.0 - alpha, greyscale(second), alpha, 0.0)


def difference_mask(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """``|grey(first) − grey(second)|``: bright where the two images differ."""
    return cv2.absdiff(greyscale(first), greyscale(second))


def invert_mask(mask: np.ndarray) -> np.ndarray:
    return cv2.bitwise_not(mask)


def equalise_mask(mask: np.ndarray) -> np.ndarray:
    """Histogram-equalise the mask (its levels spread evenly over 0..255)."""
    return cv2.equalizeHist(mask)


def contrast_mask(mask: np.ndarray, factor: float) -> np.ndarray:
    """Scale the mask's distance from its mean level by ``factor`` (1 = unchanged, 0 = flat grey at the mean)."""
    if factor == 1.0:
        return mask
    mean = float(int(mask.mean() + 0.5))
    return _affine_levels(mask, float(factor), mean * (1.0 - float(factor)))


def auto_contrast_mask(mask: np.ndarray, low: float = 0.0, high: float = 100.0) -> np.ndarray:
    """Stretch the mask so its ``low`` percentile becomes 0 and its ``high`` percentile 255 (clipping beyond)."""
    low, high = min(max(float(low), 0.0), 100.0), min(max(float(high), 0.0), 100.0)
    bottom, top = np.percentile(mask, [min(low, high), max(low, high)])
    if top <= bottom:
        return mask
    scale = 255.0 / (top - bottom)
    return _affine_levels(mask, scale, -bottom * scale)


def _affine_levels(mask: np.ndarray, scale: float, offset: float) -> np.ndarray:
    """``mask·scale + offset`` rounded and saturated to 0..255 (no absolute value, unlike convertScaleAbs)."""
    return cv2.addWeighted(mask, scale, mask, 0.0, offset)


def blur_mask(mask: np.ndarray, radius: float) -> np.ndarray:
    """Soften the mask's edges with a Gaussian of standard deviation ``radius`` pixels (0 = unchanged)."""
    if radius <= 0:
        return mask
    return cv2.GaussianBlur(mask, (0, 0), float(radius))


def alpha_mask(image: np.ndarray) -> np.ndarray | None:
    """The alpha channel of an RGBA image as a mask, or None when the image has no alpha."""
    if image.ndim != 3 or image.shape[2] < 4:
        return None
    return np.ascontiguousarray(image[:, :, 3])


def composite(foreground: np.ndarray, background: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``foreground`` where the mask is 255, ``background`` where it is 0, mixed in between."""
    weight = mask.astype(np.float32)[:, :, None] / 255.0
    mixed = foreground.astype(np.float32) * weight + background.astype(np.float32) * (1.0 - weight)
    return np.clip(mixed + 0.5, 0, 255).astype(np.uint8)
