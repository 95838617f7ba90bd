"""The built-in functions (spec §5): signatures, argument binding and validation, and array implementations.

Every implementation takes the call site and its argument values (one array per parameter, in declaration
order, each with one element per evaluated frame) and returns one array. The vectorised evaluator calls them
once for a whole span; the per-frame evaluator calls them with length-1 arrays. Stateful functions keep
their memory per call site in the declaration's EvalState and scan the frames in order.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lib_parseq.errors import EvalError
from lib_parseq.language import bezier, noise, randomness
from lib_parseq.language.cadence import generation_flags
from lib_parseq.language.context import Frames, NotInPrompt, TimeSeries
from lib_parseq.language.keyframe_info import PatternError
from lib_parseq.language.nodes import Call, Node
from lib_parseq.language.values import (
    StringTooLong,
    bounded_string,
    first_string_index,
    js_number_to_string,
    js_pow_array,
    js_remainder_array,
    to_fixed_array,
    truthy_array,
)

NUMBER, STRING, ANY = "number", "string", "any"
_REQUIRED = object()
_UNSEEDED = object()


@dataclass(frozen=True)
class Param:
    """One parameter: its names (the first is canonical, the rest are aliases), type and default."""

    names: tuple[str, ...]
    type: str = NUMBER
    default: object = _REQUIRED  # a value, a callable(Frames) -> array, or _UNSEEDED

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    @property
    def label(self) -> str:
        return "/".join(self.names)


@dataclass(frozen=True)
class Function:
    name: str
    description: str
    params: tuple[Param, ...]
    impl: Callable
    stateful: bool = False
    sequential: bool = False

    @property
    def title(self) -> str:
        return f"{self.name} ({self.description})"


class Site:
    """One evaluation of one call: the node (its position keys the state), the function and the frames."""

    __slots__ = ("fn", "node", "fr")

    def __init__(self, fn: Function, node: Call, fr: Frames) -> None:
        self.fn = fn
        self.node = node
        self.fr = fr

    @property
    def state(self) -> dict:
        return self.fr.state.site(self.node)

    def error(self, message: str, index: int = 0, node: Node | None = None) -> EvalError:
        node = node or self.node
        return EvalError(message, frame=self.fr.frame_at(index), line=node.line, column=node.column)


# --- argument binding (spec §5.1), checked before evaluation ------------------------------------

def bind(fn: Function, node: Call) -> list[Node | None]:
    """The argument expression of each parameter (None: use the default); raises the §5.1 messages."""
    params = fn.params
    if not node.named:
        if any(p.required for p in params[len(node.args):]):  # a required parameter may follow optional ones
            names = ", ".join(p.label for p in params if p.required)
            raise _bind_error(node, f"1 or more missing required arguments for function '{fn.title}'. "
                                    f"Required arguments: {names}")
        if len(node.args) > len(params):
            raise _bind_error(node, f"Too many arguments for function '{fn.title}'. "
                                    f"Expected {len(params)} arguments, got {len(node.args)}")
        return list(node.args) + [None] * (len(params) - len(node.args))
    given = {name for name, *_ in node.named}
    missing = [p for p in params if p.required and not given.intersection(p.names)]
    if missing:
        raise _bind_error(node, f"1 or more missing required arguments for function '{fn.title}'. "
                                f"Required arguments: {', '.join(p.label for p in missing)}")
    unknown = [(name, line, col) for name, line, col, _ in node.named if not any(name in p.names for p in params)]
    if unknown:
        supported = ", ".join(p.label for p in params)
        name, line, col = unknown[0]
        raise EvalError(f"1 or more unrecognised arguments for function '{fn.title}': "
                        f"{', '.join(u[0] for u in unknown)}. Supported arguments: {supported}", line=line, column=col)
    slots: list[Node | None] = [None] * len(params)
    for name, line, col, expr in node.named:
        for i, p in enumerate(params):
            if name in p.names:
                if slots[i] is not None:
                    raise EvalError(f"Duplicate arguments for function '{fn.title}': {name}", line=line, column=col)
                slots[i] = expr
    return slots


def _bind_error(node: Call, message: str) -> EvalError:
    return EvalError(message, line=node.line, column=node.column)


def check_argument(site: Site, param: Param, value: np.ndarray, where: Node) -> np.ndarray:
    """Enforce the declared type of one argument at every frame; numbers come back as float64."""
    if param.type == NUMBER:
        bad = first_string_index(value)
        if bad is not None:
            raise site.error(_type_message(site.fn, param, NUMBER, STRING), bad, where)
        return value if value.dtype != object else value.astype(np.float64)
    if param.type == STRING:
        if value.dtype != object:
            raise site.error(_type_message(site.fn, param, STRING, NUMBER), 0, where)
        for i, v in enumerate(value):
            if not isinstance(v, str):
                raise site.error(_type_message(site.fn, param, STRING, NUMBER), i, where)
    return value


def _type_message(fn: Function, param: Param, expected: str, got: str) -> str:
    return (f"Invalid argument type for argument '{param.label}' for function '{fn.title}'. "
            f"Expected type '{expected}', got '{got}'")


def default_value(param: Param, fr: Frames) -> np.ndarray | None:
    d = param.default
    if d is _UNSEEDED:
        return None
    if callable(d):
        return d(fr)
    if isinstance(d, str):
        out = np.empty(fr.n, dtype=object)
        out[:] = d
        return out
    return np.full(fr.n, d, dtype=np.float64)


def unique_strings(values: np.ndarray):
    """(value, mask) for each distinct string in ``values`` (most calls pass one literal)."""
    first = values[0] if len(values) else None
    if len(values) == 0 or bool((values == first).all()):
        yield first, np.ones(len(values), dtype=bool)
        return
    for v in dict.fromkeys(values.tolist()):
        yield v, values == v


# --- context-dependent defaults -------------------------------------------------------------------

def _var(name: str) -> Callable[[Frames], np.ndarray]:
    return lambda fr: fr.var(name)


def _span_default(fr: Frames) -> np.ndarray:
    return fr.var("next_keyframe") - fr.var("active_keyframe")


def _field_default(fr: Frames) -> np.ndarray:
    return np.full(fr.n, fr.ctx.default, dtype=np.float64)


# --- oscillators ---------------------------------------------------------------------------------

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


def _legacy_positional(fn: Function) -> Function:
    """``fn`` with its parameters declared in the 2022 positional order; the implementation sees the modern order."""
    order = LEGACY_OSCILLATOR_ORDER

    def impl(site: Site, args: list[np.ndarray]) -> np.ndarray:
        modern: list = [None] * len(args)
        for position, index in enumerate(order):
            modern[index] = args[position]
        return fn.impl(site, modern)

    return Function(fn.name, fn.description, tuple(fn.params[i] for i in order), impl)


# --- transitions -----------------------------------------------------------------------------------

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


_FROM = Param(("from", "start", "s"), default=_var("active_keyframe_value"))
_TO = Param(("to", "end", "t"), default=_var("next_keyframe_value"))
_SPAN = Param(("span", "in", "s"), default=_span_default)
_OFFSET = Param(("offset", "os"), default=2.0)
_BEZ_POINTS = (Param(("x1",), default=0.5), Param(("y1",), default=0.0), Param(("x2",), default=0.5),
               Param(("y2",), default=1.0))
_CURVE = Param(("curve", "c"), STRING, default="")


# --- randomness ------------------------------------------------------------------------------------

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
                 Param(("max", "x"), default=1.0), Param(("seed", "s"), default=_UNSEEDED), Param(("y",), default=0.0))


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


# --- maths -----------------------------------------------------------------------------------------

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


# --- keyframe info ---------------------------------------------------------------------------------

def _info_matcher(kind: str) -> Callable:
    def impl(site: Site, args: list[np.ndarray]) -> np.ndarray:
        default = args[1] if len(args) > 1 else None
        fr = site.fr
        t = fr.f
        matcher = fr.ctx.info_matcher()
        kf_frames = np.array([kf.frame for kf in fr.ctx.keyframes], dtype=np.float64)
        codes, patterns, first_use = _pattern_codes(args[0])
        hits = []
        for code, pattern in enumerate(patterns):
            try:
                hits.append(np.flatnonzero(matcher.matches(pattern)))
            except PatternError as exc:
                raise site.error(str(exc), first_use[code]) from None
        # Every matching keyframe index of every pattern on one sorted axis: code * stride + keyframe index.
        stride = len(kf_frames) + 1
        offsets = np.concatenate([[0], np.cumsum([len(h) for h in hits])]).astype(np.int64)
        hit_index = np.concatenate(hits).astype(np.int64) if hits else np.zeros(0, dtype=np.int64)
        hit_keys = np.repeat(np.arange(len(hits), dtype=np.int64) * stride, np.diff(offsets)) + hit_index
        active = np.searchsorted(kf_frames, t, side="right")  # keyframes at or before each frame
        pos = np.searchsorted(hit_keys, codes * stride + active, side="left")
        n_le = pos - offsets[codes]
        has_prev, has_next = n_le > 0, pos < offsets[codes + 1]
        last = len(hit_index) - 1
        prev_index = hit_index[np.clip(pos - 1, 0, last)] if len(hit_index) else np.zeros(len(t), dtype=np.int64)
        next_index = hit_index[np.clip(pos, 0, last)] if len(hit_index) else np.zeros(len(t), dtype=np.int64)
        prev = np.where(has_prev, kf_frames[prev_index] if len(kf_frames) else np.nan, np.nan)
        nxt = np.where(has_next, kf_frames[next_index] if len(kf_frames) else np.nan, np.nan)
        active_matches = has_prev & (prev_index == active - 1)
        return _info_result(kind, t, n_le, prev, nxt, active_matches, default)

    return impl


def _pattern_codes(patterns: np.ndarray) -> tuple[np.ndarray, list[str], list[int]]:
    """Each frame's pattern as a number, the distinct patterns in order of first use, and that first index."""
    numbers: dict[str, int] = {}
    first_use: list[int] = []
    codes = np.empty(len(patterns), dtype=np.int64)
    for index, pattern in enumerate(patterns.tolist()):
        code = numbers.get(pattern)
        if code is None:
            code = numbers[pattern] = len(numbers)
            first_use.append(index)
        codes[index] = code
    return codes, list(numbers), first_use


