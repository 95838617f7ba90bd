"""Compiling an edited document from the previous compile (what the tab does on every edit) gives exactly the
manifest a full compile gives, for random chains of edits; and it does take over what the edit left alone."""

from __future__ import annotations

import copy
import random

import pytest

from lib_parseq.errors import ParseqError
from lib_parseq.schedules.compiler import compile_columns, compile_document

FIELDS = ["zoom", "angle", "strength", "seed", "custom_a", "custom_b", "custom_c"]
EXPRESSIONS = [
    "", "L", "C", "S", "bez()", "sin(p=40, a=0.5) + L", "zoom * 2", "angle + custom_a", 'dangerous("zoom") + 1',
    'dangerous(if (f % 2 == 0) "angle" else "strength")', "rand(min=0, max=1, seed=3)", "rand(min=0, max=1)",
    "prev_computed_value + 0.01", 'info_match_progress("beat")', "pulse(p=20, pw=5)", "custom_b - 1",
]
PROMPTS = ["a cat", "a cat ${zoom}", "a dog ${posneg('x', sin(p=30))}", "${if (f < 100) \"early\" else \"late\"}",
           "static ${strength * 2}", "${rand(min=0, max=1, seed=2)}"]
# (an unseeded rand in a prompt gives other numbers on every compile, full or not: test_nothing_random_...)


def starting_document() -> dict:
    keyframes = []
    for index, frame in enumerate([0, 50, 120, 200, 299]):
        keyframe = {"frame": frame, "info": "beat" if index % 2 else ""}
        for number, name in enumerate(FIELDS):
            keyframe[name] = 1000 + index if name == "seed" else round(0.1 * (index + number), 3)
        keyframes.append(keyframe)
    keyframes[0]["angle_i"] = "sin(p=50, a=3)"
    keyframes[0]["custom_b_i"] = "zoom + custom_a"
    return {
        "options": {"output_fps": 24, "bpm": 120},
        "managedFields": FIELDS,
        "keyframes": keyframes,
        "prompts": {"format": "v2", "enabled": True, "commonPrompt": {"positive": "", "negative": "", "allFrames": True},
                    "promptList": [{"positive": "a cat", "negative": "blurry", "allFrames": True}]},
    }


def random_edit(doc: dict, rng: random.Random) -> dict:
    """One edit of the kind the tab makes: a cell, an interpolation, an info label, a prompt, an option..."""
    edited = copy.deepcopy(doc)
    keyframes = edited["keyframes"]
    kind = rng.choice(["value", "value", "expression", "expression", "blank", "info", "prompt", "fps", "frame",
                       "add", "remove", "managed"])
    keyframe = rng.choice(keyframes)
    field = rng.choice(FIELDS)
    if kind == "value":
        keyframe[field] = rng.choice([round(rng.uniform(-2, 2), 3), 0.0, -0.0, 1, "0.5"])
    elif kind == "expression":
        keyframe[f"{field}_i"] = rng.choice(EXPRESSIONS)
    elif kind == "blank":
        keyframe.pop(field, None)
    elif kind == "info":
        keyframe["info"] = rng.choice(["", "beat", "drop", "beat 2"])
    elif kind == "prompt":
        edited["prompts"]["promptList"][0]["positive"] = rng.choice(PROMPTS)
    elif kind == "fps":
        edited["options"]["output_fps"] = rng.choice([12, 24, 30])
    elif kind == "frame" and keyframe is not keyframes[0]:
        frames = {kf["frame"] for kf in keyframes}
        candidate = rng.randrange(1, 400)
        if candidate not in frames:
            keyframe["frame"] = candidate
    elif kind == "add":
        frames = {kf["frame"] for kf in keyframes}
        candidate = rng.randrange(1, 400)
        if candidate not in frames:
            keyframes.append({"frame": candidate, field: round(rng.uniform(0, 1), 3)})
    elif kind == "remove" and len(keyframes) > 2:
        keyframes.remove(keyframe)
    elif kind == "managed":
        edited["managedFields"] = rng.sample(FIELDS, rng.randrange(3, len(FIELDS) + 1))
    return edited


def _without_time(manifest: dict) -> dict:
    manifest = copy.deepcopy(manifest)
    manifest["meta"].pop("generated_at")
    return manifest


def _full(doc: dict):
    try:
        return _without_time(compile_document(doc, random_seed=0))
    except ParseqError as error:
        return str(error)


@pytest.mark.parametrize("chain", range(6))
def test_random_edit_chains_compile_exactly_as_a_full_compile(chain):
    rng = random.Random(1000 + chain)
    doc = starting_document()
    previous = compile_columns(doc, random_seed=0)
    for _ in range(25):
        doc = random_edit(doc, rng)
        expected = _full(doc)
        try:
            compiled = compile_columns(doc, random_seed=0, previous=previous)
        except ParseqError as error:
            assert str(error) == expected
            continue
        assert _without_time(compiled.manifest) == expected
        previous = compiled


def test_an_edit_of_one_field_evaluates_that_field_and_its_readers_only():
    doc = starting_document()
    first = compile_columns(doc, random_seed=0)
    edited = copy.deepcopy(doc)
    edited["keyframes"][2]["custom_a"] = 5.0  # custom_b reads custom_a (and zoom)
    second = compile_columns(edited, random_seed=0, previous=first)
    changed = {name for name in FIELDS if second.values[name] is not first.values[name]}
    assert changed == {"custom_a", "custom_b"}
    assert second.prompts is first.prompts, "prompts without ${…} do not depend on the fields"
    assert _without_time(second.manifest) == _full(edited)


def test_a_computed_dangerous_name_makes_a_field_follow_every_field_before_it():
    doc = starting_document()
    doc["keyframes"][0]["custom_c_i"] = 'dangerous(if (f % 2 == 0) "angle" else "strength")'
    first = compile_columns(doc, random_seed=0)
    edited = copy.deepcopy(doc)
    edited["keyframes"][1]["strength"] = 0.9
    second = compile_columns(edited, random_seed=0, previous=first)
    assert second.values["custom_c"] is not first.values["custom_c"]
    assert second.values["zoom"] is first.values["zoom"]
    assert _without_time(second.manifest) == _full(edited)


def test_nothing_random_is_taken_over():
    doc = starting_document()
    doc["keyframes"][0]["zoom_i"] = "rand(min=0, max=1)"
    doc["prompts"]["promptList"][0]["positive"] = "noisy ${rand(min=0, max=1)}"
    unseeded = compile_columns(doc)
    again = compile_columns(doc, previous=unseeded)
    assert again.values["zoom"] is not unseeded.values["zoom"], "without a render seed every field is evaluated"
    seeded = compile_columns(doc, random_seed=0)
    reseeded = compile_columns(doc, random_seed=0, previous=seeded)
    assert reseeded.values["zoom"] is seeded.values["zoom"]
    assert reseeded.prompts is not seeded.prompts, "a prompt drawing random numbers is assembled again"


def test_frames_are_built_from_the_columns_in_any_window():
    compiled = compile_columns(starting_document(), random_seed=0)
    whole = compile_document(starting_document(), random_seed=0)["rendered_frames"]
    assert compiled.frames(40, 45) == whole[40:45]
    assert compiled.frames(295) == whole[295:]
    assert list(compiled.frames()[0]) == list(whole[0]), "Parseq's key order"
