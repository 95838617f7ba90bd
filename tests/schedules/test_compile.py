"""Renderer rules (spec §6, §8.1) on small hand-made documents, values worked out by hand."""

from __future__ import annotations

import math

import pytest

from lib_parseq.errors import DocumentError, EvalError, ParseError
from lib_parseq.schedules import as_manifest, compile_document, load_document
from lib_parseq.schedules.fields import LEGACY_FIELDS, MODERN_FIELDS


def doc(keyframes, managed, **extra):
    return {"options": {"output_fps": 10, "bpm": 120}, "managedFields": managed, "keyframes": keyframes, **extra}


def column(manifest, key):
    return [frame[key] for frame in manifest["rendered_frames"]]


def test_bookends_copy_the_nearest_value_and_unvalued_fields_take_the_default():
    manifest = compile_document(doc([{"frame": 0}, {"frame": 2, "x": 4}, {"frame": 4}], ["x", "strength"]))
    assert column(manifest, "x") == [4, 4, 4, 4, 4]
    assert column(manifest, "strength") == [0.6] * 5


def test_linear_interpolation_between_valued_keyframes_and_blank_cells_have_no_value():
    manifest = compile_document(doc([{"frame": 0, "x": 0}, {"frame": 2, "x": ""}, {"frame": 4, "x": "8"}], ["x"]))
    assert column(manifest, "x") == [0, 2, 4, 6, 8]


def test_interpolation_carries_forward_and_active_keyframe_moves_only_at_valued_keyframes():
    # x_i declared at the unvalued keyframe 3 gives k*10 counted from keyframe 0, until keyframe 6 (valued);
    # the unvalued last keyframe is a bookend, so k restarts there too.
    keyframes = [{"frame": 0, "x": 0}, {"frame": 3, "x_i": "k*10"}, {"frame": 6, "x": 1}, {"frame": 8}]
    manifest = compile_document(doc(keyframes, ["x"]))
    assert column(manifest, "x") == [0, 1 / 6, 2 / 6, 30, 40, 50, 0, 10, 0]


def test_delta_pc_subseed_and_key_order_within_a_frame():
    keyframes = [{"frame": 0, "zoom": 1, "seed": 10.5}, {"frame": 2, "zoom": 2, "seed": 10.5}]
    manifest = compile_document(doc(keyframes, ["zoom", "seed"]))
    first, second, third = manifest["rendered_frames"]
    assert list(first) == ["frame", "zoom", "seed", "subseed", "subseed_strength", "zoom_delta", "zoom_pc",
                           "seed_delta", "seed_pc"]
    assert (first["zoom_delta"], second["zoom_delta"], third["zoom_delta"]) == (1, 1.5, 1.5)
    assert (first["zoom_pc"], second["zoom_pc"], third["zoom_pc"]) == (50, 75, 100)
    assert (first["subseed"], first["subseed_strength"]) == (11, 0.5)
    assert (first["seed_delta"], second["seed_delta"]) == (10.5, 0)
    assert manifest["rendered_frames_meta"]["zoom"] == {"max": 2, "min": 1, "isFlat": False}


def test_no_subseed_without_a_managed_seed_and_no_prompt_when_prompts_are_missing():
    manifest = compile_document(doc([{"frame": 0, "x": 1}, {"frame": 1}], ["x"]))
    assert list(manifest["rendered_frames"][0]) == ["frame", "x", "x_delta", "x_pc"]


def test_nan_values_are_written_as_null():
    keyframes = [{"frame": 0, "x_i": '"not a number"'}, {"frame": 1}]
    manifest = compile_document(doc(keyframes, ["x"]))
    assert column(manifest, "x") == [None, None]
    assert manifest["rendered_frames_meta"]["x"] == {"max": None, "min": None, "isFlat": False}


def test_manifest_top_level_order_and_prompts():
    source = doc([{"frame": 0}, {"frame": 1}], ["x"], prompts={"positive": "a cat", "negative": "dog"})
    manifest = compile_document(source)
    assert list(manifest) == ["meta", "options", "managedFields", "displayedFields", "keyframes", "prompts",
                              "timeSeries", "keyframeLock", "reverseRender", "rendered_frames",
                              "rendered_frames_meta"]
    assert column(manifest, "deforum_prompt") == ["a cat --neg dog", "a cat --neg dog"]
    assert manifest["options"]["cadence"] == 1 and manifest["keyframeLock"] == "frames"