def _info_result(kind, t, n_le, prev, nxt, active_matches, d) -> np.ndarray:
    """One info_match* result for frames ``t``, given the previous/next matching keyframe frames (NaN: none)."""
    if kind == "info_match":
        return active_matches.astype(np.float64)
    if kind == "info_match_count":
        return n_le.astype(np.float64)
    has_prev, has_next = ~np.isnan(prev), ~np.isnan(nxt)
    with np.errstate(all="ignore"):
        if kind == "info_match_prev":
            return np.where(has_prev, prev, d)
        if kind == "info_match_next":
            return np.where(has_next, nxt, d)
        if kind == "info_match_gap":
            return np.where(has_prev & has_next, nxt - prev, d)
        if kind == "info_match_progress":
            return np.where(has_prev & has_next, (t - prev) / (nxt - prev), d)
        if kind == "info_match_since":
            return np.where(has_prev, t - prev, d)
        return np.where(has_next, nxt - t, d)


_REGEX = Param(("regex", "r"), STRING)
_MATCH_DEFAULT = Param(("default", "d"), default=-1.0)


# --- meta ------------------------------------------------------------------------------------------

def _raw_values(site: Site) -> np.ndarray:
    ctx = site.fr.ctx
    if ctx.in_prompt or ctx.raw is None:
        raise site.error(f"{site.fn.name}() is not available here (it reads this field's earlier results)")
    return ctx.raw


