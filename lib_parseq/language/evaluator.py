"""Evaluating expressions: vectorised over a span of frames, and the per-frame tree walk it must agree with.

``evaluate_field`` evaluates each ``_i`` declaration once over all the frames it covers (spec §8.3): ``if``
evaluates each branch only on the frames that select it; stateful functions scan their frames in order;
an expression using ``prev_computed_value``/``computed_at`` runs frame by frame. Identical stateless texts
declared at several keyframes are evaluated together. An error is reported at the first frame, in frame
order, where the per-frame semantics would raise it.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from lib_parseq.errors import EvalError, ParseqError
from lib_parseq.language.context import (
    BUILTIN_VARIABLES,
    EvalState,
    FieldContext,
    FieldProgram,
    FieldValues,
    Frames,
    KeyframeInfo,
    NotInPrompt,
    TimeSeries,
    Timing,
)
from lib_parseq.language.expression import Expression, parse
from lib_parseq.language.functions import FUNCTIONS, LEGACY_POSITIONAL, invoke, unknown_function
from lib_parseq.language.functions_binding import bind
from lib_parseq.language.functions_context import series_at_frames, time_series_function
from lib_parseq.language.nodes import Call, Chain, If, Negate, Node, Number, Power, String, Variable
from lib_parseq.language.values import (
    DivideByZero,
    StringTooLong,
    Value,
    binary_array,
    binary_scalar,
    full,
    merge_masked,
    negate_array,
    negate_scalar,
    to_number_array,
    truthy,
    truthy_array,
)

_DEFAULT_INTERPOLATION = "L"


# --- shared pieces --------------------------------------------------------------------------------

def _number(node: Number, fr: Frames) -> float:
    timing = fr.ctx.timing
    if node.unit == "s":
        return node.value * timing.fps
    if node.unit == "b":
        return node.value * (timing.fps * 60) / timing.bpm
    return node.value


def _variable(node: Variable, fr: Frames) -> np.ndarray:
    """The value of a name at every frame of ``fr``: built-in → context → time series → other field → error."""
    name = node.name
    ctx = fr.ctx
    if name in BUILTIN_VARIABLES:
        try:
            return fr.var(name)
        except NotInPrompt as exc:
            raise exc.located(frame=fr.frame_at(0), line=node.line, column=node.column) from None
    if name == "prev_computed_value" and not ctx.in_prompt and ctx.raw is not None:
        return _previous_results(fr)
    series = ctx.time_series.get(name)
    if series is not None:
        return series_at_frames(series, fr.f, ctx.timing.fps)
    source = ctx.other_fields.get(name)
    if source is not None:
        if name == ctx.name and not ctx.in_prompt:
            raise EvalError(f"field '{name}' cannot refer to itself by name; use prev_computed_value or "
                            "computed_at() for its earlier values",
                            frame=fr.frame_at(0), line=node.line, column=node.column)
        return fr.field_at_frames(source)
    known = [*BUILTIN_VARIABLES, *ctx.time_series, *ctx.other_fields]
    if not ctx.in_prompt:
        known.append("prev_computed_value")
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" — did you mean '{close[0]}'?" if close else ""
    raise EvalError(f"unknown variable '{name}'{hint}", frame=fr.frame_at(0), line=node.line, column=node.column)


def _previous_results(fr: Frames) -> np.ndarray:
    raw = fr.ctx.raw
    out = np.empty(fr.n, dtype=object)
    for i, p in enumerate(fr.pos):
        out[i] = raw[p - 1] if p > 0 else 0.0
    if any(isinstance(v, str) for v in out):
        return out
    return out.astype(np.float64)


def _resolve_call(node: Call, fr: Frames):
    fn = FUNCTIONS.get(node.name)
    ctx = fr.ctx
    if ctx.timing.legacy_positional and node.args:
        fn = LEGACY_POSITIONAL.get(node.name, fn)
    if fn is None:
        series = ctx.time_series.get(node.name)
        if series is None:
            raise unknown_function(node.name, node, ctx.time_series).located(frame=fr.frame_at(0))
        fn = time_series_function(series)
    key = (node, fn.name)
    binding = ctx.bindings.get(key)
    if binding is None:
        try:
            binding = bind(fn, node)
        except EvalError as exc:
            raise exc.located(frame=fr.frame_at(0)) from None
        ctx.bindings[key] = binding
    return fn, binding


# --- vectorised evaluation --------------------------------------------------------------------------

def evaluate_vector(node: Node, fr: Frames) -> np.ndarray:
    """The value of ``node`` at every frame of ``fr``: float64, or object when strings occur."""
    kind = type(node)
    if kind is Number:
        return np.full(fr.n, _number(node, fr))
    if kind is Variable:
        return _variable(node, fr)
    if kind is Chain:
        acc = evaluate_vector(node.first, fr)
        for op, operand in node.rest:
            try:
                acc, zero_at = binary_array(op, acc, evaluate_vector(operand, fr))
            except StringTooLong as exc:
                raise exc.located(frame=fr.frame_at(exc.index), line=node.line, column=node.column) from None
            if zero_at is not None:
                raise DivideByZero().located(frame=fr.frame_at(zero_at), line=node.line, column=node.column)
        return acc
    if kind is Call:
        fn, binding = _resolve_call(node, fr)
        return invoke(fn, node, fr, evaluate_vector, binding)
    if kind is If:
        return _if_vector(node, fr)
    if kind is Power:
        result, _ = binary_array("^", evaluate_vector(node.base, fr), evaluate_vector(node.exponent, fr))
        return result
    if kind is Negate:
        value = evaluate_vector(node.operand, fr)
        try:
            for _ in range(node.count):
                value = negate_array(value)
        except StringTooLong as exc:
            raise exc.located(frame=fr.frame_at(exc.index), line=node.line, column=node.column) from None
        return value
    if kind is String:
        return full(fr.n, node.value)
    raise TypeError(f"unknown node {kind.__name__}")


def _if_vector(node: If, fr: Frames) -> np.ndarray:
    chosen = truthy_array(evaluate_vector(node.condition, fr))
    if chosen.all():
        return evaluate_vector(node.consequent, fr)
    if not chosen.any():
        return evaluate_vector(node.alternative, fr) if node.alternative is not None else np.zeros(fr.n)
    when_true = evaluate_vector(node.consequent, fr.sub(chosen))
    when_false = evaluate_vector(node.alternative, fr.sub(~chosen)) if node.alternative is not None else None
    return merge_masked(chosen, when_true, when_false)


# --- per-frame tree walk (the reference semantics) ----------------------------------------------------

def _scalar(values: np.ndarray) -> Value:
    v = values[0]
    return v if isinstance(v, str) else float(v)


def _one(value: Value) -> np.ndarray:
    return full(1, value)


def evaluate_scalar(node: Node, fr: Frames) -> Value:
    """The value of ``node`` at the single frame of ``fr``, walking the tree with scalar operators."""
    if isinstance(node, Number):
        return _number(node, fr)
    if isinstance(node, String):
        return node.value
    if isinstance(node, Variable):
        return _scalar(_variable(node, fr))
    if isinstance(node, Negate):
        value = evaluate_scalar(node.operand, fr)
        try:
            for _ in range(node.count):
                value = negate_scalar(value)
        except StringTooLong as exc:
            raise exc.located(frame=fr.frame_at(0), line=node.line, column=node.column) from None
        return value
    if isinstance(node, Power):
        return binary_scalar("^", evaluate_scalar(node.base, fr), evaluate_scalar(node.exponent, fr))
    if isinstance(node, Chain):
        acc = evaluate_scalar(node.first, fr)
        for op, operand in node.rest:
            right = evaluate_scalar(operand, fr)
            try:
                acc = binary_scalar(op, acc, right)
            except (DivideByZero, StringTooLong) as exc:
                raise exc.located(frame=fr.frame_at(0), line=node.line, column=node.column) from None
        return acc
    if isinstance(node, If):
        if truthy(evaluate_scalar(node.condition, fr)):
            return evaluate_scalar(node.consequent, fr)
        return evaluate_scalar(node.alternative, fr) if node.alternative is not None else 0.0
    if isinstance(node, Call):
        fn, binding = _resolve_call(node, fr)
        return _scalar(invoke(fn, node, fr, lambda arg, sub: _one(evaluate_scalar(arg, sub)), binding))
    raise TypeError(f"unknown node {type(node).__name__}")


# --- fields ---------------------------------------------------------------------------------------------

class _Span:
    """Frames [start, stop) of a field that one ``_i`` declaration (or the default L) covers."""

    __slots__ = ("start", "stop", "expression", "declared_at", "source")

    def __init__(self, start: int, stop: int, expression: Expression, declared_at: int | None, source: str | None):
        self.start, self.stop, self.expression = start, stop, expression
        self.declared_at, self.source = declared_at, source


def _spans(program: FieldProgram) -> list[_Span]:
    declarations = sorted(((int(fr), text) for fr, text in program.interpolations if isinstance(text, str) and text),
                          key=lambda d: d[0])
    spans: list[_Span] = []
    count = program.frame_count
    first = declarations[0][0] if declarations else count
    if first > 0:
        spans.append(_Span(0, min(first, count), parse(_DEFAULT_INTERPOLATION), None, None))
    for i, (frame, text) in enumerate(declarations):
        stop = declarations[i + 1][0] if i + 1 < len(declarations) else count
        start, stop = max(frame, 0), min(stop, count)
        if start >= stop:
            continue
        try:
            expression = parse(text)
        except ParseqError as exc:
            raise exc.located(field=program.name, frame=frame, source=f"{program.name}_i from keyframe {frame}",
                              text=text) from None
        spans.append(_Span(start, stop, expression, frame, f"{program.name}_i from keyframe {frame}"))
    return spans


def _series_map(time_series) -> dict[str, TimeSeries]:
    if time_series is None:
        return {}
    if isinstance(time_series, Mapping):
        return dict(time_series)
    return {series.alias: series for series in time_series}


def _field_context(program: FieldProgram, timing: Timing, keyframes: Sequence[KeyframeInfo],
                   other_fields: Mapping[str, np.ndarray], time_series, random_seed: Any) -> FieldContext:
    ctx = FieldContext(name=program.name, start=0, count=program.frame_count, defined=program.defined,
                       timing=timing, keyframes=keyframes, other_fields=other_fields or {},
                       time_series=_series_map(time_series), default=program.default, random_seed=random_seed)
    ctx.raw = np.full(program.frame_count, np.nan)
    return ctx


def _locate(exc: ParseqError, program: FieldProgram, span: _Span) -> ParseqError:
    return exc.located(field=program.name, source=span.source, text=span.expression.text)


def _nested_too_deeply(frame: int) -> EvalError:
    return EvalError("expression nested too deeply to evaluate", frame=frame)


def _first_failure(run: Callable[[np.ndarray], np.ndarray], pos: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """``run(pos)``; on an error, narrow down to the earliest failing frame and raise the error found there."""
    try:
        return run(pos)
    except RecursionError:
        failed_at, error = int(frames[pos[0]]), None
    except EvalError as exc:
        failed_at, error = (exc.frame if exc.frame is not None else int(frames[pos[0]])), exc
    while True:
        before = pos[frames[pos] < failed_at]
        if len(before) == 0:
            break
        try:
            run(before)
            break
        except EvalError as exc:
            if exc.frame is None or exc.frame >= failed_at:
                break
            failed_at, error = exc.frame, exc
        except RecursionError:
            break
    try:
        run(pos[frames[pos] <= failed_at])
    except EvalError:
        raise
    except RecursionError:
        raise _nested_too_deeply(failed_at) from None
    raise error or _nested_too_deeply(failed_at)


def _store(ctx: FieldContext, pos: np.ndarray, result: np.ndarray) -> None:
    if result.dtype == object and ctx.raw.dtype != object:
        ctx.raw = ctx.raw.astype(object)
    ctx.raw[pos] = result


def _ieee_results(function: Callable[..., Any]) -> Callable[..., Any]:
    """Run an evaluation with NumPy's floating-point warnings off: the language defines NaN and ±Infinity
    results (JavaScript semantics), so they are values, not something to warn about on the user's console."""

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(all="ignore"):
            return function(*args, **kwargs)

    return guarded


