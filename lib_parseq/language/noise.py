"""Seeded 2-D simplex and Perlin noise over arrays of points (spec §5.3 ``smrand``/``perlin``).

A noise field is a permutation table drawn from a seeded generator, so the same seed gives the same field
on every platform. Both return values in about [-1, 1]; Perlin noise is 0 at integer lattice points.
"""

from __future__ import annotations

import numpy as np

_GRADIENTS = np.array(
    [(1, 1), (-1, 1), (1, -1), (-1, -1), (1, 0), (-1, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (0, 1), (0, -1)],
    dtype=np.float64,
)
_F2 = 0.5 * (np.sqrt(3.0) - 1.0)
_G2 = (3.0 - np.sqrt(3.0)) / 6.0


def permutation(rng: np.random.Generator) -> np.ndarray:
    """A 512-entry table: a random permutation of 0..255, repeated."""
    perm = rng.permutation(256)
    return np.concatenate([perm, perm]).astype(np.int64)


def _gradient_dot(perm: np.ndarray, i: np.ndarray, j: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    g = _GRADIENTS[perm[(i + perm[j & 255]) & 511] % 12]
    return g[..., 0] * x + g[..., 1] * y


def simplex2(perm: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """2-D simplex noise at (x, y), in [-1, 1]."""
    x, y = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    with np.errstate(all="ignore"):
        s = (x + y) * _F2
        i = np.floor(x + s)
        j = np.floor(y + s)
        t = (i + j) * _G2
        x0 = x - (i - t)
        y0 = y - (j - t)
        upper = x0 > y0
        i1 = upper.astype(np.int64)
        j1 = 1 - i1
        x1 = x0 - i1 + _G2
        y1 = y0 - j1 + _G2
        x2 = x0 - 1.0 + 2.0 * _G2
        y2 = y0 - 1.0 + 2.0 * _G2
        finite = np.isfinite(i) & np.isfinite(j)
        ii = np.where(finite, i, 0).astype(np.int64) & 255
        jj = np.where(finite, j, 0).astype(np.int64) & 255
        total = np.zeros_like(x)
        for dx, dy, ci, cj in ((x0, y0, 0, 0), (x1, y1, i1, j1), (x2, y2, 1, 1)):
            falloff = 0.5 - dx * dx - dy * dy
            contribution = falloff ** 4 * _gradient_dot(perm, ii + ci, jj + cj, dx, dy)
            total += np.where(falloff > 0, contribution, 0.0)
        return np.where(finite, 70.0 * total, np.nan)


def _fade(t: np.ndarray) -> np.ndarray:
    return t * t * t * (t * (t * 6 - 15) + 10)


def perlin2(perm: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Classic 2-D Perlin (gradient) noise at (x, y), about [-1, 1], 0 at integer points."""
    x, y = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    with np.errstate(all="ignore"):
        xf = np.floor(x)
        yf = np.floor(y)
        finite = np.isfinite(xf) & np.isfinite(yf)
        xi = np.where(finite, xf, 0).astype(np.int64) & 255
        yi = np.where(finite, yf, 0).astype(np.int64) & 255
        x = x - xf
        y = y - yf
        n00 = _gradient_dot(perm, xi, yi, x, y)
        n01 = _gradient_dot(perm, xi, yi + 1, x, y - 1)
        n10 = _gradient_dot(perm, xi + 1, yi, x - 1, y)
        n11 = _gradient_dot(perm, xi + 1, yi + 1, x - 1, y - 1)
        u = _fade(x)
        low = n00 + u * (n10 - n00)
        high = n01 + u * (n11 - n01)
        return np.where(finite, low + _fade(y) * (high - low), np.nan)
