"""Loading a document copies its JSON without recursion, so deep (unknown) values never hit Python's limit."""

from __future__ import annotations

import json

from lib_parseq.schedules import compile_document, load_document
from lib_parseq.schedules.document import copy_json


def test_copy_json_is_deep_ordered_and_independent():
    original = {"b": [1, {"c": [2, 3], "a": None}], "a": "x", "n": 1.5, "t": True}
    copied = copy_json(original)
    assert copied == original and list(copied) == ["b", "a", "n", "t"]
    copied["b"][1]["c"].append(4)
    assert original["b"][1]["c"] == [2, 3]


def test_copy_json_goes_deeper_than_the_recursion_limit():
    deep = json.loads("[" * 900 + "]" * 900)  # json reads it; 5,000 levels built by hand go further still
    for level in range(5000):
        deep = [deep, {"level": level}]
    copied = copy_json({"deep": deep})
    assert copied["deep"] is not deep
    node, levels = copied["deep"], 0
    while node and isinstance(node[0], list):
        node, levels = node[0], levels + 1
    assert levels == 5000 + 899


def test_a_document_with_a_deep_unknown_value_compiles():
    document = {"keyframes": [{"frame": 0, "zoom": 1}, {"frame": 2, "zoom": 2}], "managedFields": ["zoom"],
                "extra": json.loads("[" * 500 + "]" * 500)}
    manifest = compile_document(load_document(document))
    assert [frame["zoom"] for frame in manifest["rendered_frames"]] == [1, 1.5, 2]
    assert manifest["extra"] == document["extra"]