@_ieee_results
def evaluate_field(
    program: FieldProgram,
    *,
    timing: Timing,
    keyframes: Sequence[KeyframeInfo],
    other_fields: Mapping[str, np.ndarray],
    time_series: Sequence[TimeSeries] | Mapping[str, TimeSeries] = (),
    random_seed: Any = None,
) -> FieldValues:
    """Evaluate one field over frames 0..frame_count-1, vectorised per declaration (spec §6.2 steps 4–7)."""
    ctx = _field_context(program, timing, keyframes, other_fields, time_series, random_seed)
    spans = _spans(program)
    failures: list[tuple[int, ParseqError]] = []

    def run_on(span: _Span | None, expression: Expression) -> Callable[[np.ndarray], np.ndarray]:
        def run(pos: np.ndarray) -> np.ndarray:
            state = EvalState(program.name, span.declared_at if span else None, random_seed)
            return evaluate_vector(expression.tree, Frames(ctx, pos, state))
        return run

    def span_of(frame: int) -> _Span:
        return next(s for s in spans if s.start <= frame < s.stop)

    groups: dict[str, list[_Span]] = {}
    for span in spans:
        if not span.expression.stateful and not span.expression.sequential:
            groups.setdefault(span.expression.text, []).append(span)
    for members in groups.values():
        pos = np.concatenate([np.arange(s.start, s.stop) for s in members])
        try:
            _store(ctx, pos, _first_failure(run_on(None, members[0].expression), pos, ctx.frames))
        except EvalError as exc:
            failures.append((exc.frame, _locate(exc, program, span_of(exc.frame))))
    for span in spans:
        if span.expression.stateful and not span.expression.sequential:
            pos = np.arange(span.start, span.stop)
            try:
                _store(ctx, pos, _first_failure(run_on(span, span.expression), pos, ctx.frames))
            except EvalError as exc:
                failures.append((exc.frame, _locate(exc, program, span)))
    stop_at = min((frame for frame, _ in failures), default=program.frame_count)
    for span in spans:
        if not span.expression.sequential or span.start >= stop_at:
            continue
        state = EvalState(program.name, span.declared_at, random_seed)
        for p in range(span.start, span.stop):
            pos = np.array([p])
            try:
                _store(ctx, pos, evaluate_vector(span.expression.tree, Frames(ctx, pos, state)))
            except EvalError as exc:
                failures.append((p, _locate(exc.located(frame=p), program, span)))
                break
            except RecursionError:
                failures.append((p, _locate(_nested_too_deeply(p), program, span)))
                break
        if failures and min(f for f, _ in failures) < span.stop:
            break
    if failures:
        raise min(failures, key=lambda item: item[0])[1]
    return FieldValues(ctx.raw, to_number_array(ctx.raw))


