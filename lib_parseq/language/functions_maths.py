"""The maths functions (spec §5): min/max/abs, rounding as JavaScript does, Math.* and timing conversions."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lib_parseq.language.functions_binding import Function, Param, Site
from lib_parseq.language.values import js_pow_array


def js_round(x: np.ndarray) -> np.ndarray:
    """JS Math.round: nearest integer, ties toward +Infinity, -0 kept for -0.5 <= x < 0."""
    with np.errstate(all="ignore"):
        r = np.floor(x)
        out = np.where(x - r >= 0.5, r + 1, r)
    return np.where(out == 0, np.copysign(0.0, x), out)


def _rounder(fn: Callable) -> Callable:
    def impl(site: Site, args: list[np.ndarray]) -> np.ndarray:
        v, p = args
        scale = js_pow_array(np.full(len(p), 10.0), p)
        with np.errstate(all="ignore"):
            return fn(v * scale) / scale

    return impl


def _js_sign(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, 1.0, np.where(x < 0, -1.0, x))


def _clz32(x: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        u = np.where(np.isfinite(x), np.fmod(np.trunc(x), 2.0**32), 0.0)
        u = np.where(u < 0, u + 2.0**32, u)
        _, exponent = np.frexp(u)
    return np.where(u == 0, 32.0, 32.0 - exponent)


_MATH: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "_sin": np.sin, "_cos": np.cos, "_tan": np.tan, "_asin": np.arcsin, "_acos": np.arccos, "_atan": np.arctan,
    "_sinh": np.sinh, "_cosh": np.cosh, "_tanh": np.tanh, "_asinh": np.arcsinh, "_acosh": np.arccosh,
    "_atanh": np.arctanh, "_log": np.log, "_log2": np.log2, "_log10": np.log10, "_log1p": np.log1p,
    "_exp": np.exp, "_expm1": np.expm1, "_sqrt": np.sqrt, "_cbrt": np.cbrt, "_sign": _js_sign, "_clz32": _clz32,
}


def _unary_math(fn: Callable) -> Callable:
    def impl(site: Site, args: list[np.ndarray]) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(fn(args[0]), dtype=np.float64)

    return impl


def _timing_conversion(kind: str) -> Callable:
    def impl(site: Site, args: list[np.ndarray]) -> np.ndarray:
        t = site.fr.ctx.timing
        v = args[0]
        with np.errstate(all="ignore"):
            return {"f2b": lambda: v / t.frames_per_beat, "b2f": lambda: v * t.frames_per_beat,
                    "f2s": lambda: v / t.fps, "s2f": lambda: v * t.fps}[kind]()

    return impl


def _definitions() -> list[Function]:
    fns: list[Function] = []
    two = (Param(("a",)), Param(("b",)))
    fns.append(Function("min", "the smaller of two values", two,
                        lambda site, args: np.minimum(args[0], args[1])))
    fns.append(Function("max", "the larger of two values", two,
                        lambda site, args: np.maximum(args[0], args[1])))
    fns.append(Function("abs", "absolute value", (Param(("v",)),), lambda site, args: np.abs(args[0])))
    rounding = (Param(("v",)), Param(("p",), default=0.0))
    fns.append(Function("round", "round to p decimal places, ties toward +Infinity", rounding, _rounder(js_round)))
    fns.append(Function("floor", "round down to p decimal places", rounding, _rounder(np.floor)))
    fns.append(Function("ceil", "round up to p decimal places", rounding, _rounder(np.ceil)))
    for name, ufunc in _MATH.items():
        fns.append(Function(name, f"JavaScript Math.{name[1:]}", (Param(("v",)),), _unary_math(ufunc)))
    for name, text in (("f2b", "frames to beats"), ("b2f", "beats to frames"), ("f2s", "frames to seconds"),
                       ("s2f", "seconds to frames")):
        fns.append(Function(name, text, (Param(("v",)),), _timing_conversion(name)))
    return fns


DEFINITIONS: tuple[Function, ...] = tuple(_definitions())