def _computed_at(site: Site, args: list[np.ndarray]) -> np.ndarray:
    target, default = args
    fr = site.fr
    raw = _raw_values(site)
    current = fr.f
    ahead = target > current
    if ahead.any():
        raise site.error("computed_at(prior_frame) - prior_frame must be below the current frame number.",
                         int(np.argmax(ahead)))
    out = np.empty(fr.n, dtype=object)
    start = fr.ctx.start
    for i in range(fr.n):
        t = target[i]
        if t < 0:
            out[i] = float(default[i])
        elif t == current[i] or not math.isfinite(t) or t != math.floor(t) or not (start <= t < start + len(raw)):
            out[i] = math.nan
        else:
            out[i] = raw[int(t) - start]
    return out


def _start_of_beat(site: Site, args: list[np.ndarray]) -> np.ndarray:
    frame, modes = args
    fpb = site.fr.ctx.timing.frames_per_beat
    with np.errstate(all="ignore"):
        beat_start = np.floor(frame / fpb) * fpb
    out = np.empty(site.fr.n)
    for mode, mask in unique_strings(modes):
        rounder = {"d": np.floor, "u": np.ceil, "r": js_round}.get(mode)
        if rounder is None:
            raise site.error(f"Unknown rounding mode '{mode}' (use \"d\", \"u\" or \"r\")", int(np.argmax(mask)))
        out[mask] = rounder(beat_start[mask])
    return out