@_ieee_results
def evaluate_field_per_frame(
    program: FieldProgram,
    *,
    timing: Timing,
    keyframes: Sequence[KeyframeInfo],
    other_fields: Mapping[str, np.ndarray],
    time_series: Sequence[TimeSeries] | Mapping[str, TimeSeries] = (),
    random_seed: Any = None,
) -> FieldValues:
    """The reference evaluator: for each frame in order, walk the tree with scalar values."""
    ctx = _field_context(program, timing, keyframes, other_fields, time_series, random_seed)
    raw = np.empty(program.frame_count, dtype=object)
    ctx.raw = raw
    for span in _spans(program):
        state = EvalState(program.name, span.declared_at, random_seed)
        for p in range(span.start, span.stop):
            try:
                raw[p] = evaluate_scalar(span.expression.tree, Frames(ctx, np.array([p]), state))
            except EvalError as exc:
                raise _locate(exc.located(frame=p), program, span) from None
            except RecursionError:
                raise _locate(_nested_too_deeply(p), program, span) from None
    if not any(isinstance(v, str) for v in raw):
        raw = raw.astype(np.float64)
    return FieldValues(raw, to_number_array(raw))


def _prompt_context(
    frames: np.ndarray,
    timing: Timing,
    keyframes: Sequence[KeyframeInfo],
    field_values: Mapping[str, Any],
    prompt_type: str | None,
    time_series,
) -> FieldContext:
    """The prompt context of spec §6.4 step 4 over ``frames``: active keyframe = f (so k = 0), the keyframe
    frames with no values, the managed fields' stored values, no ``prev_computed_value``."""
    start = int(frames[0])
    return FieldContext(name="", start=start, count=int(frames[-1]) - start + 1, defined=(), timing=timing,
                        keyframes=keyframes, other_fields=field_values or {}, time_series=_series_map(time_series),
                        prompt_type=prompt_type, in_prompt=True)


