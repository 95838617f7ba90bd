"""Crashes the fuzzer found in the language evaluator, kept as regression tests.

Each input must end in a result or a ParseqError. Both of these once raised a bare Python exception
(``ValueError``/``OverflowError``); the language area has fixed them.
"""

from __future__ import annotations

import pytest
from fuzzing import field_evaluator

from lib_parseq.errors import ParseqError

evaluate = field_evaluator()


@pytest.mark.parametrize("text", [
    "computed_at(_sqrt(-1))",                # was: math.floor(NaN) -> ValueError
    "-(computed_at(prev_computed_value))",   # the fuzzer's original find
    "vibe(pmax=10^400, s=1)",                # was: int(inf) -> OverflowError
    "vibe(p=10^400, s=1) + rand(h=10^400) + start_of_beat(10^400)",
])
def test_fuzz_finds_now_end_cleanly(text):
    try:
        result = evaluate(text)
    except ParseqError:
        return
    assert len(result.values) == 24
