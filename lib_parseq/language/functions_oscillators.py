"""The oscillators (spec §5): sin, sq, tri, saw and pulse waves over the frame number."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lib_parseq.language.functions_binding import Function, Param, Site
from lib_parseq.language.values import js_remainder_array


def _oscillator(kind: str) -> Callable:
    def impl(site: Site, args: list[np.ndarray]) -> np.ndarray:
        p, ps, a, c, li, pw = args
        f = site.fr.f
        k = site.fr.var("k")
        with np.errstate(all="ignore"):
            pos = f + ps
            theta = pos * np.pi * 2 / p
            if kind == "sin":
                value = c + a * np.sin(theta)
            elif kind == "tri":
                value = c + (2 * a / np.pi) * np.arcsin(np.sin(theta))
            elif kind == "saw":
                value = c + a * js_remainder_array(pos, p) / p
            elif kind == "sq":
                value = c + a * np.where(np.sin(theta) >= 0, 1.0, -1.0)
            else:
                value = c + a * np.where(js_remainder_array(pos, p) < pw, 1.0, 0.0)
            limited = (li > 0) & (k > li * p)
        return np.where(limited, 0.0, value)

    return impl


_OSCILLATOR_PARAMS = (
    Param(("period", "p")), Param(("phase", "ps"), default=0.0), Param(("amp", "a", "amplitude"), default=1.0),
    Param(("centre", "c", "center"), default=0.0), Param(("limit", "li"), default=0.0),
    Param(("pulse", "pw", "pulsewidth"), default=5.0),
)

LEGACY_OSCILLATOR_ORDER = (3, 1, 0, 2, 4, 5)
"""The 2022 app's positional order as indexes into _OSCILLATOR_PARAMS: centre, phase, period, amp (then limit, pulse)."""


def legacy_positional(fn: Function) -> Function:
    """``fn`` with its parameters declared in the 2022 positional order; the implementation sees the modern order."""
    order = LEGACY_OSCILLATOR_ORDER

    def impl(site: Site, args: list[np.ndarray]) -> np.ndarray:
        modern: list = [None] * len(args)
        for position, index in enumerate(order):
            modern[index] = args[position]
        return fn.impl(site, modern)

    return Function(fn.name, fn.description, tuple(fn.params[i] for i in order), impl)



DEFINITIONS: tuple[Function, ...] = tuple(
    Function(kind, text, _OSCILLATOR_PARAMS, _oscillator(kind))
    for kind, text in (("sin", "sine wave"), ("sq", "square wave"), ("tri", "triangle wave"),
                       ("saw", "sawtooth wave"), ("pulse", "pulse wave"))
)
