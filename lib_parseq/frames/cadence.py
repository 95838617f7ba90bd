"""Diffusion cadence: how the frames between two diffused frames are made.

Which frames the backend makes is planned in ``lib_parseq.render.cadence_plan`` (exactly the frames where
the language's ``is_generation(f)`` is 1). A frame between two diffused frames ``a < f < b`` is a cross-fade,
weight ``(f−a)/(b−a)``, of both diffused outputs each warped to frame f's camera position (Deforum's turbo
steps); optionally the two are first moved towards each other along their optical flow, so content that
the diffusion moved glides instead of dissolving. Frames after the last diffused frame of the range
continue its output with the camera motion alone.
"""

from __future__ import annotations

import cv2
import numpy as np

from lib_parseq.frames.flow import apply_flow, backward_flow


def tween_weight(frame: int, previous: int, following: int) -> float:
    """How much of the following diffused output frame ``frame`` takes (0 at ``previous``, 1 at ``following``)."""
    return (frame - previous) / (following - previous)


def tween(previous: np.ndarray, following: np.ndarray, weight: float) -> np.ndarray:
    """``previous·(1−weight) + following·weight``, both already warped to the in-between's position."""
    return cv2.addWeighted(previous, 1.0 - weight, following, weight, 0.0)


def flow_tween(previous: np.ndarray, following: np.ndarray, weight: float, *, method: str = "dis_medium",
               factor: float = 1.0) -> np.ndarray:
    """A cross-fade whose two images first travel along the flow between them (``factor`` scales the travel)."""
    flow = backward_flow(previous, following, method)
    moved_previous = apply_flow(previous, flow, weight * factor)
    moved_following = apply_flow(following, flow, -(1.0 - weight) * factor)
    return tween(moved_previous, moved_following, weight)
