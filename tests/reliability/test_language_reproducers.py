"""Crashes the fuzzer found in the language evaluator (owned by the language area), kept as strict xfails.

Each input must end in a result or a ParseqError. These raise a bare Python exception instead; when the
evaluator is fixed the xfail turns into an unexpected pass (strict), and the marker should be removed.
"""

from __future__ import annotations

import pytest
from fuzzing import field_evaluator

from lib_parseq.errors import ParseqError

evaluate = field_evaluator()
pytestmark = pytest.mark.skipif(evaluate is None, reason="lib_parseq.language.evaluate_field is not available")


def _fails_cleanly_or_works(text: str) -> None:
    try:
        evaluate(text)
    except ParseqError:
        pass


@pytest.mark.xfail(strict=True, raises=ValueError,
                   reason="computed_at(NaN): math.floor(NaN) raises ValueError in functions._computed_at "
                          "(found by fuzz_long.py as -(computed_at(prev_computed_value)))")
def test_computed_at_nan_frame():
    _fails_cleanly_or_works("computed_at(_sqrt(-1))")


@pytest.mark.xfail(strict=True, raises=OverflowError,
                   reason="vibe with an infinite pmax converts infinity to int and raises OverflowError")
def test_vibe_infinite_pmax():
    _fails_cleanly_or_works("vibe(pmax=10^400, s=1)")
