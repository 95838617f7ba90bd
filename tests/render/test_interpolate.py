"""Weighted lerp/slerp blends of arrays (encoded prompts, noise), checked against direct formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lib_parseq.frames.interpolate import (
    blend,
    lerp_blend,
    normalised_weights,
    pad_tokens,
    slerp,
    slerp_blend,
)

RNG = np.random.default_rng(7)


def test_lerp_is_the_normalised_weighted_mean():
    a, b, c = (RNG.normal(size=(2, 5, 8)) for _ in range(3))
    np.testing.assert_allclose(lerp_blend([a, b, c], [1, 2, 1]), (a + 2 * b + c) / 4)
    np.testing.assert_allclose(lerp_blend([a, b], [0, 0]), (a + b) / 2)
    np.testing.assert_allclose(normalised_weights([3, 1]), [0.75, 0.25])


def test_slerp_of_two_vectors_follows_the_great_circle_with_interpolated_length():
    a = np.array([2.0, 0.0])
    b = np.array([0.0, 4.0])
    for t in (0.0, 0.25, 0.5, 1.0):
        angle = t * math.pi / 2
        length = 2 + t * 2
        np.testing.assert_allclose(slerp(a, b, t), [length * math.cos(angle), length * math.sin(angle)], atol=1e-12)


def test_slerp_per_token_against_a_direct_formula():
    a, b = RNG.normal(size=(1, 3, 16)), RNG.normal(size=(1, 3, 16))
    t = 0.3
    got = slerp_blend([a, b], [0.7, 0.3])
    for token in range(3):
        x, y = a[0, token], b[0, token]
        ux, uy = x / np.linalg.norm(x), y / np.linalg.norm(y)
        theta = math.acos(float(ux @ uy))
        direction = (math.sin((1 - t) * theta) * ux + math.sin(t * theta) * uy) / math.sin(theta)
        expected = direction * ((1 - t) * np.linalg.norm(x) + t * np.linalg.norm(y))
        np.testing.assert_allclose(got[0, token], expected, atol=1e-12)
        assert np.linalg.norm(got[0, token]) == pytest.approx(0.7 * np.linalg.norm(x) + 0.3 * np.linalg.norm(y))


def test_slerp_ends_parallel_and_zero_vectors():
    a, b = RNG.normal(size=(4, 8)), RNG.normal(size=(4, 8))
    np.testing.assert_allclose(slerp_blend([a, b], [1, 0]), a, atol=1e-12)
    np.testing.assert_allclose(slerp_blend([a, b], [0, 1]), b, atol=1e-12)
    np.testing.assert_allclose(slerp(a, 2 * a, 0.5), 1.5 * a, atol=1e-12)
    zero = np.zeros((4, 8))
    np.testing.assert_allclose(slerp(zero, b, 0.25), 0.25 * b, atol=1e-12)


def test_three_way_slerp_folds_in_with_the_running_weight():
    a, b, c = (RNG.normal(size=(2, 6)) for _ in range(3))
    expected = slerp(slerp(a, b, 0.5), c, 0.5)
    np.testing.assert_allclose(slerp_blend([a, b, c], [0.25, 0.25, 0.5]), expected, atol=1e-12)


def test_blend_errors_and_padding():
    with pytest.raises(ValueError, match="unknown blend method"):
        blend([np.zeros(2)], [1], "cubic")
    with pytest.raises(ValueError, match="differ in shape"):
        lerp_blend([np.zeros((1, 77, 4)), np.zeros((1, 154, 4))], [1, 1])
    filler = np.arange(6.0).reshape(3, 2)
    padded = pad_tokens(np.ones((1, 3, 2)), 9, filler)
    assert padded.shape == (1, 9, 2)
    np.testing.assert_array_equal(padded[0, 3:6], filler)
    np.testing.assert_array_equal(padded[0, 6:9], filler)
    with pytest.raises(ValueError, match="cannot pad"):
        pad_tokens(np.ones((1, 3, 2)), 4, filler)