def test_prompt_expressions_read_field_values():
    source = doc([{"frame": 0, "w": 0}, {"frame": 2, "w": 1}], ["w"],
                 prompts={"format": "v2", "promptList": [{"positive": "(cat:${w})", "allFrames": True}]})
    assert column(compile_document(source), "deforum_prompt") == ["(cat:0.00000)", "(cat:0.50000)", "(cat:1.00000)"]


def test_fields_are_ordered_by_dependency_not_managed_order():
    keyframes = [{"frame": 0, "alpha_i": "beta * 2", "beta_i": "f + 1", "gamma_i": 'dangerous("alpha") + 1'},
                 {"frame": 2}]
    manifest = compile_document(doc(keyframes, ["gamma", "alpha", "beta"]))
    assert column(manifest, "beta") == [1, 2, 3]
    assert column(manifest, "alpha") == [2, 4, 6]
    assert column(manifest, "gamma") == [3, 5, 7]
    assert list(manifest["rendered_frames"][0])[:4] == ["frame", "gamma", "alpha", "beta"]


def test_a_field_named_like_a_builtin_is_not_a_dependency():
    # "b" is the beat count, so "a" reads beats (f / 5 at 10 fps and 120 bpm), not the field b.
    keyframes = [{"frame": 0, "a_i": "b * 2", "b_i": "a + 1"}, {"frame": 2}]
    manifest = compile_document(doc(keyframes, ["a", "b"]))
    assert column(manifest, "a") == pytest.approx([0, 0.4, 0.8])


def test_a_cycle_names_the_path_and_each_reference():
    keyframes = [{"frame": 0, "zoom_i": "1 + angle", "angle_i": "\n  zoom * 2"}, {"frame": 3}]
    with pytest.raises(DocumentError) as caught:
        compile_document(doc(keyframes, ["zoom", "angle"]))
    message = str(caught.value)
    assert "zoom → angle → zoom" in message
    assert "zoom reads angle (zoom_i at keyframe 0, 1:5)" in message
    assert "angle reads zoom (angle_i at keyframe 0, 2:3)" in message
    assert (caught.value.field, caught.value.line, caught.value.column) == ("zoom", 1, 5)


def test_reading_your_own_field_by_name_points_to_prev_computed_value():
    with pytest.raises(DocumentError, match="prev_computed_value") as caught:
        compile_document(doc([{"frame": 0, "x": 1}, {"frame": 4, "x_i": "x + 1"}], ["x"]))
    assert (caught.value.field, caught.value.frame, caught.value.column) == ("x", 4, 1)


def test_parse_errors_name_the_field_and_declaring_keyframe():
    with pytest.raises(ParseError) as caught:
        compile_document(doc([{"frame": 0, "x_i": "1 +"}, {"frame": 1}], ["x"]))
    assert caught.value.field == "x" and caught.value.frame == 0


def test_evaluation_errors_name_the_field_and_frame():
    with pytest.raises(EvalError) as caught:
        compile_document(doc([{"frame": 0, "x_i": "1 / (f - 2)"}, {"frame": 4}], ["x"]))
    assert caught.value.field == "x" and caught.value.frame == 2


def test_frame_cap_is_checked_before_evaluation():
    huge = doc([{"frame": 0, "x_i": "1/0"}, {"frame": 200}], ["x"])
    with pytest.raises(DocumentError, match="200"):
        compile_document(huge, max_frames=100)
    assert len(compile_document(doc([{"frame": 0}, {"frame": 200}], ["x"]), max_frames=201)["rendered_frames"]) == 201


def test_document_checks_are_one_error_listing_every_problem():
    with pytest.raises(DocumentError) as caught:
        load_document({"keyframes": [{"frame": 3}, {"frame": 3}, {"frame": -1}]})
    message = str(caught.value)
    assert "more than one keyframe" in message and "must not be negative" in message


def test_defaults_fill_options_fields_and_displayed_fields():
    loaded = load_document({"keyframes": [{"frame": 0, "zoom": 1}, {"frame": 5}], "options": {"output_fps": "24"}})
    assert loaded.managed_fields == MODERN_FIELDS
    assert loaded.options.fps == 24 and loaded.options.bpm == 140 and loaded.options.cadence == 1
    assert loaded.data["displayedFields"] == list(MODERN_FIELDS[:5])
    assert loaded.prompts.enabled is False


