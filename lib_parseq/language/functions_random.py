"""The random functions (spec §5): ``rand``, ``smrand``, ``perlin`` and ``vibe``, each seeded once per call site."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from lib_parseq.language import noise, randomness
from lib_parseq.language.functions_binding import UNSEEDED, Function, Param, Site
from lib_parseq.language.functions_transitions import BEZ_POINTS, CURVE, OFFSET, bez_core
from lib_parseq.language.values import js_number_to_string


def _generator(site: Site, seed: np.ndarray | None, index: int) -> np.random.Generator:
    """The call site's generator, seeded once at its first use from the seed at that frame."""
    state = site.state
    rng = state.get("rng")
    if rng is None:
        if seed is None:
            st = site.fr.state
            key = randomness.unseeded_key(st.random_seed, st.field, st.declared_at, site.node.line, site.node.column)
        else:
            key = js_number_to_string(float(seed[index]))
        rng = state["rng"] = randomness.fresh_generator(key)
    return rng


def _floor_ratio(a: float, b: float) -> float:
    with np.errstate(all="ignore"):
        return float(np.floor(np.float64(a) / np.float64(b)))


def _rand(site: Site, args: list[np.ndarray | None]) -> np.ndarray:
    low, high, seed, hold = args
    fr = site.fr
    state = site.state
    n = fr.n
    f = fr.f
    last = state.get("last_draw")
    if np.all(hold == 1):
        draw = np.ones(n, dtype=bool)
    else:
        ak = fr.var("active_keyframe")
        k = fr.var("k")
        draw = np.zeros(n, dtype=bool)
        for i in range(n):
            if last is None or _floor_ratio(last - ak[i], hold[i]) < _floor_ratio(k[i], hold[i]):
                draw[i] = True
                last = f[i]
    if not draw.any():
        return np.full(n, state.get("held", np.nan))
    where = np.flatnonzero(draw)
    rng = _generator(site, seed, int(where[0]))
    drawn = np.full(n, np.nan)
    drawn[where] = rng.random(len(where)) * (high[where] - low[where]) + low[where]
    latest = np.maximum.accumulate(np.where(draw, np.arange(n), -1))
    out = np.where(latest >= 0, drawn[np.maximum(latest, 0)], state.get("held", np.nan))
    state["held"] = float(drawn[where[-1]])
    state["last_draw"] = float(f[where[-1]])
    return out


def _noise(kind: str) -> Callable:
    def impl(site: Site, args: list[np.ndarray | None]) -> np.ndarray:
        smooth, low, high, seed, y = args
        state = site.state
        perm = state.get("perm")
        if perm is None:
            perm = state["perm"] = noise.permutation(_generator(site, seed, 0))
        smooth = np.where((smooth == 0) | np.isnan(smooth), 1.0, smooth)
        with np.errstate(all="ignore"):
            x = site.fr.f / smooth
            if kind == "smrand":
                return noise.simplex2(perm, x, y) * (high - low) / 2 + (high + low) / 2
            return noise.perlin2(perm, x, y) * (high - low) + (high + low) / 2

    return impl


_NOISE_PARAMS = (Param(("smooth", "sm"), default=10.0), Param(("min", "n"), default=0.0),
                 Param(("max", "x"), default=1.0), Param(("seed", "s"), default=UNSEEDED), Param(("y",), default=0.0))


def _vibe(site: Site, args: list[np.ndarray | None]) -> np.ndarray:
    x1, y1, x2, y2, _offset, pmin, pmax, p, low, high, seed, curve = args
    fr = site.fr
    state = site.state
    f = fr.f
    akv = fr.var("active_keyframe_value")
    n = fr.n
    starts, ends, spans, offsets = (np.empty(n) for _ in range(4))
    for i in range(n):
        if "segment_start" not in state or f[i] > state["segment_start"] + state["period"]:
            rng = _generator(site, seed, i)
            begin = state.get("segment_end", akv[i])
            end = rng.random() * (high[i] - low[i]) + low[i]
            if math.isnan(p[i]):
                period = max(1.0, float(np.floor(pmin[i] + rng.random() * (pmax[i] - pmin[i]))))
            else:
                period = float(p[i])
            state.update(segment_start=float(f[i]), segment_begin=float(begin), segment_end=float(end), period=period)
        starts[i], ends[i], spans[i] = state["segment_begin"], state["segment_end"], state["period"]
        offsets[i] = (f[i] - state["segment_start"]) / spans[i] if spans[i] != 0 else math.nan
    return bez_core(site, x1, y1, x2, y2, starts, ends, spans, offsets, fr.var("k"), curve)


DEFINITIONS: tuple[Function, ...] = (
    Function("rand", "random number, held for h frames",
             (Param(("min", "n"), default=0.0), Param(("max", "x"), default=1.0),
              Param(("seed", "s"), default=UNSEEDED), Param(("hold", "h"), default=1.0)),
             _rand, stateful=True),
    Function("smrand", "smooth random (simplex noise)", _NOISE_PARAMS, _noise("smrand"), stateful=True),
    Function("perlin", "smooth random (Perlin noise)", _NOISE_PARAMS, _noise("perlin"), stateful=True),
    Function("vibe", "random walk of bezier segments",
             (*BEZ_POINTS, OFFSET, Param(("pmin",), default=1.0), Param(("pmax",), default=20.0),
              Param(("p",), default=math.nan), Param(("min",), default=0.0), Param(("max",), default=1.0),
              Param(("seed", "s"), default=UNSEEDED), CURVE),
             _vibe, stateful=True),
)
