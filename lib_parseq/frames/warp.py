"""Camera motion as one 3×3 homography, applied with a single ``cv2.warpPerspective`` per frame.

``Motion`` holds one frame's motion in the pipeline's own units; ``motion_matrix`` composes zoom, 2D rotation,
pan and a 3D rotation/dolly of the image plane (a perspective projection) about a chosen centre into one
matrix mapping source pixels to destination pixels. Conventions (image axes: x right, y down):

- ``zoom``: scale factor about the centre (2 = twice as big);
- ``angle``: 2D rotation in degrees, counter-clockwise on screen (as ``cv2.getRotationMatrix2D``);
- ``translate_x/y``: pixels the content moves right/down;
- ``translate_z``: pixels the image plane moves towards the viewer (positive magnifies);
- ``rotate_x/y/z``: right-handed 3D rotations of the image plane in degrees about axes through the centre;
- ``focal``: focal length in pixels (the plane sits at this distance from the eye); ``None`` uses the
  image diagonal.

Loopback applies per-frame deltas: ``delta_matrix(previous, current)`` is the motion that takes a frame
already moved by ``previous`` to one moved by ``current``, so deltas compose exactly to the absolute motion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

BORDER_FLAGS = {
    "reflect": cv2.BORDER_REFLECT,
    "replicate": cv2.BORDER_REPLICATE,
    "wrap": cv2.BORDER_WRAP,
    "noise": cv2.BORDER_CONSTANT,
    "zeros": cv2.BORDER_CONSTANT,
}
INTERPOLATION_FLAGS = {
    "linear": cv2.INTER_LINEAR,
    "cubic": cv2.INTER_CUBIC,
    "lanczos": cv2.INTER_LANCZOS4,
    "nearest": cv2.INTER_NEAREST,
}
BORDER_ALIASES = {"border": "replicate", "reflection": "reflect", "black": "zeros"}
"""Deforum's padding names (and "black") for ours."""
INTERPOLATION_ALIASES = {"bilinear": "linear", "bicubic": "cubic"}
"""Deforum's sampling names for ours."""


def _canonical(name: str, known: dict[str, int], aliases: dict[str, str], what: str) -> str:
    mode = aliases.get(name, name)
    if mode not in known:
        raise ValueError(f"unknown {what} {name!r}; expected one of {', '.join([*known, *aliases])}")
    return mode


def border_mode(name: str) -> str:
    """Our border mode for ``name`` (ours or Deforum's); ValueError naming the choices otherwise."""
    return _canonical(name, BORDER_FLAGS, BORDER_ALIASES, "border mode")


def sampling_mode(name: str) -> str:
    """Our interpolation for ``name`` (ours or Deforum's); ValueError naming the choices otherwise."""
    return _canonical(name, INTERPOLATION_FLAGS, INTERPOLATION_ALIASES, "sampling mode")


@dataclass(frozen=True)
class Motion:
    """One frame's motion (see the module docstring for units and signs). The default is no motion."""

    zoom: float = 1.0
    angle: float = 0.0
    translate_x: float = 0.0
    translate_y: float = 0.0
    translate_z: float = 0.0
    rotate_x: float = 0.0
    rotate_y: float = 0.0
    rotate_z: float = 0.0
    center_x: float = 0.5
    center_y: float = 0.5
    focal: float | None = None

    def is_identity(self) -> bool:
        return (
            self.zoom == 1.0
            and self.angle == 0.0
            and self.translate_x == 0.0
            and self.translate_y == 0.0
            and self.translate_z == 0.0
            and self.rotate_x == 0.0
            and self.rotate_y == 0.0
            and self.rotate_z == 0.0
        )


def _rotation_3d(rx: float, ry: float, rz: float) -> np.ndarray:
    cx, sx = math.cos(math.radians(rx)), math.sin(math.radians(rx))
    cy, sy = math.cos(math.radians(ry)), math.sin(math.radians(ry))
    cz, sz = math.cos(math.radians(rz)), math.sin(math.radians(rz))
    rot_x = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    rot_y = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rot_z = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return rot_x @ rot_y @ rot_z


