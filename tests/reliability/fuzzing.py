"""Shared pieces of the fuzz tests and the long fuzz run: input generators and the checks each input must pass.

Every input must end in a result or in a ``ParseqError`` subclass: never another exception, never a hang,
never an unbounded amount of memory. ``run_guarded`` enforces the time limit with a CPU-time alarm (so a
hang fails instead of blocking the suite, and a machine busy with other work does not make a quick input
look like a hang) and measures the peak memory with ``tracemalloc``.
"""

from __future__ import annotations

import contextlib
import signal
import tracemalloc
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from lib_parseq.errors import ParseqError


class Hang(Exception):
    """The input took longer than the time limit."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise ``Hang`` in the main thread when the block uses more than ``seconds`` of CPU time.

    A signal that lands inside a callback Python ignores exceptions from (a garbage-collector callback)
    would be lost, so the alarm re-arms itself until the block ends.
    """

    def _expire(signum, frame):
        signal.setitimer(signal.ITIMER_PROF, 0.2)
        raise Hang(f"took longer than {seconds} s of CPU time")

    previous = signal.signal(signal.SIGPROF, _expire)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def run_guarded(action: Callable[[], Any], *, seconds: float = 10.0, measure_memory: bool = False) -> tuple[str, int]:
    """Run ``action``; return ("ok" | "ParseqError", peak bytes or 0). Any other exception propagates."""
    if measure_memory:
        tracemalloc.start()
    try:
        with time_limit(seconds):
            try:
                action()
                outcome = "ok"
            except ParseqError:
                outcome = "ParseqError"
        peak = tracemalloc.get_traced_memory()[1] if measure_memory else 0
    finally:
        if measure_memory:
            tracemalloc.stop()
    return outcome, peak


# ----------------------------------------------------------------------------------------------------------
# The language entry points, looked up lazily (the language package is built alongside these tests)


def language_parse() -> Callable[[str], Any]:
    from lib_parseq.language import parse

    return parse


def field_evaluator() -> Callable[[str], Any]:
    """A function that evaluates one expression as a 24-frame field with three keyframes."""
    from lib_parseq.language import FieldProgram, KeyframeInfo, TimeSeries, Timing, evaluate_field

    timing = Timing(fps=20, bpm=140)
    keyframes = [KeyframeInfo(0, "drum"), KeyframeInfo(10, None), KeyframeInfo(23, "bass")]
    series = [TimeSeries("beat", (0.0, 5.0, 12.0), (1.0, -2.0, 0.5), False)]

    def evaluate(text: str):
        program = FieldProgram(name="zoom", frame_count=24, defined=[(0, 1.0), (10, 5.0), (23, -2.0)],
                               interpolations=[(0, text), (10, text)], default=1.0)
        return evaluate_field(program, timing=timing, keyframes=keyframes, other_fields={},
                              time_series=series, random_seed=7)

    return evaluate


# ----------------------------------------------------------------------------------------------------------
# Generators

VARIABLES = ["f", "k", "L", "S", "C", "P", "b", "s", "wb", "fps", "bpm", "cadence", "last_frame", "final_frame",
             "active_keyframe", "next_keyframe", "active_keyframe_value", "next_keyframe_value", "PI", "E",
             "prev_computed_value", "beat", "nope", "zoom", "true", "false"]
CALLS = [
    "sin(p={0})", "sq(p={0}, a={1})", "saw(p={0}, ps={1}, li={1})", "tri({0}, {1})", "pulse(p={0}, pw={1})",
    "bez()", 'bez(curve="easeIn")', "bez(x1={0}, y1={1})", "slide(to={0}, span={1})", "rand(s={0})",
    "rand(min={0}, max={1}, h={1})", "smrand(sm={0}, s=1)", "perlin(sm={0}, s=1)", "vibe(s={0}, p={1})",
    "min({0}, {1})", "max({0}, {1})", "abs({0})", "round({0}, {1})", "floor({0})", "ceil({0}, {1})",
    "_sqrt({0})", "_log({0})", "_exp({0})", "_clz32({0})", "_acosh({0})", "f2b({0})", "b2f({0})",
    "s2f({0})", "f2s({0})", 'info_match("dr")', 'info_match_progress("{2}", {0})', 'info_match_gap("b", {1})',
    "computed_at({0})", "start_of_beat({0})", "recompute_if({0}, {1})", 'dangerous("zoom", {0})',
    "is_generation({0})", "beat({0}, {1})", "wobble({0})", 'posneg("cat", {0})',
]
NUMBERS = st.one_of(
    st.integers(0, 10**6).map(str),
    st.tuples(st.integers(0, 999), st.integers(0, 999)).map(lambda t: f"{t[0]}.{t[1]}"),
    st.sampled_from(["0", "1", "2b", "4s", "3f", "0.5", "9" * 400, "1" * 30 + "." + "1" * 30]),
)
STRINGS = st.text(alphabet=st.characters(blacklist_characters='"\\\n\r', blacklist_categories=("Cs",)),
                  max_size=20).map(lambda body: f'"{body}"')