def _concatenate(parts: list[np.ndarray]) -> np.ndarray:
    if any(part.dtype == object for part in parts):
        return np.concatenate([part.astype(object) for part in parts])
    return np.concatenate(parts)


@_ieee_results
def evaluate_prompt_expression_batch(
    text: str,
    *,
    frames: Sequence[int] | np.ndarray,
    timing: Timing,
    keyframes: Sequence[KeyframeInfo],
    field_values: Mapping[str, Any],
    prompt_type: str | None,
    time_series: Sequence[TimeSeries] | Mapping[str, TimeSeries] = (),
) -> np.ndarray:
    """Evaluate one ``${...}`` of a prompt at many frames at once (spec §6.4 step 4); one result per frame.

    ``frames`` must be strictly increasing. ``field_values`` maps each managed field to its stored values
    indexed by frame (a scalar stands for its value at every requested frame). The result is float64, or an
    object array when strings occur. Parseq parses every ``${...}`` afresh at each frame, so an expression
    with state (``rand``, noise, ``vibe``, ``recompute_if``) starts from fresh state at each frame: a seeded
    ``rand`` is the same at every frame. An error is raised at the first failing frame, in frame order,
    exactly as evaluating frame by frame would raise it.
    """
    frames = np.asarray(frames, dtype=np.int64)
    if frames.ndim != 1 or (len(frames) > 1 and not (np.diff(frames) > 0).all()):
        raise ValueError("frames must be a strictly increasing sequence of frame numbers")
    if len(frames) == 0:
        return np.empty(0)
    try:
        expression = parse(text)
    except ParseqError as exc:
        raise exc.located(frame=int(frames[0]), text=text) from None
    ctx = _prompt_context(frames, timing, keyframes, field_values, prompt_type, time_series)
    pos = frames - ctx.start

    def run(where: np.ndarray) -> np.ndarray:
        return evaluate_vector(expression.tree, Frames(ctx, where, EvalState("prompt", None)))

    try:
        if expression.stateful:
            return _concatenate([_first_failure(run, pos[i:i + 1], ctx.frames) for i in range(len(pos))])
        return _first_failure(run, pos, ctx.frames)
    except EvalError as exc:
        raise exc.located(frame=int(frames[0]), text=text) from None


def evaluate_prompt_expression(
    text: str,
    *,
    frame: int,
    timing: Timing,
    keyframes: Sequence[KeyframeInfo],
    field_values: Mapping[str, float],
    prompt_type: str | None,
    time_series: Sequence[TimeSeries] | Mapping[str, TimeSeries] = (),
) -> float | str:
    """Evaluate one ``${...}`` of a prompt at one frame (spec §6.4 step 4): k = 0, no keyframe values.

    ``field_values`` are the managed fields' stored values at ``frame`` (or whole columns indexed by frame).
    """
    results = evaluate_prompt_expression_batch(text, frames=[int(frame)], timing=timing, keyframes=keyframes,
                                               field_values=field_values, prompt_type=prompt_type,
                                               time_series=time_series)
    return _scalar(results)
