"""Perspective flip (Deforum's ``perspective_flip_theta/phi/gamma/fv``) as one homography.

The image plane is turned in 3D about its centre — ``phi`` degrees about the horizontal axis, ``theta``
about the vertical axis, ``gamma`` about the viewing axis — and seen through a pinhole camera whose field of
view ``fv`` (degrees) spans the image diagonal, as in Deforum: the plane sits at distance
``diagonal / (2·sin(fv/2))``, so with no rotation the flip is the identity. Smaller ``fv`` means a longer
lens and a flatter-looking turn.
"""

from __future__ import annotations

import math

import numpy as np

from lib_parseq.frames.warp import Motion, motion_matrix

MIN_FIELD_OF_VIEW = 1e-3


def flip_focal_length(width: int, height: int, fv: float) -> float:
    """The camera distance (= focal length, pixels) for a field of view ``fv`` degrees across the diagonal."""
    half = math.radians(min(max(float(fv), MIN_FIELD_OF_VIEW), 180.0 - MIN_FIELD_OF_VIEW)) / 2.0
    return math.hypot(width, height) / (2.0 * math.sin(half))


def flip_matrix(width: int, height: int, theta: float, phi: float, gamma: float, fv: float) -> np.ndarray:
    """The 3×3 homography (source → destination pixels) of a perspective flip."""
    if theta == 0.0 and phi == 0.0 and gamma == 0.0:
        return np.eye(3)
    motion = Motion(rotate_x=phi, rotate_y=theta, rotate_z=gamma, focal=flip_focal_length(width, height, fv))
    return motion_matrix(width, height, motion)
