"""The noise-drift chain (``render.noise_drift``): slerp by the shift over the diffused frames only, a chain
rebuilt from any frame equal to the one built in order, and the edge cases of the slerp."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lib_parseq.render.noise_drift import NoiseDrift, drifts, noise_shift, slerp_noise
from lib_parseq.render.params import frame_params


def fresh(frame: int) -> np.ndarray:
    return np.random.default_rng(frame).standard_normal((3, 4, 5))


def test_slerp_keeps_the_angle_fraction_and_the_ends():
    a, b = fresh(1), fresh(2)
    b = b * np.linalg.norm(a) / np.linalg.norm(b)  # the formula (A1111's, diffusers') is exact for equal norms
    theta = math.acos(float(np.vdot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))))
    mid = slerp_noise(a, b, 0.25)
    to_a = math.acos(float(np.vdot(a, mid) / (np.linalg.norm(a) * np.linalg.norm(mid))))
    assert to_a == pytest.approx(theta / 4, rel=1e-9)
    assert np.array_equal(slerp_noise(a, b, 0.0), a) and np.array_equal(slerp_noise(a, b, 1.0), b)
    np.testing.assert_allclose(slerp_noise(a, a * 2, 0.5), a * 1.5)  # parallel: linear


def test_the_chain_runs_over_the_diffused_frames_only():
    shifts = {0: 1.0, 3: 0.5, 6: 0.0, 9: 1.0}
    drift = NoiseDrift([0, 3, 6, 9], shifts.__getitem__, fresh)
    got = {f: drift.noise(f, fresh(f)) for f in (0, 3, 6, 9)}
    np.testing.assert_allclose(got[3], slerp_noise(fresh(0), fresh(3), 0.5))
    assert np.array_equal(got[6], got[3]) and np.array_equal(got[9], fresh(9))
    assert drift.rebuilt == 0


def test_a_chain_rebuilt_from_a_later_frame_equals_the_one_built_in_order():
    frames = list(range(8))
    shifts = dict(enumerate([1.0, 0.3, 0.7, 1.0, 0.2, 0.4, 0.9, 0.1]))
    in_order = NoiseDrift(frames, shifts.__getitem__, fresh)
    expected = [in_order.noise(f, fresh(f)) for f in frames]
    resumed = NoiseDrift(frames, shifts.__getitem__, fresh)
    assert np.array_equal(resumed.noise(6, fresh(6)), expected[6])
    assert resumed.rebuilt == 3  # frames 5, 4 and 3, where the shift of 1 restarts the chain
    assert np.array_equal(resumed.noise(7, fresh(7)), expected[7]) and resumed.rebuilt == 3


def test_noise_shift_is_clamped_and_defaults_to_fresh_noise():
    assert noise_shift(frame_params({"frame": 0})) == 1.0
    assert noise_shift(frame_params({"frame": 0, "noise_shift": -2})) == 0.0
    assert noise_shift(frame_params({"frame": 0, "noise_shift": 0.4})) == 0.4
    assert not drifts([frame_params({"frame": 0, "noise_shift": 1})])
    assert drifts([frame_params({"frame": 0, "noise_shift": 1}), frame_params({"frame": 1, "noise_shift": 0.9})])
