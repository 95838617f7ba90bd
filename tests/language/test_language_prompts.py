"""Prompt expressions over many frames at once: equal to evaluating them frame by frame (spec §6.4 step 4)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from expression_strategies import expressions
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib_parseq.errors import EvalError, ParseError
from lib_parseq.language import (
    KeyframeInfo,
    TimeSeries,
    Timing,
    evaluate_prompt_expression,
    evaluate_prompt_expression_batch,
)

TIMING = Timing(30, 140)
KEYFRAMES = [KeyframeInfo(0, "drum"), KeyframeInfo(4, "bass"), KeyframeInfo(9, "drum2"), KeyframeInfo(14)]
SERIES = [TimeSeries("ts", [0, 3, 8], [1.5, -2, 4])]
FRAMES = 15
FIELDS = {"strength": np.linspace(0, 1, FRAMES), "seed": np.arange(FRAMES) * 3.0}


def batch(text, frames, prompt_type="positive"):
    return evaluate_prompt_expression_batch(text, frames=frames, timing=TIMING, keyframes=KEYFRAMES,
                                            field_values=FIELDS, prompt_type=prompt_type, time_series=SERIES)


def one(text, frame, prompt_type="positive"):
    values = {name: float(column[frame]) for name, column in FIELDS.items()}
    return evaluate_prompt_expression(text, frame=frame, timing=TIMING, keyframes=KEYFRAMES, field_values=values,
                                      prompt_type=prompt_type, time_series=SERIES)


def outcome(action):
    try:
        return "ok", action()
    except (EvalError, ParseError) as exc:
        return "error", (type(exc).__name__, exc.frame, exc.message, exc.line, exc.column, exc.text)


def frame_by_frame(text, frames, prompt_type):
    results = []
    for frame in frames:
        kind, value = outcome(lambda frame=frame: one(text, frame, prompt_type))
        if kind == "error":
            return kind, value
        results.append(value)
    return "ok", results


def same_values(a, b) -> bool:
    for x, y in zip(a, b, strict=True):
        if isinstance(x, str) or isinstance(y, str):
            if x != y:
                return False
        elif not (float(x) == float(y) or (math.isnan(x) and math.isnan(y))):
            return False
    return True


def check_equal(text, frames, prompt_type):
    kind_a, a = outcome(lambda: list(batch(text, frames, prompt_type)))
    kind_b, b = frame_by_frame(text, frames, prompt_type)
    assert kind_a == kind_b, (text, a, b)
    if kind_a == "ok":
        assert same_values(a, b), (text, a, b)
    else:
        assert a == b, text


# --- generated expressions -----------------------------------------------------------------------------------

_LEAVES = [
    "f", "k", "b", "s", "wb", "1", "0", "2.5", "-3", "0.5s", "2b", '"7"', '"ab"', '""', "next_keyframe",
    "active_keyframe", "last_frame", "strength", "seed", "ts", "PI", "L", "S", "prev_computed_value", "nope",
]
_BINARY = ["+", "-", "*", "/", "%", "^", "==", "<", ">=", "and", "or", ":"]
_CALLS = [
    'posneg("cat", {0})', 'posneg_lora("style", {0})', 'posneg(t="dog", w={0}, nw=2)', 'posneg(t="x", w=-1, pw={0})',
    "sin(p={0})", "tri(p=10, a={0})", "round({0}, 1)", "abs({0})", "max({0}, f)", "_sqrt({0})",
    "rand(s=3, max={0})", "rand(s={0})", "rand(s=7, h={0})", "smrand(s=1, max={0})", "perlin(s=4, sm={0})",
    "vibe(s=3, max={0})", "recompute_if(f % 3 == 0, {0})", "computed_at(f - 1, {0})", 'dangerous("strength", {0})',
    'info_match_progress("dr", {0})', 'info_match("{0}")', "start_of_beat({0})", "is_generation({0})", "ts({0}, 1)",
    "bez(to={0})",
]


_FRAME_SETS = st.lists(st.integers(0, FRAMES - 1), min_size=1, max_size=FRAMES, unique=True).map(sorted)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(_LEAVES, _BINARY, _CALLS, 3), _FRAME_SETS, st.sampled_from(["positive", "negative", None]))
def test_batched_equals_frame_by_frame(text, frames, prompt_type):
    check_equal(text, frames, prompt_type)


@pytest.mark.parametrize("text", [
    'posneg("cat", sin(p=5))', 'posneg_lora(t="style", w=f - 4, pw=0.5)', 'posneg("a", strength - 0.5, nw=seed)',
    "strength * 2 + f", 'if (f > 6) "late" else strength', '"frame " + f', "rand(s=5)", "rand(s=f, max=10)",
    "vibe(s=2, pmax=3)", "recompute_if(f > 3, f * 10, 99)", "1 / (f - 6)", "L", "prev_computed_value",
    'dangerous("strength", f - 1) + dangerous("strength")', "1 +", "next_keyframe - k + last_frame",
])
@pytest.mark.parametrize("prompt_type", ["positive", "negative", None])
def test_batched_equals_frame_by_frame_on_examples(text, prompt_type):
    check_equal(text, list(range(FRAMES)), prompt_type)
    check_equal(text, [2, 3, 7, 11, 14], prompt_type)


def test_seeded_rand_restarts_at_every_frame_as_parseq_reparses_each_prompt():
    values = batch("rand(s=5)", list(range(FRAMES)))
    assert len(set(values.tolist())) == 1
    varying = batch("rand(s=f)", list(range(FRAMES)))
    assert len(set(varying.tolist())) == FRAMES


def test_errors_are_reported_at_the_first_failing_frame():
    with pytest.raises(EvalError) as info:
        batch("if (f > 8) 1 / (f - 10) else 1 / (f - 3)", [1, 2, 5, 9, 10, 12])
    assert (info.value.frame, info.value.line, info.value.column) == (10, 1, 12)
    with pytest.raises(EvalError) as info:
        batch("1 / (f - 6)", [5, 6, 7])
    assert info.value.frame == 6 and info.value.text == "1 / (f - 6)"
    with pytest.raises(ParseError) as info:
        batch("1 +", [4, 5])
    assert info.value.frame == 4


def test_posneg_needs_a_prompt_type():
    with pytest.raises(EvalError, match=r"posneg\(\) can only be used in a prompt\."):
        batch('posneg("cat", 1)', [0, 1], prompt_type=None)


def test_frames_must_increase():
    with pytest.raises(ValueError):
        batch("f", [3, 2])
    assert batch("f", []).tolist() == []
