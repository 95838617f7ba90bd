"""Prompt assembly rules (spec §6.4), with hand-made prompt settings and a stand-in expression table."""

from __future__ import annotations

import pytest

from lib_parseq.errors import EvalError
from lib_parseq.schedules.prompts import (
    PromptSettings,
    apply_common,
    assemble_prompts,
    join_prompts,
    normalise_prompts,
    one_frame_at_a_time,
    overlap_weight,
    resolve_moves,
)


def settings(prompt_list, *, common=("", ""), position="append", enabled=True, last_frame=20):
    raw = {
        "format": "v2",
        "enabled": enabled,
        "commonPrompt": {"positive": common[0], "negative": common[1]},
        "commonPromptPos": position,
        "promptList": prompt_list,
    }
    return PromptSettings.from_json(normalise_prompts(raw, last_frame))


def no_expressions(text, frame, prompt_type):
    raise AssertionError(f"unexpected expression {text!r}")


def test_single_prompt_has_no_weight_and_no_neg_when_negative_is_empty():
    prompts = settings([{"positive": "a cat", "negative": "", "allFrames": True}])
    assert assemble_prompts(prompts, 3, 2, one_frame_at_a_time(no_expressions)) == ["a cat", "a cat", "a cat"]


def test_single_prompt_with_negative_uses_neg_marker():
    prompts = settings([{"positive": "a cat", "negative": "blurry", "allFrames": True}])
    assert assemble_prompts(prompts, 1, 0, one_frame_at_a_time(no_expressions)) == ["a cat --neg blurry"]


def test_two_prompts_are_weighted_and_the_empty_negatives_leave_the_artefact():
    prompts = settings(
        [
            {"positive": "a cat", "negative": "", "allFrames": True},
            {"positive": "a dog", "negative": "", "allFrames": True},
        ]
    )
    assert assemble_prompts(prompts, 1, 0, one_frame_at_a_time(no_expressions)) == ["a cat: 1 AND a dog: 1 --neg : 1 AND : 1"]


def test_active_range_is_inclusive_and_none_active_gives_empty_text():
    prompts = settings([{"positive": "x", "negative": "", "allFrames": False, "from": 1, "to": 2}])
    assert assemble_prompts(prompts, 4, 3, one_frame_at_a_time(no_expressions)) == ["", "x", "x", ""]


def test_an_expression_in_a_prompt_that_is_never_active_is_never_evaluated():
    prompts = settings([{"positive": "x ${1/0}", "negative": "", "allFrames": False, "from": 5, "to": 9},
                        {"positive": "y", "negative": "", "allFrames": True}])
    assert assemble_prompts(prompts, 3, 2, one_frame_at_a_time(no_expressions)) == ["y", "y", "y"]


def test_disabled_prompts_give_no_column():
    prompts = settings([{"positive": "x", "allFrames": True}], enabled=False)
    assert assemble_prompts(prompts, 2, 1, one_frame_at_a_time(no_expressions)) is None


def test_linear_overlap_weights_use_to_precision_4():
    # from 0 to 13 with 5 frames out: after frame 8 the weight falls by 1/5 per frame.
    fading_out = settings([{"positive": "p", "allFrames": False, "from": 0, "to": 13,
                            "overlap": {"type": "linear", "inFrames": 0, "outFrames": 5}}]).prompts[0]
    assert [overlap_weight(fading_out, f, 20) for f in (8, 9, 12, 13)] == ["1", "0.8000", "0.2000", "0.000"]
    fading_in = settings([{"positive": "p", "allFrames": False, "from": 8, "to": 20,
                           "overlap": {"type": "linear", "inFrames": 3, "outFrames": 0}}]).prompts[0]
    assert [overlap_weight(fading_in, f, 20) for f in (8, 9, 10, 11)] == ["0.000", "0.3333", "0.6667", "1"]


def test_all_frames_linear_overlap_runs_from_zero_to_the_last_frame():
    prompt = settings([{"positive": "p", "allFrames": True, "from": 7, "to": 9,
                        "overlap": {"type": "linear", "inFrames": 4, "outFrames": 4}}]).prompts[0]
    assert overlap_weight(prompt, 0, 20) == "0.000"
    assert overlap_weight(prompt, 2, 20) == "0.5000"
    assert overlap_weight(prompt, 18, 20) == "0.5000"