def test_keyframes_are_sorted_in_the_output():
    manifest = compile_document(doc([{"frame": 4, "x": 4}, {"frame": 0, "x": 0}], ["x"]))
    assert [kf["frame"] for kf in manifest["keyframes"]] == [0, 4]
    assert column(manifest, "x") == [0, 1, 2, 3, 4]


def test_legacy_2022_documents_use_the_legacy_vocabulary_and_prompts():
    legacy = {
        "options": {"input_fps": "", "output_fps": "", "bpm": 140},
        "prompts": {"positive": "a ${prompt_weight_1} cat", "negative": "ugly"},
        "keyframes": [
            {"frame": 0, "denoise": 0.5, "rotx": 0, "loopback_frames": "", "prompt_weight_1": 1},
            {"frame": 4, "denoise": 0.7, "rotx_i": "f*2"},
        ],
    }
    loaded = load_document(legacy)
    assert loaded.legacy and loaded.managed_fields == LEGACY_FIELDS
    assert loaded.options.fps == 20
    manifest = compile_document(legacy)
    assert column(manifest, "denoise") == pytest.approx([0.5, 0.55, 0.6, 0.65, 0.7])
    assert column(manifest, "seed") == [303] * 5
    assert column(manifest, "loopback_decay") == [0.25] * 5
    assert column(manifest, "rotx")[-1] == 8
    assert manifest["rendered_frames"][0]["deforum_prompt"] == "a 1.00000 cat --neg ugly"


def test_the_2022_readme_oscillator_example_in_a_2022_document():
    legacy = {
        "options": {"output_fps": 20},
        "prompts": {"positive": "a cat", "negative": ""},
        "keyframes": [{"frame": 0, "denoise": 0.6, "prompt_weight_2": 0, "prompt_weight_2_i": "sin(0.5, 0, 50, 0.5)"},
                      {"frame": 50, "prompt_weight_2": 0}],
    }
    weights = column(compile_document(legacy), "prompt_weight_2")
    assert weights[0] == pytest.approx(0.5) and weights[25] == pytest.approx(0.5)
    assert weights[12] == pytest.approx(0.5 + 0.5 * math.sin(12 * 2 * math.pi / 50))
    assert max(weights) == pytest.approx(0.5 + 0.5 * math.sin(12.5 * 2 * math.pi / 50), abs=0.01)


def test_prompt_travel_options_reach_the_manifest_and_are_checked():
    source = {"options": {"output_fps": 10, "bpm": 140, "prompt_blending": "embedding", "blend_method": "slerp"},
              "managedFields": ["seed"], "keyframes": [{"frame": 0, "seed": 1}, {"frame": 2}]}
    options = compile_document(source)["options"]
    assert (options["prompt_blending"], options["blend_method"]) == ("embedding", "slerp")
    source["options"]["prompt_blending"] = "latent"
    with pytest.raises(DocumentError, match=r"options.prompt_blending.*must be one of composable, embedding"):
        compile_document(source)


def test_genesis_and_noise_shift_reach_the_manifest_and_are_checked():
    source = {"options": {"output_fps": 10, "bpm": 140, "genesis": "embryo"}, "managedFields": ["seed", "noise_shift"],
              "keyframes": [{"frame": 0, "seed": 1, "noise_shift": 1}, {"frame": 4, "noise_shift": 0}]}
    manifest = compile_document(source)
    assert manifest["options"]["genesis"] == "embryo"
    assert column(manifest, "noise_shift") == pytest.approx([1.0, 0.75, 0.5, 0.25, 0.0])
    source["options"]["genesis"] = "loopback"
    with pytest.raises(DocumentError, match=r"options.genesis.*must be one of successive, fixed, embryo"):
        compile_document(source)


def test_as_manifest_passes_manifests_through_and_checks_them():
    compiled = compile_document(doc([{"frame": 0, "x": 1}, {"frame": 1}], ["x"]))
    assert as_manifest(compiled)["rendered_frames"] == compiled["rendered_frames"]
    with pytest.raises(DocumentError, match="contiguous"):
        as_manifest({"rendered_frames": [{"frame": 0}, {"frame": 2}]})


def test_unseeded_random_is_reproducible_with_a_render_seed():
    source = doc([{"frame": 0, "x_i": "rand()"}, {"frame": 20}], ["x"])
    first = column(compile_document(source, random_seed=4), "x")
    assert first == column(compile_document(source, random_seed=4), "x")
    other = column(compile_document(source, random_seed=5), "x")
    assert not all(math.isclose(a, b) for a, b in zip(first, other, strict=True))
