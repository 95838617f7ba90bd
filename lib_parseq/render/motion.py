"""Reading camera motion from a manifest frame, in either field vocabulary.

Modern (Parseq web app / Deforum): ``zoom`` is a scale factor, ``angle`` a 2D rotation in degrees,
``translation_x/y`` pixels, ``translation_z`` a dolly in Deforum units (200 = the distance to the image
plane), ``rotation_3d_x/y/z`` degrees, ``transform_center_x/y`` the centre as fractions, ``fov`` the field of
view in degrees, ``perspective_flip_theta/phi/gamma/fv`` Deforum's perspective flip (applied to the image
before the camera motion). Legacy (2022): ``zoom`` is a dolly in pixels towards the image, ``panx/pany`` pixels (the
content moves the other way), ``rotx/roty/rotz`` degrees, with the image diagonal as focal length.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from lib_parseq.errors import RenderError
from lib_parseq.frames.flip import flip_matrix
from lib_parseq.frames.warp import Motion, motion_matrix
from lib_parseq.render.params import numeric_values
from lib_parseq.schedules.fields import is_legacy_vocabulary

MODERN_MOTION_FIELDS = frozenset(
    {"angle", "translation_x", "translation_y", "translation_z", "rotation_3d_x", "rotation_3d_y", "rotation_3d_z"}
)
DEFORUM_DOLLY_UNITS = 200.0


def detect_vocabulary(field_names: Iterable[str], requested: str = "auto") -> str:
    """"legacy" or "modern": ``requested`` unless "auto", else legacy iff a legacy-only field is present."""
    if requested in ("modern", "legacy"):
        return requested
    if requested != "auto":
        raise RenderError(f"unknown field vocabulary {requested!r}; expected auto, modern or legacy")
    names = set(field_names)
    return "legacy" if is_legacy_vocabulary(names) and not names & MODERN_MOTION_FIELDS else "modern"


def _focal_from_fov(width: int, height: int, fov: float) -> float | None:
    if not 0.0 < fov < 180.0:
        return None
    return (max(width, height) / 2.0) / math.tan(math.radians(fov) / 2.0)


def frame_motion(values: Mapping[str, float], vocabulary: str, width: int, height: int) -> Motion:
    """The absolute motion a frame's fields describe (fields that are absent mean no motion)."""
    get = values.get
    if vocabulary == "legacy":
        return Motion(
            translate_x=-get("panx", 0.0),
            translate_y=-get("pany", 0.0),
            translate_z=get("zoom", 0.0),
            rotate_x=get("rotx", 0.0),
            rotate_y=-get("roty", 0.0),
            rotate_z=get("rotz", 0.0),
        )
    focal = _focal_from_fov(width, height, get("fov", 40.0))
    effective_focal = focal if focal is not None else math.hypot(width, height)
    return Motion(
        zoom=get("zoom", 1.0),
        angle=get("angle", 0.0),
        translate_x=get("translation_x", 0.0),
        translate_y=get("translation_y", 0.0),
        translate_z=get("translation_z", 0.0) / DEFORUM_DOLLY_UNITS * effective_focal,
        rotate_x=get("rotation_3d_x", 0.0),
        rotate_y=get("rotation_3d_y", 0.0),
        rotate_z=get("rotation_3d_z", 0.0),
        center_x=get("transform_center_x", 0.5),
        center_y=get("transform_center_y", 0.5),
        focal=focal,
    )


def absolute_matrix(entry: Mapping[str, Any], vocabulary: str, width: int, height: int) -> np.ndarray:
    """The 3×3 homography of a manifest frame's absolute motion: perspective flip, then the camera motion."""
    values = numeric_values(entry)
    matrix = motion_matrix(width, height, frame_motion(values, vocabulary, width, height))
    if vocabulary == "legacy":
        return matrix
    get = values.get
    flip = (get("perspective_flip_theta", 0.0), get("perspective_flip_phi", 0.0), get("perspective_flip_gamma", 0.0))
    if flip == (0.0, 0.0, 0.0):
        return matrix
    combined = matrix @ flip_matrix(width, height, *flip, get("perspective_flip_fv", 50.0))
    return combined / combined[2, 2]


class AbsoluteMotion:
    """Each frame's ``absolute_matrix``, computed once. The loopback step into frame f is f's matrix after
    f−1's inverse, so without this every matrix is built twice; the last few are kept (read-only)."""

    KEPT = 4

    def __init__(self, frames: Sequence[Mapping[str, Any]], vocabulary: str, width: int, height: int) -> None:
        self.frames, self.vocabulary, self.width, self.height = frames, vocabulary, width, height
        self._recent: dict[int, np.ndarray] = {}

    def __call__(self, frame: int) -> np.ndarray:
        matrix = self._recent.get(frame)
        if matrix is None:
            matrix = absolute_matrix(self.frames[frame], self.vocabulary, self.width, self.height)
            matrix.flags.writeable = False
            if len(self._recent) >= self.KEPT:
                del self._recent[next(iter(self._recent))]
            self._recent[frame] = matrix
        return matrix
