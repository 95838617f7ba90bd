"""Whole-frame adjustments: fitting to the output size, contrast, and blended noise."""

from __future__ import annotations

import cv2
import numpy as np


def fit_to_size(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Scale ``image`` to cover ``width``×``height`` and centre-crop the overflow (no distortion)."""
    h, w = image.shape[:2]
    if (w, h) == (width, height):
        return image
    scale = max(width / w, height / h)
    new_w, new_h = max(width, round(w * scale)), max(height, round(h * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    resized = cv2.resize(image, (new_w, new_h), interpolation=interpolation)
    left, top = (new_w - width) // 2, (new_h - height) // 2
    return np.ascontiguousarray(resized[top : top + height, left : left + width])


def apply_contrast(image: np.ndarray, contrast: float) -> np.ndarray:
    """Multiply every channel by ``contrast`` (Deforum's rule), rounding and clipping to uint8."""
    if contrast == 1.0:
        return image
    return cv2.convertScaleAbs(image, alpha=max(float(contrast), 0.0))


def apply_noise(image: np.ndarray, amount: float, rng: np.random.Generator) -> np.ndarray:
    """Blend uniform noise into ``image``: ``image·(1−amount) + noise·amount`` (Deforum blends, not adds)."""
    amount = min(max(float(amount), 0.0), 1.0)
    if amount == 0.0:
        return image
    noise = rng.integers(0, 256, size=image.shape, dtype=np.uint8)
    return cv2.addWeighted(image, 1.0 - amount, noise, amount, 0.0)
