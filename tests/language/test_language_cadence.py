"""``is_generation`` under a constant and a keyframed cadence (the rule the renderer shares)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib_parseq.errors import DocumentError
from lib_parseq.language import FieldProgram, Timing, evaluate_field
from lib_parseq.language.cadence import cadence_steps, generated_frames, generation_flags
from lib_parseq.schedules import compile_document


def walked(cadence: list[float]) -> list[int]:
    """The keyframed rule written out one frame at a time (the reference for the vectorised walk)."""
    frames, frame = [], 0
    while frame < len(cadence):
        frames.append(frame)
        value = cadence[frame]
        step = 1 if np.isnan(value) else max(1, int(np.floor(value + 0.5))) if np.isfinite(value) else len(cadence)
        frame += step
    return frames


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.floats(-3, 12), st.just(float("nan")), st.just(float("inf"))), min_size=1,
                max_size=80))
def test_the_vectorised_walk_equals_the_frame_by_frame_rule(cadence):
    assert generated_frames(np.array(cadence)).tolist() == walked(cadence)


@pytest.mark.parametrize("cadence", [1, 2, 3, 4, 7])
def test_a_constant_whole_cadence_generates_the_same_frames_under_both_rules(cadence):
    frames = np.arange(60, dtype=float)
    assert np.array_equal(generation_flags(frames, float(cadence)),
                          generation_flags(frames, np.full(40, float(cadence))))


def test_steps_round_half_up_and_are_at_least_one():
    assert cadence_steps(np.array([0.2, 1.49, 1.5, 2.5, -4, np.nan, np.inf])).tolist() == \
        [1, 1, 2, 3, 1, 1, np.inf]


def test_frames_past_the_schedule_continue_with_its_last_value():
    schedule = np.array([1.0, 1.0, 4.0, 4.0, 4.0])  # generates 0, 1, 2, then 6, 10, 14 ...
    flags = generation_flags(np.arange(16, dtype=float), schedule)
    assert np.flatnonzero(flags).tolist() == [0, 1, 2, 6, 10, 14]
    assert generation_flags(np.array([-2.0, 1.5, np.nan]), schedule).tolist() == [0, 0, 0]


def test_is_generation_follows_a_keyframed_cadence_field():
    document = {"options": {"output_fps": 10, "cadence": 2},
                "keyframes": [{"frame": 0, "gen": 0, "gen_i": "is_generation()", "cadence": 1,
                               "cadence_i": "if f < 10 1 else 3"},
                              {"frame": 29, "cadence": 3}],
                "prompts": {"positive": "p${is_generation()}", "negative": ""}}
    frames = compile_document(document)["rendered_frames"]
    expected = [*range(10), *range(10, 30, 3)]
    assert [e["frame"] for e in frames if e["gen"] == 1] == expected
    assert [e["frame"] for e in frames if e["deforum_prompt"].startswith("p1")] == expected


def test_a_field_reading_is_generation_is_evaluated_after_the_cadence_field():
    document = {"options": {"output_fps": 10}, "managedFields": ["gen", "cadence"],
                "keyframes": [{"frame": 0, "gen": 0, "gen_i": "is_generation()", "cadence": 2, "cadence_i": "S"},
                              {"frame": 8, "cadence": 2}]}
    frames = compile_document(document)["rendered_frames"]
    assert [e["frame"] for e in frames if e["gen"] == 1] == [0, 2, 4, 6, 8]


def test_a_cadence_that_reads_a_field_reading_is_generation_is_a_cycle():
    document = {"options": {"output_fps": 10},
                "keyframes": [{"frame": 0, "gen": 0, "gen_i": "is_generation()", "cadence": 2,
                               "cadence_i": 'dangerous("gen") + 2'}, {"frame": 8}]}
    with pytest.raises(DocumentError, match=r"(?s)cycle: gen → cadence → gen.*gen reads cadence through is_generation\(\)"):
        compile_document(document)


def test_without_a_cadence_field_is_generation_keeps_parseqs_rule():
    program = FieldProgram("x", 7, [(0, 0), (6, 0)], [(0, "is_generation(f - 3) + is_generation(f + 0.5)")])
    out = evaluate_field(program, timing=Timing(30, 140, cadence=3), keyframes=[], other_fields={})
    assert out.values.tolist() == [1, 0, 0, 1, 0, 0, 1]  # f − 3 = −3 counts (±0), f + ½ never does
