"""CSS-style cubic-bezier easing (spec §5.3 ``bez``), vectorised: solve X(t) = x by Newton, else bisection.

The control points are (0,0), (x1,y1), (x2,y2), (1,1). Every argument may be an array (one value per frame).
Within [0, 1] the result is accurate to better than 1e-7 in t. Outside [0, 1] the curve is extrapolated the
way the bezier-easing library does (Newton from a guess on the sample table), which is implementation-defined.
"""

from __future__ import annotations

import numpy as np

PRESETS: dict[str, tuple[float, float, float, float]] = {}
_PRESET_ROWS = (
    (("ease",), (0.25, 0.1, 0.25, 1)),
    (("ease-in", "easeIn"), (0.42, 0, 1, 1)),
    (("ease-out", "easeOut"), (0, 0, 0.58, 1)),
    (("ease-in-out", "easeInOut"), (0.42, 0, 0.58, 1)),
    (("linear",), (0, 0, 1, 1)),
    (("step-start", "stepStart"), (0, 0, 0, 1)),
    (("step-end", "stepEnd"), (1, 0, 1, 1)),
    (("easeInCirc",), (0.55, 0, 1, 0.45)),
    (("easeOutCirc",), (0, 0.55, 0.45, 1)),
    (("easeInOutCirc",), (0.85, 0, 0.15, 1)),
    (("easeIn1", "easeInSine"), (0.12, 0, 0.39, 0)),
    (("easeOut1", "easeOutSine"), (0.61, 1, 0.88, 1)),
    (("easeInOut1", "easeInOutSine"), (0.37, 0, 0.63, 1)),
    (("easeIn2", "easeInQuad"), (0.11, 0, 0.5, 0)),
    (("easeOut2", "easeOutQuad"), (0.5, 1, 0.89, 1)),
    (("easeInOut2", "easeInOutQuad"), (0.45, 0, 0.55, 1)),
    (("easeIn3", "easeInCubic"), (0.32, 0, 0.67, 0)),
    (("easeOut3", "easeOutCubic"), (0.33, 1, 0.68, 1)),
    (("easeInOut3", "easeInOutCubic"), (0.65, 0, 0.35, 1)),
    (("easeIn4", "easeInQuart"), (0.5, 0, 0.75, 0)),
    (("easeOut4", "easeOutQuart"), (0.25, 1, 0.5, 1)),
    (("easeInOut4", "easeInOutQuart"), (0.76, 0, 0.24, 1)),
    (("easeIn5", "easeInQuint"), (0.64, 0, 0.78, 0)),
    (("easeOut5", "easeOutQuint"), (0.22, 1, 0.36, 1)),
    (("easeInOut5", "easeInOutQuint"), (0.83, 0, 0.17, 1)),
    (("easeIn6", "easeInExpo"), (0.7, 0, 0.84, 0)),
    (("easeOut6", "easeOutExpo"), (0.16, 1, 0.3, 1)),
    (("easeInOut6", "easeInOutExpo"), (0.87, 0, 0.13, 1)),
    (("easeInBack",), (0.36, 0, 0.66, -0.56)),
    (("easeOutBack",), (0.34, 1.56, 0.64, 1)),
    (("easeInOutBack",), (0.68, -0.6, 0.32, 1.6)),
)
for _names, _points in _PRESET_ROWS:
    for _name in _names:
        PRESETS[_name] = tuple(float(p) for p in _points)

_SAMPLES = 11
_STEP = 1.0 / (_SAMPLES - 1)
_NEWTON_ITERATIONS = 4
_NEWTON_MIN_SLOPE = 0.001
_PRECISION = 1e-7


def _coefficients(p1: np.ndarray, p2: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a = 1.0 - 3.0 * p2 + 3.0 * p1
    b = 3.0 * p2 - 6.0 * p1
    c = 3.0 * p1
    return a, b, c


def _at(t, a, b, c):
    return ((a * t + b) * t + c) * t


def _slope(t, a, b, c):
    return 3.0 * a * t * t + 2.0 * b * t + c


def ease(x1, y1, x2, y2, x) -> np.ndarray:
    """Y(t) where X(t) = x on the cubic bezier (x1,y1),(x2,y2); B(0) = 0, B(1) = 1; x1 = y1 and x2 = y2 is the identity."""
    x1, y1, x2, y2, x = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (x1, y1, x2, y2, x)))
    ax, bx, cx = _coefficients(x1, x2)
    ay, by, cy = _coefficients(y1, y2)
    with np.errstate(all="ignore"):
        samples = _at(np.arange(_SAMPLES)[:, None] * _STEP, ax[None, :], bx[None, :], cx[None, :])
        # the last sample at or below x (as in bezier-easing: stops before the final sample)
        below = (samples[1:-1] <= x[None, :]).sum(axis=0)
        lo = below * _STEP
        s0 = np.take_along_axis(samples, below[None, :], axis=0)[0]
        s1 = np.take_along_axis(samples, below[None, :] + 1, axis=0)[0]
        t = lo + (x - s0) / (s1 - s0) * _STEP
        slope = _slope(t, ax, bx, cx)
        newton = slope >= _NEWTON_MIN_SLOPE
        for _ in range(_NEWTON_ITERATIONS * 2):
            s = _slope(t, ax, bx, cx)
            step = np.where(newton & (s != 0), (_at(t, ax, bx, cx) - x) / np.where(s != 0, s, 1.0), 0.0)
            t = t - step
        inside = (x >= 0) & (x <= 1)
        unsolved = ~newton | (inside & ~(np.abs(_at(t, ax, bx, cx) - x) <= _PRECISION))
        if unsolved.any():
            a_ = np.where(inside, 0.0, lo)
            b_ = np.where(inside, 1.0, lo + _STEP)
            for _ in range(60):
                mid = (a_ + b_) / 2
                high = _at(mid, ax, bx, cx) - x > 0
                b_ = np.where(high, mid, b_)
                a_ = np.where(high, a_, mid)
            t = np.where(unsolved, (a_ + b_) / 2, t)
        y = _at(t, ay, by, cy)
    identity = (x1 == y1) & (x2 == y2)
    y = np.where(identity, x, y)
    return np.where((x == 0) | (x == 1), x, y)
