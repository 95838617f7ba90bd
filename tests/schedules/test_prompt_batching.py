"""The prompt column with each ``${…}`` evaluated once over all frames equals the frame-by-frame assembly."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib_parseq.errors import ParseqError
from lib_parseq.schedules import compile_document, load_document
from lib_parseq.schedules.compiler import evaluate_fields, prompt_column

LAST_FRAME = 12

TEXTS = [
    "", "a cat", "cat ${strength}", '${posneg("dog", sin(p=7))} and ${f}', "${1/(f-4)}",
    "x ${if (f > 6) 1/(f-9) else 2}", '${"s" + f}\nnext', "${rand(s=2)} ${rand(s=f)}",
    '${posneg("x", -strength)} ${posneg_lora("y", f-3, nw=2)}', "${1+}", "${nope}", "w ${k} ${strength}",
    '${posneg("z", f - 5, pw=0.25)} tail', "a\n${0.015625} b", "${vibe(s=1, pmax=3)}",
]
COMMONS = ["", "common", "[prompt] with ${f}", "c ${posneg(\"m\", f-6)}", "${1/(f-10)} common"]
CUSTOM_WEIGHTS = ["strength", "f/(f-6)", "1/0", 'posneg("a", 1)', '"w"', "prompt_weight_1", "f +"]


def document(prompt_list, common=("", ""), position="append"):
    return load_document({
        "options": {"output_fps": 30, "bpm": 120},
        "managedFields": ["strength", "prompt_weight_1"],
        "keyframes": [
            {"frame": 0, "strength": 0, "prompt_weight_1": 1, "prompt_weight_1_i": "0.5 + sin(p=5)"},
            {"frame": 5, "strength": 0.5},
            {"frame": LAST_FRAME, "strength": 1, "prompt_weight_1": 0},
        ],
        "prompts": {"format": "v2", "enabled": True, "commonPromptPos": position,
                    "commonPrompt": {"positive": common[0], "negative": common[1], "allFrames": True},
                    "promptList": prompt_list},
    })


def outcome(action):
    try:
        return "ok", action()
    except ParseqError as exc:
        return "error", (type(exc).__name__, exc.field, exc.frame, exc.message, exc.line, exc.column)


def assert_batched_equals_frame_by_frame(doc):
    values = evaluate_fields(doc)
    batched = outcome(lambda: prompt_column(doc, values))
    per_frame = outcome(lambda: prompt_column(doc, values, per_frame=True))
    assert batched == per_frame
    return batched


_PROMPT = st.fixed_dictionaries({
    "positive": st.sampled_from(TEXTS),
    "negative": st.sampled_from(TEXTS),
    "allFrames": st.booleans(),
    "from": st.integers(0, LAST_FRAME + 2),
    "to": st.integers(0, LAST_FRAME + 2),
    "overlap": st.fixed_dictionaries({
        "type": st.sampled_from(["none", "linear", "custom"]),
        "inFrames": st.integers(0, 4),
        "outFrames": st.integers(0, 4),
        "custom": st.sampled_from(CUSTOM_WEIGHTS),
    }),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PROMPT, max_size=3), st.tuples(st.sampled_from(COMMONS), st.sampled_from(COMMONS)),
       st.sampled_from(["append", "prepend", "template"]))
def test_batched_prompt_column_equals_frame_by_frame(prompt_list, common, position):
    assert_batched_equals_frame_by_frame(document(prompt_list, common, position))


def test_the_first_error_in_frame_then_prompt_order_wins():
    doc = document([
        {"positive": "ok ${1/(f-7)}", "negative": "", "allFrames": True},
        {"positive": "fine", "negative": "${1/(f-3)}", "from": 0, "to": 5},
        {"positive": "${1/(f-3)}", "negative": "", "from": 3, "to": 9},
    ])
    kind, error = assert_batched_equals_frame_by_frame(doc)
    assert kind == "error"
    assert error[1:4] == ("prompt 2 negative", 3, "Divide by zero")


def test_a_shared_expression_fails_where_its_first_user_is_active():
    doc = document([
        {"positive": "a", "negative": "", "from": 0, "to": 2},
        {"positive": "b", "negative": "", "from": 6, "to": 9, "overlap": {"type": "custom", "custom": "1/(f-4)"}},
    ], common=("${1/(f-8)}", ""))
    kind, error = assert_batched_equals_frame_by_frame(doc)
    assert kind == "error"
    assert error[1:3] == ("prompt 2 positive", 8)


def test_compiled_prompts_are_unchanged_by_batching():
    doc = document([
        {"positive": 'a cat ${prompt_weight_1} ${posneg("dog", sin(p=5))}', "negative": "blurry ${strength}",
         "allFrames": True, "overlap": {"type": "custom", "custom": "prompt_weight_1"}},
        {"positive": "a duck", "negative": '${posneg("cat", -1)}', "from": 4, "to": 8,
         "overlap": {"type": "linear", "inFrames": 2, "outFrames": 2}},
    ], common=("common ${f}", "cneg"))
    kind, column = assert_batched_equals_frame_by_frame(doc)
    assert kind == "ok"
    frames = compile_document(doc)["rendered_frames"]
    assert [frame["deforum_prompt"] for frame in frames] == column
    # frame 0: sin(p=5) is 0, so posneg gives "" (leaving the double space); prompt 2 is not active yet
    assert column[0] == "a cat 0.50000  common 0.00000 --neg blurry 0.00000 cneg"
    # frame 4: the dog (weight < 0) moves to the negative, the cat from prompt 2's negative to its positive
    assert column[4] == ("a cat -0.45106  common 4.00000: -0.45106 AND  (cat:1.0000) a duck common 4.00000: 0.000"
                         " --neg  (dog:0.9511) blurry 0.40000 cneg: -0.45106 AND  cneg: 0.000")


@pytest.mark.parametrize("text", TEXTS)
def test_each_pool_text_alone(text):
    assert_batched_equals_frame_by_frame(document([{"positive": text, "negative": text, "allFrames": True}]))