def _recompute_if(site: Site, args: list[np.ndarray]) -> np.ndarray:
    condition, compute, default = args
    state = site.state
    n = site.fr.n
    chosen = truthy_array(condition)
    latest = np.maximum.accumulate(np.where(chosen, np.arange(n), -1))
    if "value" in state:
        fallback = np.empty(n, dtype=object)
        fallback[:] = [state["value"]] * n
    else:
        fallback = default
    out = np.where(latest >= 0, compute[np.maximum(latest, 0)], fallback)
    if chosen.any():
        state["value"] = compute[int(np.flatnonzero(chosen)[-1])]
    return out if out.dtype != object else _normalized(out)


def _normalized(values: np.ndarray) -> np.ndarray:
    if any(isinstance(v, str) for v in values):
        return values
    return values.astype(np.float64)


def _dangerous(site: Site, args: list[np.ndarray]) -> np.ndarray:
    names, frames = args
    ctx = site.fr.ctx
    out = np.full(site.fr.n, -1.0)
    for name, mask in unique_strings(names):
        source = ctx.other_fields.get(name)
        if source is None:
            continue
        values = np.asarray(source, dtype=np.float64)
        t = frames[mask]
        if ctx.in_prompt or values.ndim == 0:  # in prompts: the value at the current frame only
            ok = t == site.fr.f[mask]
            out[mask] = np.where(ok, site.fr.field_at_frames(values)[mask], -1.0)
            continue
        ok = np.isfinite(t) & (t == np.floor(t)) & (t >= 0) & (t < len(values))
        out[mask] = np.where(ok, values[np.where(ok, t, 0).astype(np.int64)], -1.0)
    return out


def _is_generation(site: Site, args: list[np.ndarray]) -> np.ndarray:
    timing = site.fr.ctx.timing
    schedule = timing.cadence_schedule
    return generation_flags(args[0], float(timing.cadence) if schedule is None else np.asarray(schedule))


