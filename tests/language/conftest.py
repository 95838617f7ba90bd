"""Fixtures for the language tests: evaluate an expression the way ``parseq eval`` does."""

from __future__ import annotations

import pytest

from lib_parseq.cli.cmd_eval import evaluate_request

KEYFRAMES = [[0, 5], [5, 0], [10, 10]]


def run_expression(expr: str, frames: int = 11, keyframes=None, fps: float = 30, bpm: float = 140, info=None) -> list:
    """Per-frame JSON values of ``expr`` (None for non-finite), as ``parseq eval`` prints them."""
    request = {"expr": expr, "frames": frames, "keyframes": KEYFRAMES if keyframes is None else keyframes,
               "fps": fps, "bpm": bpm}
    if info is not None:
        request["info"] = info
    return evaluate_request(request)


@pytest.fixture
def ev():
    return run_expression


@pytest.fixture
def at0():
    """The value of an expression at frame 0."""
    return lambda expr, **kw: run_expression(expr, frames=1, **kw)[0]
