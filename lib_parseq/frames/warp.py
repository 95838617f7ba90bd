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

Degenerate motion (the image plane edge-on at ``rotate_x`` 90, a translation of 1e9 pixels) makes OpenCV
sample source coordinates far outside the image, and its mirrored border walks there one image at a time:
minutes per frame. When any output pixel would sample further than ``DIRECT_REACH`` image sizes away,
``warp_image`` builds the sampling map itself and folds every coordinate back by the border's own rule
(mirror, tile or clamp), which picks the same pixels in bounded time. A matrix with NaN or infinite entries
is refused with a ``ValueError``.
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
DIRECT_REACH = 8.0
EDGE_ON_COS = 1e-3
_OUTSIDE_MARGIN = 16.0
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


def _tilt(degrees: float) -> tuple[float, float]:
    """cos and sin of a tilt of the image plane, kept ``EDGE_ON_COS`` away from edge-on (a singular view)."""
    cos, sin = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    if abs(cos) < EDGE_ON_COS:
        cos = math.copysign(EDGE_ON_COS, cos)
        sin = math.copysign(math.sqrt(1.0 - cos * cos), sin)
    return cos, sin


def _rotation_3d(rx: float, ry: float, rz: float) -> np.ndarray:
    cx, sx = _tilt(rx)
    cy, sy = _tilt(ry)
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
    with np.errstate(all="ignore"):
        matrix = planar @ projection @ to_centre
        matrix = matrix / matrix[2, 2] if abs(matrix[2, 2]) > 1e-12 else matrix
    check_finite(matrix)
    return matrix


def check_finite(matrix: np.ndarray) -> None:
    """ValueError unless every entry of ``matrix`` is a finite number."""
    if not np.isfinite(matrix).all():
        raise ValueError("the motion is too large to compute (a zoom, translation, rotation or transform centre "
                         "overflows to infinity)")


def adjugate(matrix: np.ndarray) -> np.ndarray:
    """The adjugate of a 3×3 matrix: its inverse times the determinant. As a homography it is the inverse
    (scale does not matter), and it exists for singular matrices too (the limit of nearby inverses)."""
    (a, b, c), (d, e, f), (g, h, i) = matrix.tolist()
    return np.array([
        [e * i - f * h, c * h - b * i, b * f - c * e],
        [f * g - d * i, a * i - c * g, c * d - a * f],
        [d * h - e * g, b * g - a * h, a * e - b * d],
    ])


def invert_homography(matrix: np.ndarray) -> np.ndarray:
    """The inverse of a 3×3 homography by cofactors (no LAPACK call: this runs once per frame)."""
    cofactors = adjugate(matrix)
    determinant = float(matrix[0] @ cofactors[:, 0])
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
    """Every entry within ``tolerance`` of the identity's (NaN never is). Plain floats: this runs every frame,
    and nine comparisons cost less than one ``np.allclose``."""
    return _within(matrix.ravel().tolist(), _IDENTITY, tolerance)


def is_affine_matrix(matrix: np.ndarray, tolerance: float = 1e-12) -> bool:
    """The bottom row is (0, 0, 1) within ``tolerance``: no perspective, so ``cv2.warpAffine`` can do it."""
    return _within(matrix[2].tolist(), _IDENTITY[6:], tolerance)


_IDENTITY = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)


def _within(values: list[float], expected: tuple[float, ...], tolerance: float) -> bool:
    return all(abs(value - target) <= tolerance for value, target in zip(values, expected, strict=True))


def _scaled_inverse(matrix: np.ndarray) -> np.ndarray:
    """The adjugate scaled to a largest entry of 1 (a homography's inverse up to scale, free of overflow)."""
    inverse = adjugate(matrix / np.abs(matrix).max())
    largest = np.abs(inverse).max()
    return inverse / largest if largest > 0 else inverse


def source_coordinates(matrix: np.ndarray, width: int, height: int,
                       points: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Where output pixels ``points`` (xs, ys) sample the source under ``matrix`` (as cv2.warpPerspective does:
    the inverse homography, then a division by w; where w is 0 the point is sent far away)."""
    inverse = _scaled_inverse(matrix)
    xs, ys = points
    with np.errstate(all="ignore"):
        u = inverse[0, 0] * xs + inverse[0, 1] * ys + inverse[0, 2]
        v = inverse[1, 0] * xs + inverse[1, 1] * ys + inverse[1, 2]
        w = inverse[2, 0] * xs + inverse[2, 1] * ys + inverse[2, 2]
        far = 1e6 * (width + height)
        sx = np.nan_to_num(u / w, nan=far, posinf=far, neginf=-far)
        sy = np.nan_to_num(v / w, nan=far, posinf=far, neginf=-far)
    return sx, sy


def samples_far_outside(matrix: np.ndarray, width: int, height: int, reach: float | None = None) -> bool:
    """True when some output pixel samples more than ``reach`` image sizes outside the source.

    w is linear over the output rectangle, so if it keeps one sign at the four corners it never crosses zero
    inside, and then the sampled coordinates (a ratio of linear functions) are extreme at the corners."""
    (a, b, c), (d, e, f), (g, h, i) = _scaled_inverse(matrix).tolist()
    corners = ((-0.5, -0.5), (width - 0.5, -0.5), (-0.5, height - 0.5), (width - 0.5, height - 0.5))
    ws = [g * x + h * y + i for x, y in corners]
    if not (all(w > 0 for w in ws) or all(w < 0 for w in ws)):
        return True
    reach = DIRECT_REACH if reach is None else reach
    limit_x, limit_y = reach * width, reach * height
    for (x, y), w in zip(corners, ws, strict=True):
        # source_coordinates' arithmetic on plain floats (four points); "not within" so NaN or ±inf counts as far
        sx, sy = (a * x + b * y + c) / w, (d * x + e * y + f) / w
        if not (abs(sx - width / 2) <= limit_x and abs(sy - height / 2) <= limit_y):
            return True
    return False


def fold_coordinates(coords: np.ndarray, size: int, border_flag: int) -> np.ndarray:
    """Source coordinates brought back next to the image without changing what the border mode samples:
    mirrored (period 2·size), tiled (period size), or, for the edge-stretching and constant borders, held
    just beyond the image."""
    if border_flag == cv2.BORDER_REFLECT:
        folded = np.mod(coords + 0.5, 2 * size) - 0.5
        return np.where(folded > size - 0.5, 2 * size - 1 - folded, folded)
    if border_flag == cv2.BORDER_WRAP:
        return np.mod(coords, size)
    # Clamped or constant: past a margin wider than any interpolation kernel, every tap reads the same.
    return np.clip(coords, -_OUTSIDE_MARGIN, size - 1 + _OUTSIDE_MARGIN)


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
    check_finite(matrix)
    if is_identity_matrix(matrix):
        return image
    height, width = image.shape[:2]
    flags = INTERPOLATION_FLAGS[sampling_mode(interpolation)]
    # An affine matrix (no 3D rotation) takes the cheaper warpAffine: same result, about half the time.
    affine = is_affine_matrix(matrix)
    sampled = None
    if samples_far_outside(matrix, width, height):
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
        sampled = source_coordinates(matrix, width, height, (xs, ys))

    def warp(source: np.ndarray, interpolation_flag: int, border_flag: int) -> np.ndarray:
        if sampled is not None:
            map_x = fold_coordinates(sampled[0], width, border_flag).astype(np.float32)
            map_y = fold_coordinates(sampled[1], height, border_flag).astype(np.float32)
            return cv2.remap(source, map_x, map_y, interpolation_flag, borderMode=border_flag, borderValue=0)
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
