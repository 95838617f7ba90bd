"""The optional parameter overlay: a few lines of text in a translucent box at the top-left corner."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

FONT = cv2.FONT_HERSHEY_SIMPLEX


def draw_overlay(image: np.ndarray, lines: Sequence[str]) -> np.ndarray:
    """A copy of ``image`` with ``lines`` written on it (the input is not modified).

    OpenCV's Hershey fonts draw ASCII only, and text OpenCV cannot encode (a lone surrogate) crashes the
    process inside it, so every other character is drawn as ``?``."""
    out = image.copy()
    if not lines:
        return out
    lines = [line.encode("ascii", "replace").decode("ascii") for line in lines]
    height, width = out.shape[:2]
    scale = max(0.3, min(width, height) / 1200)
    thickness = 1
    (_, text_h), baseline = cv2.getTextSize("Ag", FONT, scale, thickness)
    line_h = text_h + baseline + 2
    box_w = min(width, max(cv2.getTextSize(line, FONT, scale, thickness)[0][0] for line in lines) + 8)
    box_h = min(height, line_h * len(lines) + 6)
    region = out[:box_h, :box_w]
    region[:] = (region.astype(np.uint16) * 2 // 5).astype(np.uint8)
    for i, line in enumerate(lines):
        origin = (4, 3 + text_h + i * line_h)
        cv2.putText(out, line, origin, FONT, scale, (255, 255, 255), thickness, cv2.LINE_AA)
    return out
