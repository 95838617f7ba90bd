"""Red-team findings in the language (issue 14): each input ends in one clear ParseqError naming where."""

from __future__ import annotations

import numpy as np
import pytest

from lib_parseq.cli.cmd_eval import evaluate_request
from lib_parseq.errors import EvalError
from lib_parseq.language.values import binary_array

MAX_STRING_LENGTH = 20_000  # lib_parseq.language.values.MAX_STRING_LENGTH, the expression length limit


def _eval(expr: str, frames: int) -> list:
    return evaluate_request({"expr": expr, "frames": frames, "keyframes": [[0, 0], [1, 1]]})


# --- finding 10: string results are bounded -------------------------------------------------------

def test_a_string_growing_every_frame_stops_at_the_limit_with_field_and_frame():
    with pytest.raises(EvalError) as caught:
        _eval('prev_computed_value + "xxxxxxxxxx"', frames=2_100)
    error = caught.value
    assert error.frame == MAX_STRING_LENGTH // 10 - 1  # frame 1999 would be 20,001 characters long
    assert error.field == "value"
    assert f"string result too long (20,001 characters; the limit is {MAX_STRING_LENGTH:,})" in str(error)


def test_a_string_doubling_every_frame_stops_before_it_is_built():
    with pytest.raises(EvalError, match="string result too long") as caught:
        _eval("prev_computed_value + prev_computed_value + \"x\"", frames=16)
    assert caught.value.frame == 13  # 2^14 + ... characters: the first frame past 20,000


def test_the_limit_is_the_expression_length_limit():
    from lib_parseq.language import values
    from lib_parseq.language.parser import MAX_LENGTH

    assert values.MAX_STRING_LENGTH == MAX_LENGTH == MAX_STRING_LENGTH


def test_strings_up_to_the_limit_are_still_values():
    values = _eval('prev_computed_value + "xxxxxxxxxx"', frames=MAX_STRING_LENGTH // 10 - 1)
    assert len(values[-1]) == MAX_STRING_LENGTH - 10 + 1  # frame 0's prev_computed_value is the number 0


def test_an_array_concatenation_reports_the_element_that_overflowed():
    from lib_parseq.language.values import StringTooLong

    a = np.array(["x", "x" * MAX_STRING_LENGTH, "x"], dtype=object)
    with pytest.raises(StringTooLong) as caught:
        binary_array("+", a, np.array(["y", "y", "y"], dtype=object))
    assert caught.value.index == 1