def motion_matrix(width: int, height: int, motion: Motion) -> np.ndarray:
    """The 3×3 homography (float64) that moves source pixels to their destination under ``motion``."""
    cx = motion.center_x * width
    cy = motion.center_y * height
    focal = motion.focal if motion.focal is not None else math.hypot(width, height)
    distance = focal - motion.translate_z
    if distance <= 1e-6 * focal:
        distance = 1e-6 * focal
    to_centre = np.array([[1.0, 0.0, -cx], [0.0, 1.0, -cy], [0.0, 0.0, 1.0]])
    rotation = _rotation_3d(motion.rotate_x, motion.rotate_y, motion.rotate_z)
    # A point (u, v) of the plane goes to R·(u, v, 0) + (0, 0, distance), then is projected with focal f.
    plane = np.column_stack([rotation[:, 0], rotation[:, 1], [0.0, 0.0, distance]])
    projection = np.diag([focal, focal, 1.0]) @ plane / focal
    a = math.radians(motion.angle)
    alpha, beta = motion.zoom * math.cos(a), motion.zoom * math.sin(a)
    planar = np.array(
        [
            [alpha, beta, motion.translate_x + cx],
            [-beta, alpha, motion.translate_y + cy],
            [0.0, 0.0, 1.0],
        ]
    )
    matrix = planar @ projection @ to_centre
    return matrix / matrix[2, 2] if abs(matrix[2, 2]) > 1e-12 else matrix


def invert_homography(matrix: np.ndarray) -> np.ndarray:
    """The inverse of a 3×3 homography by cofactors (no LAPACK call: this runs once per frame)."""
    (a, b, c), (d, e, f), (g, h, i) = matrix.tolist()
    cofactors = np.array([
        [e * i - f * h, c * h - b * i, b * f - c * e],
        [f * g - d * i, a * i - c * g, c * d - a * f],
        [d * h - e * g, b * g - a * h, a * e - b * d],
    ])
    determinant = a * cofactors[0, 0] + b * cofactors[1, 0] + c * cofactors[2, 0]
    if abs(determinant) < 1e-300:
        raise ValueError("the motion matrix is singular (a zoom of 0?)")
    return cofactors / determinant


def delta_matrix(previous: np.ndarray | None, current: np.ndarray) -> np.ndarray:
    """The motion from ``previous`` to ``current`` (both absolute homographies): current · previous⁻¹."""
    if previous is None:
        return current
    delta = current @ invert_homography(previous)
    return delta / delta[2, 2] if abs(delta[2, 2]) > 1e-12 else delta


def is_identity_matrix(matrix: np.ndarray, tolerance: float = 1e-9) -> bool:
    return bool(np.allclose(matrix, np.eye(3), atol=tolerance, rtol=0.0))


def warp_image(
    image: np.ndarray,
    matrix: np.ndarray,
    *,
    border: str = "reflect",
    interpolation: str = "linear",
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Warp ``image`` by ``matrix`` (source → destination) keeping its size.

    Areas the source does not cover are filled per ``border``: mirrored ("reflect"), edge pixels stretched
    ("replicate"), tiled ("wrap"), black ("zeros") or uniform random noise ("noise", drawn from ``rng``).
    Deforum's names ("border", "reflection", "bilinear", "bicubic") are accepted too.
    """
    border = border_mode(border)
    if is_identity_matrix(matrix):
        return image
    height, width = image.shape[:2]
    flags = INTERPOLATION_FLAGS[sampling_mode(interpolation)]
    # An affine matrix (no 3D rotation) takes the cheaper warpAffine: same result, about half the time.
    affine = bool(np.allclose(matrix[2], (0.0, 0.0, 1.0), atol=1e-12, rtol=0.0))

    def warp(source: np.ndarray, interpolation_flag: int, border_flag: int) -> np.ndarray:
        if affine:
            return cv2.warpAffine(source, matrix[:2], (width, height), flags=interpolation_flag,
                                  borderMode=border_flag, borderValue=0)
        return cv2.warpPerspective(source, matrix, (width, height), flags=interpolation_flag,
                                   borderMode=border_flag, borderValue=0)

    warped = warp(image, flags, BORDER_FLAGS[border])
    if border != "noise":
        return warped
    coverage = warp(np.full((height, width), 255, np.uint8), cv2.INTER_LINEAR, cv2.BORDER_CONSTANT)
    uncovered = coverage < 255
    if not uncovered.any():
        return warped
    generator = rng if rng is not None else np.random.default_rng()
    noise = generator.integers(0, 256, size=(int(uncovered.sum()), image.shape[2]), dtype=np.uint8)
    weight = (coverage[uncovered].astype(np.float32) / 255.0)[:, None]
    mixed = warped[uncovered].astype(np.float32) * 1.0 + noise.astype(np.float32) * (1.0 - weight)
    warped[uncovered] = np.clip(mixed + 0.5, 0, 255).astype(np.uint8)
    return warped
