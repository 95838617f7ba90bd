"""Document edits and imports: Parseq documents, manifests, Deforum settings and bare schedules."""

from __future__ import annotations

import json

import pytest

from lib_parseq.errors import DocumentError
from lib_parseq.ui.document import (
    blank_document,
    prepare_document,
    shown_fields,
    with_options,
    with_shown_fields,
)
from lib_parseq.ui.importing import document_from_object, import_file, import_text, looks_like_schedule
from lib_parseq.ui.starters import STARTERS, load_starter, starter_names


def test_prepare_document_drops_rendered_frames_and_fills_editor_defaults():
    manifest = {
        "keyframes": [{"frame": 10, "zoom": 2}, {"frame": 0, "zoom": 1}],
        "rendered_frames": [{"frame": 0}],
        "rendered_frames_meta": {},
        "prompts": {"positive": "a cat", "negative": ""},
    }
    doc = prepare_document(manifest)
    assert "rendered_frames" not in doc and "rendered_frames_meta" not in doc
    assert [k["frame"] for k in doc["keyframes"]] == [0, 10]
    assert doc["options"]["output_fps"] == 20 and doc["options"]["bpm"] == 140
    assert len(doc["displayedFields"]) == 5 and doc["displayedFields"][0] == doc["managedFields"][0]
    assert doc["prompts"]["format"] == "v2" and doc["prompts"]["promptList"][0]["positive"] == "a cat"
    assert "rendered_frames" in manifest, "the caller's object is not modified"


def test_showing_a_new_field_manages_it():
    doc = blank_document(fields=("zoom",))
    shown = with_shown_fields(doc, ["zoom", "my_custom"])
    assert shown["managedFields"] == ["zoom", "my_custom"] and shown_fields(shown) == ["zoom", "my_custom"]
    with pytest.raises(DocumentError, match="letters, digits and _"):
        with_shown_fields(doc, ["bad name"])


def test_options_must_be_positive():
    doc = blank_document()
    assert with_options(doc, 24, 120.5)["options"] == {"output_fps": 24, "bpm": 120.5, "cadence": 1}
    with pytest.raises(DocumentError, match="fps must be a positive number") as caught:
        with_options(doc, 0, 120)
    assert caught.value.path == "$.options.output_fps"


def test_import_json_errors_have_line_and_column():
    with pytest.raises(DocumentError) as caught:
        import_text('{\n  "keyframes": [\n    {"frame": 0,,}\n  ]\n}', blank_document())
    assert caught.value.line == 3 and caught.value.column == 17
    assert "^" in str(caught.value)


def test_import_rejects_unknown_objects_and_frameless_manifests():
    with pytest.raises(DocumentError, match="not a Parseq document"):
        document_from_object({"hello": 1})
    with pytest.raises(DocumentError, match="no 'keyframes'"):
        document_from_object({"rendered_frames": [{"frame": 0}]})
    with pytest.raises(DocumentError, match="nothing to import"):
        import_text("   ", blank_document())


def test_import_parseq_document_and_file(tmp_path):
    source = {"keyframes": [{"frame": 0, "zoom": 1}, {"frame": 50, "zoom": 2}], "managedFields": ["zoom"]}
    doc, message = import_text(json.dumps(source), blank_document())
    assert doc["keyframes"][1]["zoom"] == 2 and "Parseq document" in message
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(dict(source, rendered_frames=[])), encoding="utf-8")
    doc, message = import_file(path)
    assert doc["managedFields"] == ["zoom"] and "manifest" in message and "doc.json" in message


def test_import_bare_deforum_schedule_into_a_field():
    assert looks_like_schedule("0:(1.0), 30:(0.5)") and not looks_like_schedule('{"a": 1}')
    doc = blank_document(last_frame=100, fields=("strength",))
    imported, message = import_text("0:(0.65), 40:(0.3)", doc, "strength")
    frames = {k["frame"]: k for k in imported["keyframes"]}
    assert frames[0]["strength"] == 0.65 and frames[40]["strength"] == 0.3
    assert sorted(frames) == [0, 40, 100] and "strength" in message
    with pytest.raises(DocumentError, match="choose the field"):
        import_text("0:(1)", doc, "")


def test_import_deforum_settings():
    settings = {
        "max_frames": 60,
        "animation_mode": "2D",
        "fps": 15,
        "strength_schedule": "0:(0.65), 30:(0.4)",
        "zoom": "0:(1.0)",
        "prompts": {"0": "a cat", "30": "a dog"},
    }
    doc, message = import_text(json.dumps(settings), blank_document())
    assert "Deforum settings" in message
    assert doc["options"]["output_fps"] == 15
    assert max(k["frame"] for k in doc["keyframes"]) == 59
    strength = {k["frame"]: k.get("strength") for k in doc["keyframes"] if "strength" in k}
    assert strength[0] == 0.65 and strength[30] == 0.4


@pytest.mark.parametrize("name", list(STARTERS))
def test_starters_load(name):
    doc = load_starter(name)
    assert len(doc["keyframes"]) >= 2 and shown_fields(doc)
    assert doc["prompts"]["promptList"]
    assert name in starter_names()


def test_import_frame_prompt_lines_replaces_the_prompt_table_and_extends_the_document():
    doc = blank_document(last_frame=50)
    imported, message = import_text("0: a corgi --neg blurry\n80: a lion", doc)
    prompts = imported["prompts"]["promptList"]
    assert [(p["positive"], p["negative"], p["from"], p["to"]) for p in prompts] == [
        ("a corgi", "blurry", 0, 80), ("a lion", "", 0, 80)]
    assert prompts[1]["overlap"] == {"type": "linear", "inFrames": 80, "outFrames": 0, "custom": ""}
    assert [k["frame"] for k in imported["keyframes"]] == [0, 50, 80] and "2 prompts" in message
    assert doc["prompts"]["promptList"][0]["positive"] == ""


def test_import_prompt_travel_boxes():
    from lib_parseq.ui.importing import import_travel_boxes

    doc = blank_document(last_frame=100)
    imported, message = import_travel_boxes("a corgi\na lion", "blurry", "30", doc)
    assert [(p["positive"], p["negative"], p["from"], p["to"]) for p in imported["prompts"]["promptList"]] == [
        ("a corgi", "blurry", 0, 31), ("a lion", "blurry", 0, 100)]
    assert "ending at frame 31" in message
    with pytest.raises(DocumentError, match="steps must be"):
        import_travel_boxes("a\nb", "", "many", doc)
