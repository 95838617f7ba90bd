"""Deforum schedule strings: reading them safely, writing them from manifests, and settings import."""

from __future__ import annotations

import re

import numpy as np
import pytest

from lib_parseq.errors import DocumentError
from lib_parseq.schedules.deforum import (
    breakpoints,
    deforum_settings_to_document,
    parse_deforum_schedule,
    schedule_string,
    schedule_to_cells,
    to_deforum_schedules,
)


def test_numbers_and_spacing_variants():
    assert parse_deforum_schedule("0:(1.0), 30:(1.5)") == [(0, 1.0), (30, 1.5)]
    assert parse_deforum_schedule('0: (0.65),"10" :( -2 ),20:("3")') == [(0, 0.65), (10, -2.0), (20, 3.0)]
    assert parse_deforum_schedule("") == []


def test_expressions_become_parseq_text():
    ((frame, text),) = parse_deforum_schedule("0:(1.02+0.02*sin(2*3.14*t/20))")
    assert frame == 0
    assert text == "(1.02 + (0.02 * _sin((((2 * 3.14) * f) / 20))))"
    ((_, power),) = parse_deforum_schedule("0:(t**2 % 7)")
    assert power == "((f ^ 2) % 7)"
    ((_, conditional),) = parse_deforum_schedule("0:(where((t>5) & (t<9), 1, 0))")
    assert conditional == "(if (((f > 5) and (f < 9))) (1) else (0))"


def test_max_f_and_seed_are_replaced_by_their_values():
    assert parse_deforum_schedule('0:(s), "max_f-1":(max_f/2)', max_frames=100, seed=7) == [(0, "7"), (98, "(99 / 2)")]
    with pytest.raises(DocumentError, match="max_f"):
        parse_deforum_schedule("0:(max_f)")


def test_repeated_frame_keeps_the_last_value_and_frames_are_sorted():
    assert parse_deforum_schedule("10:(2), 0:(1), 10:(3)") == [(0, 1.0), (10, 3.0)]


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("0:(1.0) 30:(2)", "comma missing", 11),
        ("0:(sin(t)", "expected ',' or ')'", 9),
        ("0:(foo(t))", "unsupported function 'foo'", 4),
        ("0:(x+1)", "unknown variable 'x'", 4),
        ("0:(1),,5:(2)", "empty item", 7),
        ("0:(__import__(os))", "unsupported function '__import__'", 4),
        ("0:(__import__('os'))", "unexpected character", 15),
    ],
)
def test_bad_schedules_are_document_errors_with_a_column(text, message, column):
    with pytest.raises(DocumentError, match=re.escape(message)) as caught:
        parse_deforum_schedule(text)
    assert caught.value.line == 1
    assert caught.value.column == column
    assert caught.value.text == text


def test_breakpoints_keep_only_slope_changes():
    values = np.array([0.0, 1.0, 2.0, 3.0, 3.0, 3.0, 2.0])
    assert breakpoints(values).tolist() == [0, 3, 5, 6]
    curve = np.sin(np.arange(6.0))
    assert breakpoints(curve).tolist() == [0, 1, 2, 3, 4, 5]
    assert schedule_string(np.array([1.0, 1.25, 1.5])) == "0:(1), 2:(1.5)"


def _manifest(frames):
    return {"rendered_frames": frames}


def test_export_writes_absolute_fields_and_motion_increments():
    frames = []
    for f in range(5):
        zoom = 1 + 0.1 * f
        angle = 10.0 * f
        frames.append({
            "frame": f, "strength": 0.5 if f < 3 else 0.6, "zoom": zoom, "angle": angle, "deforum_prompt": "x",
            "zoom_delta": zoom if f == 0 else 1.1, "angle_delta": angle if f == 0 else 10.0,
            "strength_delta": 0, "strength_pc": 0,
        })
    schedules = to_deforum_schedules(_manifest(frames))
    assert schedules["strength_schedule"] == "0:(0.5), 2:(0.5), 3:(0.6), 4:(0.6)"
    assert schedules["zoom"] == "0:(1), 1:(1.1), 4:(1.1)"
    assert schedules["angle"] == "0:(0), 1:(10), 4:(10)"
    assert set(to_deforum_schedules(_manifest(frames), ["angle"])) == {"angle"}
    with pytest.raises(DocumentError, match="not in the manifest: nope"):
        to_deforum_schedules(_manifest(frames), ["nope"])