def _posneg(lora: bool) -> Callable:
    def impl(site: Site, args: list[np.ndarray]) -> np.ndarray:
        terms, weights, posweights, negweights = args
        positive = site.fr.ctx.prompt_type == "positive"
        moving = weights < 0
        own, other = (posweights, negweights) if positive else (negweights, posweights)
        chosen = np.where(moving, other, own)
        weight_texts = to_fixed_array(np.where(np.isnan(chosen), np.abs(weights), chosen), 4)
        out = np.empty(site.fr.n, dtype=object)
        for i, (term, weight, moves) in enumerate(zip(terms.tolist(), weight_texts, moving.tolist(), strict=True)):
            if weights[i] == 0:
                out[i] = ""
                continue
            text = f"<lora:{term}:{weight}>" if lora else f"({term}:{weight})"
            try:
                out[i] = bounded_string(f"__PARSEQ_MOVE__{text}__PARSEQ_END_MOVE__" if moves else text)
            except StringTooLong as exc:
                raise site.error(exc.message, i) from None
        return out

    return impl


def time_series_function(series: TimeSeries) -> Function:
    """A time-series alias called as a function: ``alias(a, b)`` is the series at frame a (linear when b)."""

    def impl(site: Site, args: list[np.ndarray]) -> np.ndarray:
        t = args[0]
        if series.in_milliseconds:
            t = t / site.fr.ctx.timing.fps * 1000
        return series.at(t, truthy_array(args[1]))

    params = tuple(Param((name,), default=0.0) for name in "abcdefg")
    return Function(series.alias, f"time series '{series.alias}' at frame a; linear lookup when b is true",
                    params, impl)


def series_at_frames(series: TimeSeries, frames: np.ndarray, fps: float) -> np.ndarray:
    """A bare time-series alias: the step value at t = f (or f/fps·1000 for a millisecond series)."""
    t = frames / fps * 1000 if series.in_milliseconds else frames
    return series.at(t)


# --- the registry ----------------------------------------------------------------------------------

def _define() -> dict[str, Function]:
    fns: list[Function] = []
    for kind, text in (("sin", "sine wave"), ("sq", "square wave"), ("tri", "triangle wave"),
                       ("saw", "sawtooth wave"), ("pulse", "pulse wave")):
        fns.append(Function(kind, text, _OSCILLATOR_PARAMS, _oscillator(kind)))
    fns.append(Function("bez", "bezier transition from a value to another over a span of frames",
                        (*_BEZ_POINTS, _FROM, _TO, _SPAN, _OFFSET, _CURVE, Param(("d", "delta"), default=0.0)), _bez))
    fns.append(Function("slide", "linear transition from a value to another over a span of frames",
                        (_FROM, _TO, _SPAN, _OFFSET), _slide))
    fns.append(Function("rand", "random number, held for h frames",
                        (Param(("min", "n"), default=0.0), Param(("max", "x"), default=1.0),
                         Param(("seed", "s"), default=_UNSEEDED), Param(("hold", "h"), default=1.0)),
                        _rand, stateful=True))
    fns.append(Function("smrand", "smooth random (simplex noise)", _NOISE_PARAMS, _noise("smrand"), stateful=True))
    fns.append(Function("perlin", "smooth random (Perlin noise)", _NOISE_PARAMS, _noise("perlin"), stateful=True))
    fns.append(Function("vibe", "random walk of bezier segments",
                        (*_BEZ_POINTS, _OFFSET, Param(("pmin",), default=1.0), Param(("pmax",), default=20.0),
                         Param(("p",), default=math.nan), Param(("min",), default=0.0), Param(("max",), default=1.0),
                         Param(("seed", "s"), default=_UNSEEDED), _CURVE),
                        _vibe, stateful=True))
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
    fns.append(Function("info_match", "1 if the active keyframe's info matches the regex",
                        (_REGEX,), _info_matcher("info_match")))
    fns.append(Function("info_match_count", "number of keyframes so far whose info matches",
                        (_REGEX,), _info_matcher("info_match_count")))
    for name, kind, text in (
        ("info_match_prev", "info_match_prev", "frame of the last matching keyframe"),
        ("info_match_last", "info_match_prev", "frame of the last matching keyframe"),
        ("info_match_next", "info_match_next", "frame of the next matching keyframe"),
        ("info_match_gap", "info_match_gap", "frames between the last and next matching keyframes"),
        ("info_match_progress", "info_match_progress", "progress from the last to the next matching keyframe"),
        ("info_match_since", "info_match_since", "frames since the last matching keyframe"),
        ("info_match_until", "info_match_until", "frames until the next matching keyframe"),
    ):
        fns.append(Function(name, text, (_REGEX, _MATCH_DEFAULT), _info_matcher(kind)))
    fns.append(Function("computed_at", "this field's result at an earlier frame",
                        (Param(("frame", "f"), default=_var("active_keyframe")),
                         Param(("default", "d"), default=_field_default)),
                        _computed_at, sequential=True))
    fns.append(Function("start_of_beat", "the frame where the current beat starts",
                        (Param(("frame", "f"), default=lambda fr: fr.f), Param(("round", "r"), STRING, default="r")),
                        _start_of_beat))
    fns.append(Function("recompute_if", "recompute a value only when a condition holds",
                        (Param(("if",), ANY), Param(("compute", "c"), ANY), Param(("default", "d"), ANY, default=-1.0)),
                        _recompute_if, stateful=True))
    fns.append(Function("dangerous", "another field's value at any frame",
                        (Param(("name", "n"), STRING), Param(("frame", "f"), default=lambda fr: fr.f)), _dangerous))
    fns.append(Function("is_generation", "1 on frames that cadence generates",
                        (Param(("frame", "f"), default=lambda fr: fr.f),), _is_generation))
    posneg_params = (Param(("term", "t"), STRING), Param(("weight", "w")),
                     Param(("posweight", "pw"), default=math.nan), Param(("negweight", "nw"), default=math.nan))
    fns.append(Function("posneg", "weighted prompt term; negative weight moves it to the other prompt",
                        posneg_params, _posneg(lora=False)))
    fns.append(Function("posneg_lora", "weighted LoRA term; negative weight moves it to the other prompt",
                        posneg_params, _posneg(lora=True)))
    return {fn.name: fn for fn in fns}


