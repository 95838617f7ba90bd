"""Property-based fuzzing with a fixed budget: the language, the validator and the loader fail only cleanly.

Budgets are fixed (``max_examples``) and every example runs under a real-time alarm, so the CI run is bounded.
``tests/reliability/fuzz_long.py`` runs the same properties for longer.
"""

from __future__ import annotations

import json
import math

import pytest
from fuzzing import (
    ANY_TEXT,
    EXPRESSIONS,
    field_evaluator,
    language_parse,
    pathological_expressions,
    run_guarded,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib_parseq.errors import DocumentError
from lib_parseq.net import load_manifest_source
from lib_parseq.schedules.validate import validate, validate_document, validate_manifest
from lib_parseq.schedules.validate_problems import Problem

FAST = settings(max_examples=300, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MEMORY_LIMIT = 256 * 1024 * 1024

parse = language_parse()
evaluate = field_evaluator()


# ----------------------------------------------------------------------------------------------------------
# The language


@FAST
@given(ANY_TEXT)
def test_random_text_parses_or_fails_cleanly(text):
    run_guarded(lambda: parse(text), seconds=5)


@FAST
@given(EXPRESSIONS)
def test_generated_expressions_parse_or_fail_cleanly(text):
    run_guarded(lambda: parse(text), seconds=5)


@settings(FAST, max_examples=200)
@given(EXPRESSIONS)
def test_generated_expressions_evaluate_or_fail_cleanly(text):
    run_guarded(lambda: evaluate(text), seconds=10)


@settings(FAST, max_examples=200)
@given(ANY_TEXT)
def test_random_text_evaluates_or_fails_cleanly(text):
    run_guarded(lambda: evaluate(text), seconds=10)


@pytest.mark.parametrize("label, text", pathological_expressions(), ids=[p[0] for p in pathological_expressions()])
def test_pathological_expressions_stay_bounded(label, text):
    _outcome, peak = run_guarded(lambda: parse(text), seconds=10, measure_memory=True)
    assert peak < MEMORY_LIMIT, f"{label}: parsing used {peak / 2**20:.0f} MiB"
    if evaluate is not None:
        _outcome, peak = run_guarded(lambda: evaluate(text), seconds=20, measure_memory=True)
        assert peak < MEMORY_LIMIT, f"{label}: evaluation used {peak / 2**20:.0f} MiB"


def test_length_and_depth_limits_have_clear_messages():
    from lib_parseq.errors import ParseError

    with pytest.raises(ParseError, match="too long"):
        parse("1+" * 20_000 + "1")
    with pytest.raises(ParseError, match="nested too deeply"):
        parse("(" * 5000 + "1" + ")" * 5000)


# ----------------------------------------------------------------------------------------------------------
# The validator and the loader

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30), st.floats(allow_nan=True),
    st.text(max_size=20), st.sampled_from(["", " ", "1.5", "0x10", "Infinity", "NaN", "-0"]),
)
KEYS = st.one_of(
    st.sampled_from(["frame", "zoom", "zoom_i", "info", "keyframes", "options", "output_fps", "bpm", "prompts",
                     "promptList", "positive", "negative", "from", "to", "allFrames", "overlap", "type",
                     "timeSeries", "alias", "ts", "data", "x", "y", "rendered_frames", "managedFields",
                     "commonPromptPos", "cadence", "timestampType"]),
    st.text(max_size=10),
)
JSON = st.recursive(SCALARS, lambda kids: st.one_of(st.lists(kids, max_size=6),
                                                    st.dictionaries(KEYS, kids, max_size=6)), max_leaves=40)

KEYFRAME = st.fixed_dictionaries(
    {"frame": st.one_of(st.integers(-3, 200), SCALARS)},
    optional={"zoom": SCALARS, "zoom_i": st.one_of(st.text(max_size=30), SCALARS), "info": SCALARS},
)
DOCUMENT_LIKE = st.fixed_dictionaries(
    {"keyframes": st.one_of(st.lists(KEYFRAME, max_size=6), JSON)},
    optional={"options": st.one_of(st.dictionaries(st.sampled_from(["output_fps", "bpm", "cadence", "x"]), SCALARS),
                                   JSON),
              "prompts": JSON, "timeSeries": JSON, "managedFields": JSON, "rendered_frames": st.lists(KEYFRAME)},
)


def _check_problems(problems):
    assert isinstance(problems, list)
    assert all(isinstance(p, Problem) and p.severity in ("error", "warning") for p in problems)
    assert all(p.path.startswith("$") and p.message for p in problems)
    assert len({(p.path, p.message) for p in problems}) == len(problems)


@settings(FAST, max_examples=400)
@given(st.one_of(JSON, DOCUMENT_LIKE))
def test_random_json_gets_problems_never_exceptions(obj):
    for check in (validate, validate_document, validate_manifest):
        _check_problems(check(obj))


@settings(FAST, max_examples=300)
@given(DOCUMENT_LIKE)
def test_a_document_without_errors_loads(doc):
    """Whatever the validator passes, the loader accepts (the two agree on what is valid)."""
    from lib_parseq.schedules import load_document

    if not any(p.severity == "error" for p in validate_document(doc)):
        run_guarded(lambda: load_document(doc), seconds=10)


@settings(FAST, max_examples=300)
@given(st.one_of(st.text(max_size=300), JSON.map(lambda v: json.dumps(v, allow_nan=True))))
def test_random_text_loads_or_fails_with_a_document_error(text):
    if not text.strip().startswith(("{", "[")):
        text = "{" + text  # stay on the pasted-JSON path: never touch files or the network
    try:
        value = load_manifest_source(text)
    except DocumentError:
        return
    assert isinstance(value, dict)


def test_nan_literals_from_python_json_are_reported():
    text = json.dumps({"keyframes": [{"frame": 0, "zoom": math.nan}, {"frame": 5, "zoom": math.inf}]})
    problems = validate_document(load_manifest_source(text))
    assert {p.path for p in problems if p.severity == "error"} == {"$.keyframes[0].zoom", "$.keyframes[1].zoom"}