def test_absolute_schedule_cells_reproduce_deforum_interpolation():
    cells = schedule_to_cells("0:(1), 30:(sin(t)), 50:(2)", "strength", max_frames=100)
    assert cells[0] == {"strength": 1.0, "strength_i": "(1 + (_sin(30) - 1) * (f - 0) / 30)"}
    assert cells[30] == {"strength_i": "_sin(f)"}
    assert cells[50] == {"strength": 2.0, "strength_i": "L"}


def test_constant_motion_becomes_a_straight_absolute_line():
    # Deforum zooms by 1.02 per frame: Parseq's zoom_delta is 1 + difference, so zoom climbs 0.02 a frame.
    assert schedule_to_cells("0:(1.02)", "zoom", max_frames=11) == {
        0: {"zoom": 1.02}, 10: {"zoom": pytest.approx(1.22)}}
    assert schedule_to_cells("0:(2)", "angle", max_frames=11) == {0: {"angle": 2.0}, 10: {"angle": 22.0}}


def test_varying_motion_accumulates_with_prev_computed_value():
    cells = schedule_to_cells("0:(0), 10:(t/10)", "angle", max_frames=20)
    assert cells[0] == {"angle_i": "prev_computed_value + (0 + ((10 / 10) - 0) * (f - 0) / 10)"}
    assert cells[10] == {"angle_i": "prev_computed_value + (f / 10)"}
    zoom = schedule_to_cells("0:(1), 5:(1.1)", "zoom", max_frames=20)
    assert zoom[0]["zoom_i"].startswith("if (f == 0) ")


def test_settings_import_builds_a_document():
    settings = {
        "max_frames": 50, "fps": 12, "seed": 5, "seed_behavior": "iter", "diffusion_cadence": "2",
        "angle": "0:(0)", "zoom": "0:(1.0)", "strength_schedule": "0:(0.65), 25:(0.4)",
        "seed_schedule": "0:(s)", "clipskip_schedule": "0:(2)",
        "prompts": {"0": "a cat --neg blurry", "25": "a `t/2` dog"},
        "positive_prompts": "masterpiece", "negative_prompts": "",
    }
    doc = deforum_settings_to_document(settings)
    assert doc["options"]["output_fps"] == 12 and doc["options"]["cadence"] == 2
    assert "seed" not in doc["managedFields"] and "clipskip" not in doc["managedFields"]
    assert {"angle", "zoom", "strength"} <= set(doc["managedFields"])
    frames = [kf["frame"] for kf in doc["keyframes"]]
    assert frames[0] == 0 and frames[-1] == 49 and 25 in frames
    prompts = doc["prompts"]["promptList"]
    assert [(p["from"], p["to"], p["positive"], p["negative"]) for p in prompts] == [
        (0, 24, "a cat", "blurry"),
        (25, 49, "a ${(f / 2)} dog", ""),
    ]
    assert doc["prompts"]["commonPrompt"]["positive"] == "masterpiece [prompt]"


def test_settings_import_names_the_bad_schedule():
    with pytest.raises(DocumentError) as caught:
        deforum_settings_to_document({"max_frames": 10, "strength_schedule": "0:(open("})
    assert caught.value.path == "$.strength_schedule"
    assert caught.value.field == "strength"


def test_round_trip_settings_to_document_to_manifest_to_schedules():
    import math

    from lib_parseq.schedules import compile_document

    settings = {
        "max_frames": 50, "fps": 10,
        "strength_schedule": "0:(0.65), 25:(0.4)",
        "angle": "0:(2)",
        "zoom": "0:(1.0), 10:(1.04), 20:(1.0)",
        "noise_schedule": "0:(0.02), 30:(0.01*sin(t))",
    }
    manifest = compile_document(deforum_settings_to_document(settings))
    schedules = to_deforum_schedules(manifest, ["strength", "angle", "zoom"])
    assert schedules["strength_schedule"] == "0:(0.65), 25:(0.4), 49:(0.4)"
    assert schedules["angle"] == "0:(2), 49:(2)"
    zoom_back = parse_deforum_schedule(schedules["zoom"])
    assert [frame for frame, _ in zoom_back] == [0, 10, 20, 49]
    assert [value for _, value in zoom_back] == pytest.approx([1.0, 1.04, 1.0, 1.0])
    noise = [frame["noise"] for frame in manifest["rendered_frames"]]
    # linear from 0.02 towards the expression's value at frame 30, then the expression per frame
    assert noise[15] == pytest.approx(0.02 + (0.01 * math.sin(30) - 0.02) * 15 / 30)
    assert noise[40] == pytest.approx(0.01 * math.sin(40))
