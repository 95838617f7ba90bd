"""The compile command's fast JSON writer: the same JSON values as ``json.dumps``, for every indent."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

from lib_parseq.json_output import to_json
from lib_parseq.schedules import as_manifest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from compile import build_prompt_document  # noqa: E402


@pytest.fixture(scope="module")
def manifest() -> dict:
    return as_manifest(build_prompt_document())


@pytest.mark.parametrize("indent", [None, 2, 4])
def test_a_10000_frame_manifest_reads_back_equal(manifest, indent):
    text = to_json(manifest, indent=indent)
    assert json.loads(text) == json.loads(json.dumps(manifest, indent=indent, ensure_ascii=False, allow_nan=False))
    assert json.loads(text) == manifest
    assert (text.count("\n") > 1000) == (indent is not None)


@pytest.mark.parametrize("value", [
    {"a": [0.1 + 0.2, 1e300, -0.0, 5e-324, 1e16, 123456789.123456789, -1.5e-7]},
    {"prompt": "caf\u00e9 \u732b \U0001f431", "n": None, "t": True},
    {"big": 2**70, "neg": -(2**63) - 1},  # beyond 64 bits: the standard library writes these
])
def test_awkward_values_read_back_equal(value):
    assert json.loads(to_json(value)) == value
    assert json.loads(to_json(value, indent=2)) == value


def test_characters_are_written_as_utf8_not_escaped():
    assert "\u732b" in to_json({"p": "\u732b"})


def test_floats_read_back_to_the_same_bits(manifest):
    values = [v for frame in manifest["rendered_frames"] for v in frame.values() if isinstance(v, float)]
    assert len(values) > 100_000
    again = [v for frame in json.loads(to_json(manifest))["rendered_frames"] for v in frame.values()
             if isinstance(v, float)]
    assert all(a == b or (math.isnan(a) and math.isnan(b)) for a, b in zip(values, again, strict=True))
