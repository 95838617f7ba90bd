"""Crashes the fuzzer found in the language evaluator, kept as regression tests.

Each input must end in the result the README promises. Both of these once raised a bare Python exception
(``ValueError``/``OverflowError``); the language area has fixed them.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from fuzzing import field_evaluator

evaluate = field_evaluator()


NAN = float("nan")


@pytest.mark.parametrize(("text", "expected"), [
    ("computed_at(_sqrt(-1))", [NAN] * 24),               # was: math.floor(NaN) -> ValueError; NaN as the README says
    ("-(computed_at(prev_computed_value))", [NAN] * 24),  # the fuzzer's original find
    ("vibe(pmax=10^400, s=1)", [1.0] * 10 + [5.0] * 14),  # was: int(inf) -> OverflowError; an endless period holds
    ("vibe(p=10^400, s=1) + rand(h=10^400) + start_of_beat(10^400)", [math.inf] * 24),
])
def test_fuzz_finds_now_end_cleanly(text, expected):
    result = evaluate(text)
    np.testing.assert_array_equal(np.asarray(result.values, dtype=np.float64), expected)
