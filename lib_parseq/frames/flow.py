"""Motion measured from a video: dense optical flow (one affine/perspective matrix: ``frames.features``).

Flow methods (OpenCV, CPU), cheapest first — see ``benchmarks/motion.py`` for measured costs:

- ``dis_medium``: DIS (dense inverse search), medium preset — good quality, a few ms per 512² frame;
- ``dis_fine``: DIS, medium preset refined down to full resolution (OpenCV has no "fine" preset) — finer
  detail, several times the medium preset's cost;
- ``farneback``: Farnebäck polynomial expansion — smooth fields, the slowest of the three.

``backward_flow(previous, current)`` is the flow at each pixel of ``current`` pointing to where that content
was in ``previous``; ``apply_flow(image, flow, factor)`` then moves ``image`` the way the video moved
(``factor`` = ``hybrid_flow_factor``: 0 = still, 1 = the video's motion, 2 = twice it). Sampling at the
destination pixel makes the displacement exact for a rigidly moving region.
"""

from __future__ import annotations

import cv2
import numpy as np

FLOW_METHODS = ("dis_medium", "dis_fine", "farneback")


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
