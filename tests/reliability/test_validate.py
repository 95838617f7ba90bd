"""The document/manifest validator: real Parseq documents pass, bad ones get every problem once, in one pass."""

from __future__ import annotations

import ast
import dataclasses
import gzip
import json
import math
from collections import Counter
from pathlib import Path

import pytest

from lib_parseq.errors import DocumentError
from lib_parseq.schedules.validate import validate, validate_document, validate_manifest
from lib_parseq.schedules.validate_problems import Problem, json_path, problems_to_error, raise_for_problems

GOOD = {
    "options": {"output_fps": 20, "bpm": 140},
    "keyframes": [{"frame": 0, "zoom": 1, "zoom_i": "L"}, {"frame": 10, "zoom": "1.5"}],
}


def _errors(problems):
    return [p for p in problems if p.severity == "error"]


def _upstream(conformance_dir):
    with gzip.open(conformance_dir / "render-upstream.jsonl.gz", "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_real_parseq_documents_have_no_errors(conformance_dir):
    for case in _upstream(conformance_dir):
        assert _errors(validate_document(case["doc"])) == [], case["name"]


def test_real_parseq_manifests_have_no_errors(conformance_dir):
    for case in _upstream(conformance_dir):
        manifest = {**case["doc"], **case["expected"]}
        assert _errors(validate_manifest(manifest)) == [], case["name"]
        assert _errors(validate(manifest)) == [], case["name"]


def test_a_clean_document_has_no_problems():
    assert validate_document(GOOD) == []


def test_every_problem_is_found_in_one_pass():
    doc = {
        "options": {"output_fps": 0, "bpm": "fast"},
        "keyframes": [
            {"frame": 3, "zoom": [1]},
            {"frame": 3},
            {"frame": "7"},
            {"zoom": 1},
        ],
        "timeSeries": [{"alias": "2bad", "ts": {"data": []}}],
        "prompts": {"promptList": [{"positive": 1}], "commonPromptPos": "middle"},
        "colour": "blue",
    }
    problems = validate_document(doc)
    paths = {(p.severity, p.path) for p in problems}
    assert {
        ("error", "$.options.output_fps"),
        ("error", "$.options.bpm"),
        ("error", "$.keyframes[0].zoom"),
        ("error", "$.keyframes[1].frame"),  # duplicate of frame 3
        ("error", "$.keyframes[0].frame"),  # first keyframe not at 0
        ("error", "$.keyframes[2].frame"),  # a string
        ("error", "$.keyframes[3].frame"),  # missing
        ("error", "$.timeSeries[0].alias"),
        ("error", "$.prompts.promptList[0].positive"),
        ("error", "$.prompts.commonPromptPos"),
        ("warning", "$.colour"),
    } <= paths


def test_no_problem_is_reported_twice():
    doc = {"keyframes": [{"frame": float("inf")}, {"frame": float("nan"), "x": float("nan")}, {"frame": 10**400}]}
    problems = validate_document(doc)
    assert Counter((p.path, p.message) for p in problems).most_common(1)[0][1] == 1
    assert Counter(p.path for p in problems)["$.keyframes[0].frame"] == 1
    assert any("Infinity is not a JSON number" in p.message for p in problems)
    assert any("too large" in p.message for p in problems)


def test_problem_is_a_frozen_value():
    problem = Problem("error", "$.keyframes", "No keyframes found.")
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.message = "other"  # type: ignore[misc]
    assert str(problem) == "error: $.keyframes: No keyframes found."


def test_unknown_fields_are_warnings_and_kept():
    doc = {**GOOD, "myNotes": "hello", "options": {**GOOD["options"], "turbo": True}}
    problems = validate_document(doc)
    assert {(p.severity, p.path) for p in problems} == {("warning", "$.myNotes"), ("warning", "$.options.turbo")}
    assert doc["myNotes"] == "hello"


def test_numeric_strings_count_as_values_other_text_does_not():
    doc = {**GOOD, "keyframes": [{"frame": 0, "a": " 2.5 ", "b": "0x10", "c": "", "d": None}, {"frame": 4, "e": "zoom*2"}]}
    problems = validate_document(doc)
    assert [(p.severity, p.path) for p in problems] == [("warning", "$.keyframes[1].e")]
    assert "an expression belongs in e_i" in problems[0].message


def test_frame_cap_is_configurable():
    doc = {**GOOD, "keyframes": [{"frame": 0}, {"frame": 500}]}
    assert _errors(validate_document(doc)) == []
    (problem,) = _errors(validate_document(doc, max_frames=500))
    assert problem.path == "$.keyframes[1].frame"
    assert "at most 500 frames" in problem.message


def test_legacy_2022_document_is_accepted():
    legacy = {
        "options": {"input_fps": "", "output_fps": "", "bpm": 140, "cc_window_width": 0, "cc_window_slide_rate": 1,
                    "cc_use_input": False},
        "keyframes": [
            {"frame": 0, "seed": 303, "denoise": 0.6, "rotx": 0, "zoom": 0, "loopback_frames": 1,
             "loopback_decay": 0.25, "prompt_weight_3_i": "L*tri(period=100, phase=0, amp=0.5, centre=0.5)"},
            {"frame": 20, "seed": 303, "denoise": 0.6},
        ],
        "prompts": {"positive": "a cat :${prompt_weight_1}", "negative": "blurry"},
    }
    assert _errors(validate_document(legacy)) == []


def test_manifest_frames_must_be_contiguous_from_zero():
    manifest = {"rendered_frames": [{"frame": 0}, {"frame": 1}, {"frame": 4}, {"frame": 4}, {"frame": 2}]}
    messages = {p.path: p.message for p in validate_manifest(manifest)}
    assert "frames 2–3 are missing before frame 4" in messages["$.rendered_frames[2].frame"]
    assert "appears more than once" in messages["$.rendered_frames[3].frame"]
    assert "out of order" in messages["$.rendered_frames[4].frame"]


def test_manifest_needs_rendered_frames_and_says_so():
    (problem,) = validate_manifest(GOOD)
    assert problem.path == "$.rendered_frames"
    assert "compile it first" in problem.message


def test_problems_become_one_document_error_listing_each():
    problems = validate_document({"keyframes": [{"frame": 1}], "options": {"output_fps": -5}})
    error = problems_to_error(problems)
    assert isinstance(error, DocumentError)
    text = str(error)
    for problem in _errors(problems):
        assert f"{problem.path}: {problem.message}" in text
    with pytest.raises(DocumentError):
        raise_for_problems(problems)
    assert problems_to_error([Problem("warning", "$.x", "unknown field")]) is None
    raise_for_problems([Problem("warning", "$.x", "unknown field")])


def test_json_paths_quote_odd_keys():
    assert json_path(("keyframes", 3, "frame")) == "$.keyframes[3].frame"
    assert json_path(("my key", 0)) == '$["my key"][0]'


def test_deeply_nested_unknown_values_do_not_overflow():
    deep: list = []
    node = deep
    for _ in range(50_000):
        node.append([])
        node = node[0]
    node.append(math.nan)
    problems = validate_document({**GOOD, "extra": deep})
    assert any(p.severity == "error" and "NaN" in p.message for p in problems)


def test_the_validator_does_not_import_the_language(repo_root: Path):
    modules = sorted((repo_root / "lib_parseq/schedules").glob("validate*.py"))
    assert (repo_root / "lib_parseq/schedules/validate.py") in modules
    imported: set[str | None] = set()
    for module in modules:
        tree = ast.parse(module.read_text())
        imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert not any(name and name.startswith("lib_parseq.language") for name in imported)


@pytest.mark.parametrize("text", ["0\x1f", "\x1c12", "12\x1e"])
def test_a_number_text_with_a_control_separator_is_a_problem_not_a_crash(text):
    """Python's regex ``\\s`` matches the separators U+001C-U+001F but ``float`` refuses them (the
    long fuzz run found ``"output_fps": "0\\x1f"`` raising ValueError out of ``validate``)."""
    keyframes = [{"frame": 0, "seed": 1}, {"frame": 10, "seed": 2}]
    problems = validate({"keyframes": keyframes, "options": {"output_fps": text, "bpm": 120}})
    assert [p.path for p in problems if p.severity == "error"] == ["$.options.output_fps"]
