"""The natural cubic spline's slopes: the tridiagonal solve agrees with a dense NumPy solve of the same system."""

from __future__ import annotations

import numpy as np
import pytest

from lib_parseq.language.curves import natural_cubic_slopes


def _dense_slopes(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    n = len(xs)
    inv_h = 1.0 / np.diff(xs)
    dy2 = np.diff(ys) * inv_h * inv_h
    matrix = np.zeros((n, n))
    rhs = np.zeros(n)
    for i in range(n - 1):
        matrix[i, i] += 2 * inv_h[i]
        matrix[i + 1, i + 1] += 2 * inv_h[i]
        matrix[i, i + 1] = matrix[i + 1, i] = inv_h[i]
        rhs[i] += 3 * dy2[i]
        rhs[i + 1] += 3 * dy2[i]
    return np.linalg.solve(matrix, rhs)


@pytest.mark.parametrize("knots", [2, 3, 4, 7, 50, 400])
def test_slopes_match_a_dense_solve(knots):
    rng = np.random.default_rng(knots)
    for _ in range(20):
        xs = np.cumsum(rng.uniform(1e-3, 1e3, knots))
        ys = rng.normal(0, 10 ** rng.uniform(-3, 6), knots)
        expected = _dense_slopes(xs, ys)
        got = natural_cubic_slopes(xs, ys)
        assert np.allclose(got, expected, rtol=1e-9, atol=1e-12 * np.abs(expected).max())


def test_slopes_of_a_straight_line_are_its_gradient():
    xs = np.array([0.0, 3.0, 4.0, 10.0])
    assert natural_cubic_slopes(xs, 2.5 * xs - 1).tolist() == pytest.approx([2.5] * 4, rel=1e-15)
