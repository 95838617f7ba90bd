"""Motion measured from a video: dense optical flow, or one affine/perspective matrix from tracked features.

Flow methods (OpenCV, CPU), cheapest first — see ``benchmarks/motion.py`` for measured costs:

- ``dis_medium``: DIS (dense inverse search), medium preset — good quality, a few ms per 512² frame;
- ``dis_fine``: DIS, medium preset refined down to full resolution (OpenCV has no "fine" preset) — finer
  detail, several times the medium preset's cost;
- ``farneback``: Farnebäck polynomial expansion — smooth fields, the slowest of the three.

``backward_flow(previous, current)`` is the flow at each pixel of ``current`` pointing to where that content
was in ``previous``; ``apply_flow(image, flow, factor)`` then moves ``image`` the way the video moved
(``factor`` = ``hybrid_flow_factor``: 0 = still, 1 = the video's motion, 2 = twice it). Sampling at the
destination pixel makes the displacement exact for a rigidly moving region.

``feature_matrix(previous, current, kind)`` tracks strong corners from ``previous`` into ``current``
(pyramidal Lucas–Kanade) and fits an "affine" (6 degrees of freedom) or "perspective" (homography) matrix
with RANSAC, so a camera move is recovered even when some of the scene moves on its own.
"""

from __future__ import annotations

import cv2
import numpy as np

FLOW_METHODS = ("dis_medium", "dis_fine", "farneback")
MATRIX_KINDS = ("affine", "perspective")
MIN_TRACKED_POINTS = 8


def _grey(image: np.ndarray) -> np.ndarray:
    return image if image.ndim == 2 else cv2.cvtColor(np.ascontiguousarray(image[:, :, :3]), cv2.COLOR_RGB2GRAY)


def optical_flow(source: np.ndarray, target: np.ndarray, method: str = "dis_medium") -> np.ndarray:
    """Dense flow (H, W, 2) float32 at ``source``'s pixels: ``source(p) ≈ target(p + flow(p))``."""
    first, second = _grey(source), _grey(target)
    if method in ("dis_medium", "dis_fine"):
        solver = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
        if method == "dis_fine":
            solver.setFinestScale(0)
        return solver.calc(first, second, None)
    if method == "farneback":
        return cv2.calcOpticalFlowFarneback(first, second, None, pyr_scale=0.5, levels=5, winsize=15,
                                            iterations=3, poly_n=5, poly_sigma=1.2, flags=0)
    raise ValueError(f"unknown flow method {method!r}; expected one of {', '.join(FLOW_METHODS)}")


def backward_flow(previous: np.ndarray, current: np.ndarray, method: str = "dis_medium") -> np.ndarray:
    """Flow at ``current``'s pixels to where their content was in ``previous``."""
    return optical_flow(current, previous, method)


def apply_flow(image: np.ndarray, flow: np.ndarray, factor: float = 1.0, *, border: int = cv2.BORDER_REFLECT_101,
               interpolation: int = cv2.INTER_LINEAR) -> np.ndarray:
    """Move ``image`` along a backward ``flow`` scaled by ``factor``: ``out(p) = image(p + factor·flow(p))``."""
    if factor == 0.0:
        return image
    height, width = flow.shape[:2]
    grid_x, grid_y = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    map_x = grid_x + np.float32(factor) * flow[:, :, 0]
    map_y = grid_y + np.float32(factor) * flow[:, :, 1]
    return cv2.remap(image, map_x, map_y, interpolation, borderMode=border)


def feature_matrix(previous: np.ndarray, current: np.ndarray, kind: str = "affine", *,
                   max_corners: int = 400) -> np.ndarray:
    """The 3×3 matrix taking ``previous``'s pixels to ``current``'s (identity if too few features track)."""
    if kind not in MATRIX_KINDS:
        raise ValueError(f"unknown hybrid matrix {kind!r}; expected one of {', '.join(MATRIX_KINDS)}")
    first, second = _grey(previous), _grey(current)
    spacing = max(4, min(first.shape) // 40)
    corners = cv2.goodFeaturesToTrack(first, maxCorners=max_corners, qualityLevel=0.01, minDistance=spacing,
                                      blockSize=7)
    if corners is None or len(corners) < MIN_TRACKED_POINTS:
        return np.eye(3)
    tracked, status, _ = cv2.calcOpticalFlowPyrLK(first, second, corners, None, winSize=(21, 21), maxLevel=4)
    found = status.ravel() == 1
    source, target = corners[found].reshape(-1, 2), tracked[found].reshape(-1, 2)
    if len(source) < MIN_TRACKED_POINTS:
        return np.eye(3)
    if kind == "affine":
        matrix, _ = cv2.estimateAffine2D(source, target, method=cv2.RANSAC, ransacReprojThreshold=1.0)
        return np.eye(3) if matrix is None else np.vstack([matrix, [0.0, 0.0, 1.0]])
    matrix, _ = cv2.findHomography(source, target, cv2.RANSAC, 1.0)
    return np.eye(3) if matrix is None else matrix / matrix[2, 2]