def test_custom_overlap_is_an_expression_evaluated_without_prompt_type():
    seen = []

    def evaluate(text, frame, prompt_type):
        seen.append((text, frame, prompt_type))
        return 0.015625

    prompts = settings(
        [
            {"positive": "a", "allFrames": True, "overlap": {"type": "custom", "custom": "pw"}},
            {"positive": "b", "allFrames": True},
        ]
    )
    # toFixed(5) rounds the exact binary value half away from zero: 0.015625 -> 0.01563
    assert assemble_prompts(prompts, 1, 0, one_frame_at_a_time(evaluate)) == ["a: 0.01563 AND b: 1 --neg : 0.01563 AND : 1"]
    assert seen == [("pw", 0, None)]


def test_expansion_passes_prompt_type_and_replaces_newlines():
    def evaluate(text, frame, prompt_type):
        return {"w": frame * 0.5, "t": prompt_type}[text]

    prompts = settings([{"positive": "cat ${w}\n${t}", "negative": "${t}", "allFrames": True}])
    assert assemble_prompts(prompts, 2, 1, one_frame_at_a_time(evaluate)) == [
        "cat 0.00000 positive --neg negative",
        "cat 0.50000 positive --neg negative",
    ]


def test_common_prompt_positions():
    assert apply_common(" text ", "common", "append") == "text  common"
    assert apply_common("text", "common", "prepend") == "common text"
    assert apply_common("", "", "append") == ""
    assert apply_common("cat", "a [prompt], [prompt]!", "template") == "a cat, cat!"
    assert apply_common("cat", "  ", "template") == "cat"
    # literal substitution: JavaScript replace() patterns like $& mean nothing here
    assert apply_common("$& $$", "<[prompt]>", "template") == "<$& $$>"


def test_common_prompt_is_applied_before_expansion():
    prompts = settings([{"positive": "a", "negative": "b", "allFrames": True}], common=("c ${x}", "n"))
    assert assemble_prompts(prompts, 1, 0, one_frame_at_a_time(lambda text, f, t: "X")) == ["a c X --neg b n"]


def test_moves_go_to_position_zero_in_reverse_order_leaving_double_spaces():
    move = "__PARSEQ_MOVE__{}__PARSEQ_END_MOVE__"
    positive = f"hello (p:0.5) {move.format('(a:0.5)')} <lora:l:0.5> {move.format('<lora:b:0.5>')}"
    negative = f"hello {move.format('(c:0.2)')} (d:0.2)"
    pos, neg = resolve_moves(positive, negative)
    assert neg == " <lora:b:0.5>  (a:0.5) hello  (d:0.2)"
    assert pos == " (c:0.2) hello (p:0.5)  <lora:l:0.5> "


def test_join_rules():
    assert join_prompts([]) == ""
    assert join_prompts([("p", "", "1")]) == "p"
    assert join_prompts([("p", "n", "0.5")]) == "p --neg n"
    assert join_prompts([("p", "n", "0.5"), ("q", "", "1")]) == "p: 0.5 AND q: 1 --neg n: 0.5 AND : 1"


def test_expression_errors_name_the_prompt_part_and_frame():
    def evaluate(text, frame, prompt_type):
        if frame == 1:
            raise EvalError("Divide by zero")
        return 1

    prompts = settings([{"positive": "ok", "negative": "bad ${1/0}", "allFrames": True}])
    with pytest.raises(EvalError) as caught:
        assemble_prompts(prompts, 3, 2, one_frame_at_a_time(evaluate))
    assert caught.value.field == "prompt 1 negative"
    assert caught.value.frame == 1


def test_legacy_prompt_formats_are_converted():
    converted = normalise_prompts({"positive": "p", "negative": "n"}, 30)
    assert converted["format"] == "v2" and converted["enabled"] is True
    assert converted["commonPromptPos"] == "append"
    (only,) = converted["promptList"]
    assert (only["positive"], only["negative"], only["allFrames"], only["from"], only["to"]) == ("p", "n", True, 0, 30)

    bare = normalise_prompts([{"positive": "a", "negative": "", "enabled": False}, {"positive": "b"}], 10)
    assert bare["enabled"] is False
    assert [p["positive"] for p in bare["promptList"]] == ["a", "b"]
    assert bare["promptList"][1]["name"] == "Prompt 2"

    no_position = normalise_prompts({"format": "v2", "promptList": [{"positive": "x"}]}, 5)
    assert no_position["commonPromptPos"] == "append"
    assert no_position["commonPrompt"]["positive"] == ""
