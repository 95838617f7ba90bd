"""The prompt list as table rows, and the common prompt."""

from __future__ import annotations

import pytest

from lib_parseq.errors import DocumentError
from lib_parseq.ui import prompts_table


def test_rows_round_trip_with_fades():
    prompts = prompts_table.default_prompts()
    prompts["promptList"] = [
        {"name": "A", "positive": "a cat", "negative": "dog", "allFrames": False, "from": 0, "to": 50, "enabled": True,
         "overlap": {"type": "linear", "inFrames": 0, "outFrames": 10, "custom": ""}},
    ]
    rows = prompts_table.prompts_to_rows(prompts)
    assert rows == [["A", "a cat", "dog", "false", "0", "50", "linear", "0", "10", ""]]
    rows[0][1] = "a tiger"
    rows.append(["B", "a duck", "", "no", "40", "100", "custom", "", "", "prompt_weight_1"])
    result = prompts_table.rows_to_prompt_list(rows, prompts["promptList"])
    assert result[0]["positive"] == "a tiger" and result[0]["enabled"] is True
    assert result[1]["overlap"] == {"type": "custom", "inFrames": 0, "outFrames": 0, "custom": "prompt_weight_1"}
    assert result[1]["from"] == 40 and result[1]["to"] == 100 and result[1]["allFrames"] is False


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["A", "x", "", "maybe", "0", "1", "none", "0", "0", ""], "'all frames' must be true or false"),
        (["A", "x", "", "false", "0", "1", "zigzag", "0", "0", ""], "fade must be one of"),
        (["A", "x", "", "false", "10", "5", "none", "0", "0", ""], "'to' \\(5\\) comes before 'from' \\(10\\)"),
        (["A", "x", "", "false", "a", "5", "none", "0", "0", ""], "'from' 'a' is not a number"),
    ],
)
def test_bad_rows_say_which_prompt(row, message):
    with pytest.raises(DocumentError, match=message) as caught:
        prompts_table.rows_to_prompt_list([row], [])
    assert caught.value.field == "prompt 1"


def test_common_prompt():
    updated = prompts_table.with_common_prompt(prompts_table.default_prompts(), "cinematic", "blurry", "template")
    assert updated["commonPrompt"]["positive"] == "cinematic" and updated["commonPromptPos"] == "template"
    with pytest.raises(DocumentError, match="append, prepend, template"):
        prompts_table.with_common_prompt(prompts_table.default_prompts(), "", "", "middle")
