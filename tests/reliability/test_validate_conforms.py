"""``validate_schema.conforms``, the fast path that lets a valid document skip jsonschema, agrees with jsonschema:
it never passes a value that jsonschema fails (that would lose a problem), nor fails one that it passes."""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib_parseq.schedules.validate import validate_document, validate_manifest
from lib_parseq.schedules.validate_schema import CONFORMS_KEYWORDS, SCHEMAS, conforms

ANNOTATIONS = {"$schema", "title", "x-message", "x-severity"}
VALIDATORS = {name: jsonschema.Draft202012Validator(schema) for name, schema in SCHEMAS.items()}

LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([0.0, 1.0, 2.5, -1.5, 1e300]),
    st.sampled_from(["", "1", "x", "linear", "none", "frames", "beats", "zoom"]),
)
ANY_JSON = st.recursive(LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["a", "frame", "x_i", "y"]), inner, max_size=3)),
    max_leaves=6)
KEYS = st.sampled_from(["frame", "zoom", "zoom_i", "info", "x", "y", "_i", "deforum_prompt", "seed", "strength_i"])


def _types(schema: Mapping[str, Any]) -> list[str]:
    declared = schema.get("type", [])
    return [declared] if isinstance(declared, str) else list(declared)


def _leaf_of(type_name: str) -> st.SearchStrategy:
    return {
        "null": st.none(), "boolean": st.booleans(), "string": st.sampled_from(["", "1", "zoom", "L"]),
        "integer": st.one_of(st.integers(-2, 12), st.sampled_from([3.0, -0.0])),
        "number": st.one_of(st.integers(-2, 12), st.floats(allow_nan=False, width=32)),
        "object": st.dictionaries(KEYS, LEAVES, max_size=2), "array": st.lists(LEAVES, max_size=2),
    }[type_name]


NEAR_MISSES = st.sampled_from([True, False, 1.5, 2.0, "", None, [], {}, 0, "x", [1], {"a": 1}])


def shaped(schema: Mapping[str, Any], depth: int = 0) -> st.SearchStrategy:
    """Values of the shape ``schema`` describes (most of them valid: extra keys and required keys can be off)."""
    if depth > 5:
        return LEAVES
    options: list[st.SearchStrategy] = []
    if "enum" in schema:
        options.append(st.sampled_from(schema["enum"]))
    types = _types(schema)
    if "object" in types and ("properties" in schema or "additionalProperties" in schema):
        options.append(_object_shaped(schema, depth))
    if "array" in types and "items" in schema:
        options.append(st.lists(shaped(schema["items"], depth + 1), max_size=3))
    options.extend(_leaf_of(name) for name in types if not (name == "object" and "properties" in schema))
    return st.one_of(options) if options else ANY_JSON


def _object_shaped(schema: Mapping[str, Any], depth: int) -> st.SearchStrategy:
    properties = schema.get("properties", {})
    extra_schema = schema.get("additionalProperties")
    extras = st.dictionaries(KEYS, shaped(extra_schema, depth + 1) if extra_schema is not None else LEAVES,
                             max_size=3)
    chosen = st.fixed_dictionaries({}, optional={key: shaped(sub, depth + 1) for key, sub in properties.items()})
    required = {key: 1 for key in schema.get("required", [])}
    return st.tuples(chosen, extras).map(lambda parts: {**parts[1], **required, **parts[0]})


def _containers(value: Any, found: list) -> list:
    """Every list and dict inside ``value`` (itself included)."""
    if isinstance(value, (dict, list)):
        found.append(value)
        for item in value.values() if isinstance(value, dict) else value:
            _containers(item, found)
    return found


@st.composite
def near(draw, schema: Mapping[str, Any]) -> Any:
    """A value of ``schema``'s shape with, most times, one change: an item or key replaced by a near miss (a bool
    for a number, 1.5 for a frame, an empty text...) or by anything at all, or a key removed or added."""
    value = draw(shaped(schema))
    if draw(st.integers(0, 3)) == 0:
        return value
    containers = _containers(value, [])
    if not containers:
        return draw(st.one_of(NEAR_MISSES, ANY_JSON))
    target = draw(st.sampled_from(containers))
    replacement = draw(st.one_of(NEAR_MISSES, NEAR_MISSES, ANY_JSON))
    if isinstance(target, list):
        if target:
            target[draw(st.integers(0, len(target) - 1))] = replacement
        else:
            target.append(replacement)
    elif target and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(target)))
        if draw(st.booleans()):
            del target[key]
        else:
            target[key] = replacement
    else:
        target[draw(KEYS)] = replacement
    return value


