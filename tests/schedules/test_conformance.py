"""The 17 documents of Parseq's Deforum integration tests, compiled and compared with the real Parseq output.

Comparison rules (../shared/conformance/README.md): numbers with rel 1e-6 / abs 1e-9, NaN equals null,
strings exactly except numbers inside ``deforum_prompt``, compared rounded to 4 decimals. No document
currently needs an exception: none relies on a §2.4 deviation or on Parseq's seeded random streams. If one
ever does, list it in EXCEPTIONS with the field and the reason, never skip a whole document silently.
"""

from __future__ import annotations

import math
import re

import pytest

from lib_parseq.schedules import compile_document

RENDER_FILE = "render-upstream.jsonl.gz"
EXPECTED_DOCUMENTS = 17
EXCEPTIONS: dict[str, dict[str, str]] = {}
_DECIMAL = re.compile(r"-?\d+\.\d+")


def _is_nan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def numbers_match(actual, expected) -> bool:
    if _is_nan(expected) or _is_nan(actual):
        return _is_nan(expected) and _is_nan(actual)
    return abs(actual - expected) <= max(1e-9, 1e-6 * abs(expected))


def prompt_text(text: str) -> str:
    return _DECIMAL.sub(lambda match: f"{float(match.group()):.4f}", text)


@pytest.fixture(scope="module")
def cases(conformance_dir, jsonl_reader):
    records = jsonl_reader(conformance_dir / RENDER_FILE)
    assert len(records) == EXPECTED_DOCUMENTS
    return {record["name"]: record for record in records}


def _differences(name: str, actual: dict, expected: dict) -> list[str]:
    skipped = EXCEPTIONS.get(name, {})
    problems = []
    frames, wanted = actual["rendered_frames"], expected["rendered_frames"]
    if len(frames) != len(wanted):
        return [f"{len(frames)} frames, expected {len(wanted)}"]
    for got, want in zip(frames, wanted, strict=True):
        if list(got) != [key for key in want if key not in skipped] and not skipped:
            problems.append(f"frame {want['frame']}: keys {list(got)} != {list(want)}")
            continue
        for key, value in want.items():
            if key in skipped:
                continue
            if key == "deforum_prompt":
                if prompt_text(got[key]) != prompt_text(value):
                    problems.append(f"frame {want['frame']} {key}: {got[key]!r} != {value!r}")
            elif not numbers_match(got[key], value):
                problems.append(f"frame {want['frame']} {key}: {got[key]!r} != {value!r}")
    meta = expected["rendered_frames_meta"] or {}
    for field, want in meta.items():
        if field in skipped:
            continue
        got = actual["rendered_frames_meta"][field]
        if got["isFlat"] != want["isFlat"] or not numbers_match(got["max"], want["max"]) or not numbers_match(
            got["min"], want["min"]
        ):
            problems.append(f"meta {field}: {got} != {want}")
    if set(actual["rendered_frames_meta"]) != set(meta) - set(skipped):
        problems.append(f"meta fields {sorted(actual['rendered_frames_meta'])} != {sorted(meta)}")
    return problems


def test_every_document_matches_parseq(cases):
    failures = {}
    for name, case in cases.items():
        differences = _differences(name, compile_document(case["doc"]), case["expected"])
        if differences:
            failures[name] = differences[:5]
    passed = len(cases) - len(failures)
    print(f"conformance: {passed}/{len(cases)} documents match Parseq")
    assert not failures, failures
