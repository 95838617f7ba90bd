"""Curves through a field's defined keyframes (spec §4): step, linear, natural cubic spline, polynomial.

Each function takes the knots (xs strictly increasing, ys) and an array of frames, and returns the curve at
every frame at once. The spline and polynomial are set up once per call, not once per frame.
"""

from __future__ import annotations

import numpy as np


def step_index(xs: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Index of the last knot with x <= t, or -1 before the first."""
    return np.searchsorted(xs, t, side="right") - 1


def linear(xs: np.ndarray, ys: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Piecewise-linear through the knots, the first/last segment extended; a knot uses the segment on its right."""
    if len(xs) == 1:
        return np.full(len(t), ys[0], dtype=np.float64)
    seg = np.clip(step_index(xs, t), 0, len(xs) - 2)
    x0, x1, y0, y1 = xs[seg], xs[seg + 1], ys[seg], ys[seg + 1]
    with np.errstate(all="ignore"):
        a = (y1 - y0) / (x1 - x0)
        c = -a * x0 + y0
        return a * t + c


def natural_cubic_slopes(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Knot slopes of the natural cubic spline (zero second derivative at both ends): a tridiagonal solve.

    The matrix is strictly diagonally dominant, so the Thomas algorithm (elimination without pivoting) is
    stable; a loop over the knots costs far less than importing a banded LAPACK solver.
    """
    n = len(xs)
    inv_h = 1.0 / np.diff(xs)
    dy2 = np.diff(ys) * inv_h * inv_h
    diag = np.zeros(n)
    rhs = np.zeros(n)
    diag[:-1] += 2 * inv_h
    diag[1:] += 2 * inv_h
    rhs[:-1] += 3 * dy2
    rhs[1:] += 3 * dy2
    with np.errstate(all="ignore"):
        return _solve_symmetric_tridiagonal(diag.tolist(), inv_h.tolist(), rhs.tolist())


def _solve_symmetric_tridiagonal(diag: list[float], off: list[float], rhs: list[float]) -> np.ndarray:
    """Solve A x = rhs for A with ``diag`` on the diagonal and ``off`` beside it (Thomas algorithm)."""
    n = len(diag)
    scaled_off = [0.0] * n
    scaled_rhs = [0.0] * n
    scaled_off[0] = off[0] / diag[0] if n > 1 else 0.0
    scaled_rhs[0] = rhs[0] / diag[0]
    for i in range(1, n):
        pivot = diag[i] - off[i - 1] * scaled_off[i - 1]
        if i < n - 1:
            scaled_off[i] = off[i] / pivot
        scaled_rhs[i] = (rhs[i] - off[i - 1] * scaled_rhs[i - 1]) / pivot
    solution = [0.0] * n
    solution[-1] = scaled_rhs[-1]
    for i in range(n - 2, -1, -1):
        solution[i] = scaled_rhs[i] - scaled_off[i] * solution[i + 1]
    return np.array(solution)


def cubic(xs: np.ndarray, ys: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Natural cubic spline in Hermite form; the first segment is extrapolated before the first knot; NaN after the last."""
    if len(xs) == 1:
        return np.where(t <= xs[0], ys[0], np.nan)
    if not (np.all(np.isfinite(ys))):
        slopes = np.full(len(xs), np.nan)
    else:
        slopes = natural_cubic_slopes(xs, ys)
    i = np.clip(np.searchsorted(xs, t, side="left"), 1, len(xs) - 1)
    x0, x1, y0, y1, k0, k1 = xs[i - 1], xs[i], ys[i - 1], ys[i], slopes[i - 1], slopes[i]
    with np.errstate(all="ignore"):
        h = x1 - x0
        u = (t - x0) / h
        dy = y1 - y0
        a = k0 * h - dy
        b = -k1 * h + dy
        q = (1 - u) * y0 + u * y1 + u * (1 - u) * (a * (1 - u) + b * u)
    return np.where(t > xs[-1], np.nan, q)


_NEVILLE_MAX_KNOTS = 12


def polynomial(xs: np.ndarray, ys: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The Lagrange polynomial through all knots at every t (extrapolated outside the knots).

    Neville's scheme (as Parseq) for up to 12 knots; beyond that the same polynomial in the first
    barycentric form, O(knots) per frame instead of O(knots²), with magnitudes kept as logarithms.
    """
    if len(xs) <= _NEVILLE_MAX_KNOTS:
        return neville(xs, ys, t)
    return lagrange_barycentric(xs, ys, t)


def neville(xs: np.ndarray, ys: np.ndarray, t: np.ndarray) -> np.ndarray:
    n = len(xs)
    p = np.repeat(ys[:, None].astype(np.float64), len(t), axis=1)
    with np.errstate(all="ignore"):
        for level in range(1, n):
            xi = xs[: n - level, None]
            xj = xs[level:, None]
            p[: n - level] = ((t - xj) * p[: n - level] + (xi - t) * p[1 : n - level + 1]) / (xi - xj)
    return p[0]


def lagrange_barycentric(xs: np.ndarray, ys: np.ndarray, t: np.ndarray) -> np.ndarray:
    """l(t) · Σ w_j y_j / (t − x_j) with w_j = 1 / Π_{k≠j} (x_j − x_k), l(t) = Π (t − x_j)."""
    gaps = xs[:, None] - xs[None, :]
    np.fill_diagonal(gaps, 1.0)
    log_w = -np.log(np.abs(gaps)).sum(axis=1)
    sign_w = np.prod(np.sign(gaps), axis=1)
    shift = log_w.max()
    w = sign_w * np.exp(log_w - shift)
    with np.errstate(all="ignore"):
        d = t[None, :] - xs[:, None]
        exact = d == 0
        d_safe = np.where(exact, 1.0, d)
        total = (w[:, None] * ys[:, None] / d_safe).sum(axis=0)
        log_l = np.log(np.abs(d_safe)).sum(axis=0) + shift
        sign_l = np.prod(np.sign(d_safe), axis=0)
        out = sign_l * total * np.exp(log_l)
    hit = exact.any(axis=0)
    if hit.any():
        out[hit] = ys[np.argmax(exact[:, hit], axis=0)]
    return out