ATOMS = st.one_of(NUMBERS, STRINGS, st.sampled_from(VARIABLES))
BINARY = ["+", "-", "*", "/", "%", "^", ":", "==", "!=", "<", "<=", ">", ">=", "and", "or", "&&", "||"]


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from(BINARY), children).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        children.map(lambda e: f"-{e}"),
        children.map(lambda e: f"({e})"),
        st.tuples(children, children, children).map(lambda t: f"if ({t[0]}) {t[1]} else {t[2]}"),
        st.tuples(children, children).map(lambda t: f"if {t[0]} {t[1]}"),
        st.tuples(st.sampled_from(CALLS), children, children, st.sampled_from(["dr", "(", "[", "a*"])).map(
            lambda t: t[0].replace("{0}", t[1]).replace("{1}", t[2]).replace("{2}", t[3])),
    )


EXPRESSIONS = st.recursive(ATOMS, _combine, max_leaves=25)

# Text that looks like the language but is often broken: tokens glued in any order.
TOKENS = st.sampled_from(
    ["(", ")", ",", "=", "+", "-", "*", "/", "^", ":", "<", "==", "if", "else", "and", "or", "f", "L", "1",
     "2.5", "4b", '"x"', "sin", "bez", "rand", "p", "#", "\n", " ", "\\", '"', "1e3", ".5", "@", "$", "{", "}"]
)
TOKEN_SOUP = st.lists(TOKENS, max_size=40).map("".join)
ANY_TEXT = st.one_of(st.text(max_size=200), TOKEN_SOUP)


def pathological_expressions() -> list[tuple[str, str]]:
    """(label, text) pairs built to stress limits: depth, length, huge numbers, long strings, operator chains."""
    long_sum = "+".join(["f"] * 5000)[:9999]
    return [
        ("deep parentheses 5000", "(" * 5000 + "1" + ")" * 5000),
        ("deep parentheses 150", "(" * 150 + "f" + ")" * 150),
        ("deep unary minus 5000", "-" * 5000 + "1"),
        ("deep calls 300", "abs(" * 300 + "f" + ")" * 300),
        ("deep if chain 400", "if (f>1) 1 else " * 400 + "0"),
        ("if + operator chain (Parseq: exponential)", "if (1) 1 + " * 40 + "1"),
        ("10,000-character sum", long_sum),
        ("10,000-character expression over the limit", "1+" * 10_000 + "1"),
        ("100,000 characters", "f" * 100_000),
        ("huge exponent", "10^10^10^10"),
        ("huge power of a big number", "99999999^99999999"),
        ("giant integer literal", "9" * 9000),
        ("giant number times f", "9" * 5000 + " * f"),
        ("long string", '"' + "a" * 9000 + '"'),
        ("string doubling", '"ab" + "ab" + "ab" + "ab"' * 200),
        ("prompt-weight chain", ":".join(["1"] * 3000)),
        ("many random call sites", "+".join(["rand(s=1)"] * 500)),
        ("huge round precision", "round(f, 400)"),
        ("huge negative round precision", "round(f, -400)"),
        ("huge period", "sin(p=" + "9" * 300 + ")"),
        ("zero period", "sin(p=0) + saw(p=0) + sq(p=0) + tri(p=0) + pulse(p=0)"),
        ("huge hold", "rand(h=" + "9" * 300 + ")"),
        ("huge smoothing", "smrand(sm=" + "9" * 300 + ") + perlin(sm=0.0000001)"),
        ("huge vibe period", "vibe(p=" + "9" * 300 + ", s=1)"),
        ("huge pmax", "vibe(pmax=" + "9" * 300 + ", s=1)"),
        ("computed_at far back", "computed_at(-" + "9" * 300 + ")"),
        ("start_of_beat huge", "start_of_beat(" + "9" * 300 + ")"),
        ("time series huge frame", "beat(" + "9" * 300 + ", 1)"),
        ("regex catastrophic backtracking", 'info_match("(a+)+$")'),
        ("invalid regex", 'info_match("(")'),
        ("nested bez offsets", "bez(os=0.5, span=0) + slide(span=0) + bez(span=-5)"),
        ("NaN arithmetic", "_sqrt(-1) * 0 + _log(0) - _log(0)"),
        ("unknown function with many arguments", "wobble(" + ",".join(["1"] * 3000) + ")"),
        ("many arguments", "min(" + ",".join(["1"] * 3000) + ")"),
        ("control characters", "1\x00+\x01f"),
        ("unicode", "f + ‹› + 𝟙"),
        ("lone surrogate", "f + \ud800"),
    ]
