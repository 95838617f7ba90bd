"""Anti-blur: an unsharp mask, ``(1+amount)·image − amount·GaussianBlur(image)``, as Deforum's anti-blur fields.

Loopback softens the image a little every frame (each warp interpolates); a light unsharp mask before the
backend counters that. ``kernel`` is the Gaussian's size in pixels (made odd; 0 turns the mask off),
``sigma`` its standard deviation (0 lets OpenCV derive it from the size), ``amount`` the strength (0 = off)
and ``threshold`` the smallest difference from the blurred image, in 8-bit levels, that is sharpened at all
(flat areas keep their pixels, so noise in them is not amplified).
"""

from __future__ import annotations

import cv2
import numpy as np


def odd_kernel_size(kernel: float) -> int:
    """The Gaussian size for a scheduled ``kernel`` value: rounded, and the next odd number if even (0 = off)."""
    size = int(round(max(float(kernel), 0.0)))
    return size + 1 if size and size % 2 == 0 else size


def unsharp_mask(image: np.ndarray, kernel: float, sigma: float, amount: float, threshold: float = 0.0) -> np.ndarray:
    """Sharpen ``image`` (uint8) with an unsharp mask; returns ``image`` itself when the mask is off."""
    size = odd_kernel_size(kernel)
    if amount <= 0 or size == 0:
        return image
    blurred = cv2.GaussianBlur(image, (size, size), max(float(sigma), 0.0))
    sharpened = cv2.addWeighted(image, 1.0 + float(amount), blurred, -float(amount), 0.0)
    if threshold > 0:
        flat = cv2.absdiff(image, blurred) < float(threshold)
        sharpened[flat] = image[flat]
    return sharpened
