"""One camera move between two frames from matched local features (hybrid motion "affine"/"perspective").

ORB finds keypoints with binary descriptors in both frames; each descriptor of the first frame is matched
to its two nearest in the second (Hamming distance) and kept only when the nearest is clearly nearer than
the second (Lowe's ratio test) and the match holds both ways (cross-check). RANSAC fits an "affine"
(6 degrees of freedom, ``cv2.estimateAffine2D``) or a "perspective" (homography, ``cv2.findHomography``)
matrix to the matches, so a camera move is recovered however far the camera moved or turned, even when part
of the scene moves on its own or some matches are wrong. ORB keypoints sit on their pyramid level's pixel
grid (a pixel or more off at full size), so the fit is then refined: the second frame is turned back by
that matrix, corners spread over the first frame are tracked into it by Lucas–Kanade (the residual move is a
few pixels at most) and the residual is fitted with RANSAC (``benchmarks/motion.py`` measures the result
against Lucas–Kanade tracking alone). A frame too plain to match (a flat sky, a fade to black) gives the identity matrix and a
note saying why, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MATRIX_KINDS = ("affine", "perspective")
MIN_MATCHES = 8
RATIO = 0.75
RANSAC_THRESHOLD = 1.0
REFINE_LIMIT = 4.0
FAST_THRESHOLD = 5  # low: soft, low-contrast frames (smooth gradients, haze) still give corners


@dataclass(frozen=True)
class FeatureFit:
    """The fitted 3×3 matrix (``previous``'s pixels to ``current``'s), the match counts, and a note when the
    fit fell back to the identity (else None)."""

    matrix: np.ndarray
    matches: int
    inliers: int
    note: str | None = None


def _grey(image: np.ndarray) -> np.ndarray:
    return image if image.ndim == 2 else cv2.cvtColor(np.ascontiguousarray(image[:, :, :3]), cv2.COLOR_RGB2GRAY)


def _detector(image: np.ndarray, max_features: int) -> cv2.ORB:
    """ORB with a patch size that fits small frames (its default 31-pixel patch leaves a 64² frame bare)."""
    patch = int(np.clip(min(image.shape[:2]) // 8, 9, 31))
    return cv2.ORB_create(nfeatures=max_features, edgeThreshold=patch, patchSize=patch, fastThreshold=FAST_THRESHOLD)


def matched_points(previous: np.ndarray, current: np.ndarray, *,
                   max_features: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """Matched keypoint positions (N, 2) float32 in ``previous`` and in ``current`` (ratio test + cross-check)."""
    first, second = _grey(previous), _grey(current)
    detector = _detector(first, max_features)
    keys_1, descriptors_1 = detector.detectAndCompute(first, None)
    keys_2, descriptors_2 = detector.detectAndCompute(second, None)
    if descriptors_1 is None or descriptors_2 is None or len(keys_1) < 2 or len(keys_2) < 2:
        return np.empty((0, 2), np.float32), np.empty((0, 2), np.float32)
    matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
    forward = matcher.knnMatch(descriptors_1, descriptors_2, k=2)
    backward = {m.queryIdx: m.trainIdx for m in matcher.match(descriptors_2, descriptors_1)}
    pairs = [(m.queryIdx, m.trainIdx) for m, n in (p for p in forward if len(p) == 2)
             if m.distance < RATIO * n.distance and backward.get(m.trainIdx) == m.queryIdx]
    if not pairs:
        return np.empty((0, 2), np.float32), np.empty((0, 2), np.float32)
    source = np.float32([keys_1[i].pt for i, _ in pairs])
    target = np.float32([keys_2[j].pt for _, j in pairs])
    return source, target


def _fit(source: np.ndarray, target: np.ndarray, kind: str) -> tuple[np.ndarray | None, int]:
    """RANSAC fit of one matrix to point pairs: (3×3 matrix or None, inlier count)."""
    if kind == "affine":
        matrix, inliers = cv2.estimateAffine2D(source, target, method=cv2.RANSAC,
                                               ransacReprojThreshold=RANSAC_THRESHOLD, refineIters=20)
        matrix = None if matrix is None else np.vstack([matrix, [0.0, 0.0, 1.0]])
    else:
        matrix, inliers = cv2.findHomography(source, target, cv2.RANSAC, RANSAC_THRESHOLD)
        matrix = None if matrix is None or abs(matrix[2, 2]) < 1e-12 else matrix / matrix[2, 2]
    if matrix is None or not np.isfinite(matrix).all():
        return None, 0
    return matrix, 0 if inliers is None else int(inliers.sum())


def _refine(previous: np.ndarray, current: np.ndarray, coarse: np.ndarray, kind: str) -> np.ndarray | None:
    """A sub-pixel refit: ``current`` is turned back by the coarse matrix, so what is left is a small
    residual move; corners spread over ``previous`` are tracked into it by Lucas–Kanade (a few pixels at
    most) and the residual fitted with RANSAC. None when too few corners hold."""
    first, second = _grey(previous), _grey(current)
    height, width = first.shape
    aligned = cv2.warpPerspective(second, coarse, (width, height), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                  borderMode=cv2.BORDER_REPLICATE)
    spacing = max(4, min(first.shape) // 40)
    corners = cv2.goodFeaturesToTrack(first, maxCorners=400, qualityLevel=0.01, minDistance=spacing, blockSize=7)
    if corners is None or len(corners) < MIN_MATCHES:
        return None
    tracked, status, _ = cv2.calcOpticalFlowPyrLK(first, aligned, corners, None, winSize=(21, 21), maxLevel=2)
    kept = (status.ravel() == 1) & (np.abs(tracked - corners).reshape(-1, 2).max(axis=1) <= REFINE_LIMIT)
    if kept.sum() < MIN_MATCHES:
        return None
    residual, inliers = _fit(corners.reshape(-1, 2)[kept], tracked.reshape(-1, 2)[kept], kind)
    if residual is None or inliers < MIN_MATCHES:
        return None
    matrix = coarse @ residual
    return matrix / matrix[2, 2]


def feature_fit(previous: np.ndarray, current: np.ndarray, kind: str = "affine") -> FeatureFit:
    """Fit the camera move from ``previous`` to ``current`` (identity and a note when features are too few)."""
    if kind not in MATRIX_KINDS:
        raise ValueError(f"unknown hybrid matrix {kind!r}; expected one of {', '.join(MATRIX_KINDS)}")
    source, target = matched_points(previous, current)
    if len(source) < MIN_MATCHES:
        return FeatureFit(np.eye(3), len(source), 0,
                          f"{len(source)} matching features (at least {MIN_MATCHES} needed)")
    coarse, inliers = _fit(source, target, kind)
    if coarse is None or inliers < MIN_MATCHES:
        return FeatureFit(np.eye(3), len(source), inliers,
                          f"no consistent {kind} move among {len(source)} matching features")
    refined = _refine(previous, current, coarse, kind)
    return FeatureFit(coarse if refined is None else refined, len(source), inliers)


def feature_matrix(previous: np.ndarray, current: np.ndarray, kind: str = "affine") -> np.ndarray:
    """The 3×3 matrix taking ``previous``'s pixels to ``current``'s (identity if too few features match)."""
    return feature_fit(previous, current, kind).matrix