FUNCTIONS: dict[str, Function] = _define()
PROMPT_ONLY = frozenset({"posneg", "posneg_lora"})
STATEFUL = frozenset(name for name, fn in FUNCTIONS.items() if fn.stateful)
SEQUENTIAL = frozenset(name for name, fn in FUNCTIONS.items() if fn.sequential)
LEGACY_POSITIONAL: dict[str, Function] = {
    name: _legacy_positional(FUNCTIONS[name]) for name in ("sin", "sq", "tri", "saw", "pulse")
}
"""The oscillators as a 2022 document calls them with positional arguments: ``sin(centre, phase, period, amp)``."""


def unknown_function(name: str, node: Call, extra_names=()) -> EvalError:
    close = difflib.get_close_matches(name, [*FUNCTIONS, *extra_names], n=1)
    hint = f" — did you mean '{close[0]}'?" if close else ""
    return EvalError(f"unknown function '{name}'{hint}", line=node.line, column=node.column)


def invoke(fn: Function, node: Call, fr: Frames, evaluate_argument: Callable[[Node, Frames], np.ndarray],
           binding: list[Node | None]) -> np.ndarray:
    """Evaluate the arguments in declaration order, check their types, and run the function over ``fr``."""
    site = Site(fn, node, fr)
    if fn.name in PROMPT_ONLY and fr.ctx.prompt_type not in ("positive", "negative"):
        raise site.error("posneg() can only be used in a prompt.")
    values: list[np.ndarray | None] = []
    try:
        for param, arg in zip(fn.params, binding, strict=True):
            if arg is None:
                value = default_value(param, fr)
            else:
                value = evaluate_argument(arg, fr)
            values.append(None if value is None else check_argument(site, param, value, arg or node))
        return fn.impl(site, values)
    except NotInPrompt as exc:
        raise exc.located(frame=fr.frame_at(0), line=node.line, column=node.column) from None
