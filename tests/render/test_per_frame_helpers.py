"""The small per-frame helpers that run on plain floats or from a cache (issue 13's dry-run speed) decide
exactly as the NumPy formulations they replaced: the identity and affine tests, the far-sampling test, each
frame's absolute motion, the diffused-frame membership and the colour-matching table."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lib_parseq.frames import warp
from lib_parseq.frames.colour import LEVELS, matching_lut
from lib_parseq.frames.warp import (
    Motion,
    is_affine_matrix,
    is_identity_matrix,
    motion_matrix,
    samples_far_outside,
    source_coordinates,
)
from lib_parseq.render.cadence_plan import plan_diffused
from lib_parseq.render.motion import AbsoluteMotion, absolute_matrix


def _matrices() -> list[np.ndarray]:
    """Identity-like, affine, perspective, huge, tiny and non-finite 3×3 matrices."""
    rng = np.random.default_rng(7)
    found = [np.eye(3), np.eye(3) + 1e-10, np.eye(3) + 2e-9, np.eye(3) - 1e-9]
    for _ in range(300):
        found.append(np.eye(3) + rng.normal(scale=rng.choice([1e-13, 1e-10, 1e-3, 0.5]), size=(3, 3)))
    for _ in range(300):  # general homographies: the plane often crosses the horizon inside the image
        found.append(rng.normal(size=(3, 3)) * [[64, 64, 64], [48, 48, 48], [rng.uniform(0.001, 0.1)] * 2 + [1]])
    for motion in (Motion(rotate_x=89.99), Motion(rotate_y=-60, zoom=0.2), Motion(translate_x=1e9),
                   Motion(zoom=1e300), Motion(zoom=1e-300), Motion(rotate_x=45, translate_z=-1e9), Motion(angle=30)):
        found.append(motion_matrix(64, 48, motion))
    for bad in (np.nan, np.inf, -np.inf):
        matrix = np.eye(3)
        matrix[1, 2] = bad
        found.append(matrix)
        matrix = np.eye(3)
        matrix[2, 0] = bad
        found.append(matrix)
    return found


def test_the_identity_and_affine_tests_decide_as_allclose():
    decided = {"identity": set(), "affine": set()}
    for matrix in _matrices():
        identity = bool(np.allclose(matrix, np.eye(3), atol=1e-9, rtol=0.0))
        affine = bool(np.allclose(matrix[2], (0.0, 0.0, 1.0), atol=1e-12, rtol=0.0))
        assert is_identity_matrix(matrix) == identity, matrix
        assert is_affine_matrix(matrix) == affine, matrix
        decided["identity"].add(identity)
        decided["affine"].add(affine)
    assert decided == {"identity": {True, False}, "affine": {True, False}}  # both answers were exercised


def _far_by_numpy(matrix: np.ndarray, width: int, height: int, reach: float) -> bool:
    """The formulation the render used before: every corner's sampled point through ``source_coordinates``."""
    inverse = warp._scaled_inverse(matrix)
    xs = np.array([-0.5, width - 0.5, -0.5, width - 0.5])
    ys = np.array([-0.5, -0.5, height - 0.5, height - 0.5])
    w = inverse[2, 0] * xs + inverse[2, 1] * ys + inverse[2, 2]
    if not (np.all(w > 0) or np.all(w < 0)):
        return True
    sx, sy = source_coordinates(matrix, width, height, (xs, ys))
    return bool(np.any(np.abs(sx - width / 2) > reach * width) or np.any(np.abs(sy - height / 2) > reach * height))


@pytest.mark.parametrize("reach", [warp.DIRECT_REACH, 0.6, -1.0])
def test_far_sampling_is_decided_as_by_the_sampled_corners(reach):
    answers = set()
    for matrix in _matrices():
        if not np.isfinite(matrix).all():
            continue  # warp_image refuses these before asking
        expected = _far_by_numpy(matrix, 64, 48, reach)
        assert samples_far_outside(matrix, 64, 48, reach) == expected, matrix
        answers.add(expected)
    assert answers == ({True} if reach < 0 else {True, False})


def test_each_frame_s_absolute_motion_is_computed_once_and_kept_read_only():
    frames = [{"frame": f, "zoom": 1 + 0.01 * f, "rotation_3d_y": 3 * math.sin(f), "angle": f} for f in range(12)]
    motion = AbsoluteMotion(frames, "modern", 64, 48)
    for f in (0, 1, 1, 2, 3, 2, 9, 0):
        matrix = motion(f)
        np.testing.assert_array_equal(matrix, absolute_matrix(frames[f], "modern", 64, 48))
        assert not matrix.flags.writeable
    assert motion(5) is motion(5)
    assert len(motion._recent) <= AbsoluteMotion.KEPT


def test_diffused_frame_membership_matches_the_frames():
    cadence = np.array([1.0] * 10 + [3.0] * 20 + [7.0] * 30)
    diffused = plan_diffused(cadence, 4, 60)
    frames = set(diffused.as_list())
    assert 4 in frames and len(frames) < 56
    assert [f for f in range(-2, 70) if f in diffused] == sorted(frames)
    assert np.int64(4) in diffused


def _matching_lut_by_channel(source_hist: np.ndarray, target_hist: np.ndarray) -> np.ndarray:
    """The table built one channel at a time, as before."""
    table = np.empty((1, LEVELS, source_hist.shape[0]), np.uint8)
    levels = np.arange(LEVELS, dtype=np.float64)
    for c in range(source_hist.shape[0]):
        src, tgt = source_hist[c].astype(np.float64), target_hist[c].astype(np.float64)
        if src.sum() <= 0 or tgt.sum() <= 0:
            table[0, :, c] = levels.astype(np.uint8)
            continue
        present = tgt > 0
        mapped = np.interp(np.cumsum(src) / src.sum(), np.cumsum(tgt[present]) / tgt.sum(), levels[present])
        table[0, :, c] = np.clip(np.rint(mapped), 0, LEVELS - 1).astype(np.uint8)
    return table


def test_the_colour_matching_table_is_built_as_channel_by_channel():
    rng = np.random.default_rng(3)
    spike = np.zeros((3, LEVELS), np.int64)
    spike[:, 200] = 50
    cases = [(rng.integers(0, 60, (3, LEVELS)), rng.integers(0, 9, (3, LEVELS))) for _ in range(100)]
    cases += [(np.zeros((3, LEVELS), np.int64), rng.integers(0, 9, (3, LEVELS))),
              (rng.integers(0, 9, (3, LEVELS)), np.zeros((3, LEVELS), np.int64)),
              (rng.integers(0, 9, (3, LEVELS)), spike)]
    for source, target in cases:
        table = matching_lut(source, target)
        assert table.shape == (1, LEVELS, 3) and table.dtype == np.uint8 and table.flags.c_contiguous
        np.testing.assert_array_equal(table, _matching_lut_by_channel(source, target))
