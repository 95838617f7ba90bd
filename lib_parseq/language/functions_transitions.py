"""The transitions (spec §5): ``bez`` and ``slide`` from one value to another over a span of frames."""

from __future__ import annotations

import difflib

import numpy as np

from lib_parseq.language import bezier
from lib_parseq.language.context import Frames
from lib_parseq.language.functions_binding import STRING, Function, Param, Site, unique_strings, var_default


def _span_default(fr: Frames) -> np.ndarray:
    return fr.var("next_keyframe") - fr.var("active_keyframe")


def bez_core(site: Site, x1, y1, x2, y2, start, end, span, offset, k, curves: np.ndarray | None) -> np.ndarray:
    """The ``bez`` rule for every frame (curve presets already resolved into x1..y2 unless ``curves`` given)."""
    x1, y1, x2, y2 = (np.array(v, dtype=np.float64) for v in (x1, y1, x2, y2))
    if curves is not None:
        for name, mask in unique_strings(curves):
            if name == "":
                continue
            preset = bezier.PRESETS.get(name)
            if preset is None:
                close = difflib.get_close_matches(name, bezier.PRESETS, n=1)
                hint = f" — did you mean '{close[0]}'?" if close else ""
                raise site.error(f"Unknown curve type: {name}.{hint}", int(np.argmax(mask)))
            x1[mask], y1[mask], x2[mask], y2[mask] = preset
    bad = ~((x1 >= 0) & (x1 <= 1) & (x2 >= 0) & (x2 <= 1))
    if bad.any():
        raise site.error("bezier x values must be in [0, 1] range", int(np.argmax(bad)))
    with np.errstate(all="ignore"):
        pos = np.where(np.abs(offset) < 1, offset, k / span)
        eased = bezier.ease(x1, y1, x2, y2, np.where(np.isfinite(pos), pos, 0.0))
        value = start + eased * (end - start)
    return np.where(span == 0, start, np.where(pos > 1, end, value))


def _bez(site: Site, args: list[np.ndarray]) -> np.ndarray:
    x1, y1, x2, y2, start, end, span, offset, curve, delta = args
    end = np.where((delta != 0) & ~np.isnan(delta), start + delta, end)
    return bez_core(site, x1, y1, x2, y2, start, end, span, offset, site.fr.var("k"), curve)


def _slide(site: Site, args: list[np.ndarray]) -> np.ndarray:
    start, end, span, offset = args
    x = site.fr.var("k")
    with np.errstate(all="ignore"):
        pos = np.where(np.abs(offset) < 1, offset * span, x)
        value = start + (end - start) / span * pos
    return np.where(span == 0, start, np.where(x >= span, end, value))


_FROM = Param(("from", "start", "s"), default=var_default("active_keyframe_value"))
_TO = Param(("to", "end", "t"), default=var_default("next_keyframe_value"))
_SPAN = Param(("span", "in", "s"), default=_span_default)
OFFSET = Param(("offset", "os"), default=2.0)
BEZ_POINTS = (Param(("x1",), default=0.5), Param(("y1",), default=0.0), Param(("x2",), default=0.5),
              Param(("y2",), default=1.0))
CURVE = Param(("curve", "c"), STRING, default="")


DEFINITIONS: tuple[Function, ...] = (
    Function("bez", "bezier transition from a value to another over a span of frames",
             (*BEZ_POINTS, _FROM, _TO, _SPAN, OFFSET, CURVE, Param(("d", "delta"), default=0.0)), _bez),
    Function("slide", "linear transition from a value to another over a span of frames",
             (_FROM, _TO, _SPAN, OFFSET), _slide),
)
