"""Prompt stages from GIFfusion/Deforum ``N: prompt`` lines and prompt-travel boxes, cross-fading linearly."""

from __future__ import annotations

import pytest

from lib_parseq.errors import DocumentError
from lib_parseq.schedules import compile_document
from lib_parseq.schedules.prompt_stages import (
    Stage,
    looks_like_frame_prompts,
    parse_frame_prompts,
    parse_steps,
    stages_to_prompt_list,
    travel_stages,
)


def _prompts_at(stages, last_frame):
    document = {
        "options": {"output_fps": 10},
        "managedFields": ["seed"],
        "keyframes": [{"frame": 0, "seed": 1}, {"frame": last_frame}],
        "prompts": {"format": "v2", "enabled": True, "commonPrompt": {"positive": "", "negative": "", "allFrames": True},
                    "promptList": stages_to_prompt_list(stages, last_frame)},
    }
    return [frame["deforum_prompt"] for frame in compile_document(document)["rendered_frames"]]


def test_frame_prompt_lines_with_deforum_negatives():
    text = '0: a corgi --neg blurry\n\n  60: "a lion, golden",\n30: a fox'
    assert looks_like_frame_prompts(text)
    assert parse_frame_prompts(text) == [Stage(0, "a corgi", "blurry"), Stage(30, "a fox", ""),
                                         Stage(60, "a lion, golden", "")]
    assert not looks_like_frame_prompts('{"0": "a corgi"}') and not looks_like_frame_prompts("0:(1), 10:(2)x\nfoo")


@pytest.mark.parametrize(("text", "message", "line", "column"), [
    ("0: a\nfoo: b", "expected 'frame: prompt'", 2, 1),
    ("0: a\n  0: b", "frame 0 has two prompts", 2, 3),
    ("-5: a", "frame -5 is negative", 1, 1),
])
def test_bad_frame_prompt_lines_name_line_and_column(text, message, line, column):
    with pytest.raises(DocumentError, match=message) as caught:
        parse_frame_prompts(text)
    assert (caught.value.line, caught.value.column) == (line, column)


def test_consecutive_stages_cross_fade_linearly():
    prompts = _prompts_at([Stage(0, "a corgi", "blurry"), Stage(4, "a lion"), Stage(6, "a fox")], 8)
    assert prompts[0] == "a corgi: 1 AND a lion: 0.000 --neg blurry: 1 AND : 0.000"
    assert prompts[1] == "a corgi: 0.7500 AND a lion: 0.2500 --neg blurry: 0.7500 AND : 0.2500"
    assert prompts[4] == "a corgi: 0.000 AND a lion: 1 AND a fox: 0.000 --neg blurry: 0.000 AND : 1 AND : 0.000"
    assert prompts[5] == "a lion: 0.5000 AND a fox: 0.5000 --neg : 0.5000 AND : 0.5000"
    assert prompts[7] == prompts[8] == "a fox"


def test_a_first_stage_after_frame_0_holds_from_frame_0_and_one_stage_covers_everything():
    assert _prompts_at([Stage(2, "a"), Stage(4, "b")], 4)[:3] == ["a", "a", "a: 1 AND b: 0.000 --neg : 1 AND : 0.000"]
    assert _prompts_at([Stage(3, "only")], 5) == ["only"] * 6


def test_prompt_travel_boxes():
    stages = travel_stages("a corgi\n\na lion\na fox", "blurry\nugly", 2)
    assert stages == [Stage(0, "a corgi", "blurry"), Stage(3, "a lion", "ugly"), Stage(6, "a fox", "ugly")]
    assert [s.frame for s in travel_stages("a\nb\nc", "", [0, 4])] == [0, 1, 6]
    assert travel_stages("a", "n1\nn2", 5) == [Stage(0, "a", "n1"), Stage(6, "a", "n2")]
    with pytest.raises(DocumentError, match="3 stages need 2 step counts, got 1"):
        travel_stages("a\nb\nc", "", [1])
    with pytest.raises(DocumentError, match="no stages"):
        travel_stages("\n \n", "x", 1)


def test_steps_text():
    assert parse_steps(" 12 ") == 12 and parse_steps("1, 2,3") == [1, 2, 3]
    for bad in ("", "a", "-1", "1.5", "1e9"):
        with pytest.raises(DocumentError, match="steps must be"):
            parse_steps(bad)