def _walk_schema(schema: Any):
    if isinstance(schema, Mapping):
        yield schema
        for key in ("properties", "patternProperties"):
            for sub in schema.get(key, {}).values():
                yield from _walk_schema(sub)
        for key in ("items", "additionalProperties"):
            if isinstance(schema.get(key), Mapping):
                yield from _walk_schema(schema[key])


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_conforms_knows_every_keyword_of_the_schemas(name):
    subschemas = list(_walk_schema(SCHEMAS[name]))
    used = set().union(*(schema.keys() for schema in subschemas))
    assert used - CONFORMS_KEYWORDS - ANNOTATIONS == set()
    assert all(isinstance(schema.get("additionalProperties", {}), Mapping) for schema in subschemas)
    assert all(isinstance(schema.get("items", {}), Mapping) for schema in subschemas)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_conforms_agrees_with_jsonschema(name, data):
    value = data.draw(near(SCHEMAS[name]))
    assert conforms(SCHEMAS[name], value) == VALIDATORS[name].is_valid(value), value


def test_the_generated_values_include_both_outcomes():
    """The property above means something only if its values often pass and often fail."""
    outcomes = {name: {True: 0, False: 0} for name in SCHEMAS}

    @settings(max_examples=100, deadline=None, database=None)
    @given(data=st.data())
    def count(data):
        for name, schema in SCHEMAS.items():
            outcomes[name][VALIDATORS[name].is_valid(data.draw(near(schema)))] += 1

    count()
    for name, counted in outcomes.items():
        assert counted[True] >= 15 and counted[False] >= 15, (name, counted)


@pytest.mark.parametrize(("name", "value", "valid"), [
    ("document", {"keyframes": [{"frame": 3.0}]}, True),  # 1.0 is an integer in Draft 2020-12
    ("document", {"keyframes": [{"frame": True}]}, False),  # a bool is not
    ("document", {"keyframes": [{"frame": 0, "zoom_i": False}]}, True),  # _i columns: text, null, number, bool
    ("document", {"keyframes": [{"frame": 0, "zoom_i": []}]}, False),
    ("document", {"keyframes": [{"frame": 0, "zoom": {}}]}, False),
    ("document", {"keyframes": [{"zoom": 1}]}, False),
    ("document", {"managedFields": [""]}, False),
    ("document", {"keyframeLock": "beats"}, True),
    ("document", {"keyframeLock": 1}, False),
    ("document", {"timeSeries": [{"alias": "a", "ts": {"data": [], "timestampType": 1.0}}]}, True),
    ("document", {"timeSeries": [{"alias": "a", "ts": {"data": [], "timestampType": True}}]}, False),
    ("document", [], False),
    ("manifest", {"rendered_frames_meta": []}, True),
    ("manifest", {"rendered_frames_meta": [1]}, False),
    ("manifest", {"rendered_frames_meta": {"zoom": []}}, False),
    ("manifest", {"rendered_frames": [{"frame": 0, "zoom": None, "deforum_prompt": "a"}]}, True),
    ("manifest", {"rendered_frames": [{"frame": 0, "deforum_prompt": None}]}, False),
])
def test_conforms_on_the_edges_of_each_keyword(name, value, valid):
    assert VALIDATORS[name].is_valid(value) is valid
    assert conforms(SCHEMAS[name], value) is valid


def test_real_parseq_documents_and_manifests_conform(conformance_dir):
    with gzip.open(conformance_dir / "render-upstream.jsonl.gz", "rt", encoding="utf-8") as handle:
        cases = [json.loads(line) for line in handle]
    for case in cases:
        manifest = {**case["doc"], **case["expected"]}
        assert conforms(SCHEMAS["document"], case["doc"]) and VALIDATORS["document"].is_valid(case["doc"])
        assert conforms(SCHEMAS["manifest"], manifest) and VALIDATORS["manifest"].is_valid(manifest)


def test_a_value_that_does_not_conform_still_gets_jsonschemas_messages():
    problems = validate_document({"keyframes": [{"frame": True, "zoom": [1]}, {"frame": 5}], "keyframeLock": "bars"})
    messages = {problem.path: (problem.severity, problem.message) for problem in problems}
    assert messages["$.keyframes[0].frame"] == ("error", "must be a whole frame number, not true")
    assert messages["$.keyframes[0].zoom"] == ("error", 'must be a number, a numeric string, "" or null, not a list')
    assert messages["$.keyframeLock"] == ("warning", 'must be one of the text "frames", the text "seconds", '
                                                     'the text "beats", not the text "bars"')
    manifest_problems = validate_manifest({"rendered_frames": [{"frame": 0}], "rendered_frames_meta": [2]})
    assert [(p.path, p.message) for p in manifest_problems] == [
        ("$.rendered_frames_meta", "must be an object keyed by field, not a non-empty list")]
