"""The functions that read the evaluation context (spec §5): this field's earlier results, other fields,
the beat and cadence, the prompt being built, and time series called by their alias."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from lib_parseq.language.cadence import generation_flags
from lib_parseq.language.context import Frames, TimeSeries
from lib_parseq.language.functions_binding import (
    ANY,
    STRING,
    Function,
    Param,
    Site,
    unique_strings,
    var_default,
)
from lib_parseq.language.functions_maths import js_round
from lib_parseq.language.values import (
    StringTooLong,
    bounded_string,
    to_fixed_array,
    truthy_array,
)


def _field_default(fr: Frames) -> np.ndarray:
    return np.full(fr.n, fr.ctx.default, dtype=np.float64)


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


def _definitions() -> list[Function]:
    fns: list[Function] = []
    fns.append(Function("computed_at", "this field's result at an earlier frame",
                        (Param(("frame", "f"), default=var_default("active_keyframe")),
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
    return fns


DEFINITIONS: tuple[Function, ...] = tuple(_definitions())
