"""Frame parameters → A1111 fields, checked against A1111's own prompt parsing (the stand-in's copy of its regexes)."""

from __future__ import annotations

import importlib.util

import pytest
from conftest import HERE

from lib_parseq.backends.a1111_mapping import (
    Overrides,
    UiValues,
    a1111_negative_prompt,
    a1111_prompt,
    infotext_params,
    overrides_of,
    processing_fields,
)
from lib_parseq.render.params import frame_params

_spec = importlib.util.spec_from_file_location("a1111_prompt_parser", HERE / "stand_in" / "modules" / "prompt_parser.py")
prompt_parser = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(prompt_parser)


def a1111_weights(prompt: str) -> list[tuple[str, float]]:
    indexes, texts, _ = prompt_parser.get_multicond_prompt_list([prompt])
    return [(texts[i].strip(), w) for i, w in indexes[0]]


@pytest.mark.parametrize(("parseq", "expected"), [
    ("a cat: 0.3333 AND a duck: 5.00000", [("a cat", 0.3333), ("a duck", 5.0)]),
    ("a cat: 2.500e-7 AND a duck: 1", [("a cat", 2.5e-7), ("a duck", 1.0)]),
    ("a cat: 0.000 AND a duck: 1", [("a duck", 1.0)]),
    ("a cat: NaN AND a duck: -0.5", [("a duck", -0.5)]),
    ("just one prompt", [("just one prompt", 1.0)]),
])
def test_positive_prompt_weights_read_by_a1111_as_parseq_meant(parseq, expected):
    got = a1111_weights(a1111_prompt(parseq))
    assert [text for text, _ in got] == [text for text, _ in expected]
    assert [w for _, w in got] == pytest.approx([w for _, w in expected])


def test_negative_prompt_has_no_and_but_keeps_weights_as_attention():
    assert a1111_negative_prompt("bad things cneg: 0.3333 AND cneg: 10.00000") == "(bad things cneg:0.3333), (cneg:10)"
    assert a1111_negative_prompt(": 1 AND : 1") == ""
    assert a1111_negative_prompt("blurry") == "blurry"
    assert "AND" not in a1111_negative_prompt("a: 1 AND b: 0 AND c: 2")


def test_deforum_prompt_split_and_fields_for_a_managed_frame():
    entry = {"frame": 3, "seed": 10.5, "subseed": 11, "subseed_strength": 0.5, "scale": 6, "strength": 0.25,
             "zoom": 1.1, "zoom_delta": 0.1, "deforum_prompt": "a: 0.5 AND b: 0.5 --neg ugly"}
    manifest = {"rendered_frames": [entry]}
    # the UI's denoise (0.6) differs from 1 - strength (0.75), so the result shows which one was used
    ui = UiValues(seed=1, subseed=2, subseed_strength=0.0, cfg_scale=7, denoising_strength=0.6, prompt="ui",
                  negative_prompt="ui neg")
    fields = processing_fields(frame_params(entry), 3, overrides_of(manifest), ui)
    assert fields == {"n_iter": 1, "batch_size": 1, "seed": 10, "subseed": 11, "subseed_strength": 0.5,
                      "cfg_scale": 6, "denoising_strength": 0.75, "prompt": "a :0.5 AND b :0.5",
                      "negative_prompt": "ugly"}
    info = infotext_params(frame_params(entry), ["seed", "scale", "strength", "zoom"])
    assert info == {"Parseq frame": 3, "Parseq values": "seed=10.5 scale=6 strength=0.25 zoom=1.1"}


def test_unmanaged_frame_keeps_ui_values_and_advances_the_seed():
    ui = UiValues(seed=40, subseed=2, subseed_strength=0.3, cfg_scale=7.5, denoising_strength=0.6, prompt="p",
                  negative_prompt="n")
    fields = processing_fields(frame_params({"frame": 5, "zoom": 1.0}), 5, Overrides(), ui)
    assert fields == {"n_iter": 1, "batch_size": 1, "seed": 45, "subseed": 2, "subseed_strength": 0.3,
                      "cfg_scale": 7.5, "denoising_strength": 0.6, "prompt": "p", "negative_prompt": "n"}
