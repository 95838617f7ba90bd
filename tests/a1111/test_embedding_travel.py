"""Prompt travel in embedding space through the stand-in's fake text encoder and fake CFG sampler: the UNet side
sees the blended conditioning (checked against NumPy formulas written out here), one batch per step, each prompt
encoded once per render, SDXL dicts, negatives, long prompts, LoRA tags, [a:b:when] schedules and the infotext."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from conftest import make_manifest

FOX, WOLF = "a red fox", "a grey wolf"


def travel_manifest(weights, negatives=("blurry", "dark"), options=None) -> dict:
    """Frames whose prompt is ``fox: w AND wolf: 1-w --neg blurry: w AND dark: 1-w``."""
    manifest = make_manifest(len(weights), prompt=False)
    for entry, w in zip(manifest["rendered_frames"], weights, strict=True):
        entry["deforum_prompt"] = (f"{FOX}: {w} AND {WOLF}: {1 - w} --neg {negatives[0]}: {w} AND "
                                   f"{negatives[1]}: {1 - w}")
    manifest["options"].update(options or {})
    return manifest


def run(webui, init_image, manifest, **values):
    webui.build_ui()
    controls = {"parseq_manifest": json.dumps(manifest), **values}
    return webui.img2img(init_image, webui.script_args("Parseq", controls), steps=4)


def encode(webui, text: str):
    from modules.sd_models_fake import FakeSdModel

    return FakeSdModel(is_sdxl=webui.modules.shared.sd_model.is_sdxl).get_learned_conditioning([text])


def slerp_reference(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    out = np.empty_like(a, dtype=np.float64)
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        nx, ny = np.linalg.norm(x), np.linalg.norm(y)
        theta = math.acos(float(np.clip((x / nx) @ (y / ny), -1, 1)))
        if theta < 1e-6:  # the same token (start, end padding) in both prompts
            out[i] = (1 - t) * x + t * y
            continue
        direction = (math.sin((1 - t) * theta) * x / nx + math.sin(t * theta) * y / ny) / math.sin(theta)
        out[i] = direction * ((1 - t) * nx + t * ny)
    return out


def calls_of_frame(webui, frame: int, steps_per_frame: int):
    calls = webui.modules.processing.unet_calls
    return calls[frame * steps_per_frame:(frame + 1) * steps_per_frame]


@pytest.mark.parametrize("method", ["lerp", "slerp"])
def test_the_unet_sees_the_blend_of_the_encoded_prompts(webui, init_image, method):
    m = webui.modules
    manifest = travel_manifest([1.0, 0.75, 0.25], options={"prompt_blending": "embedding", "blend_method": method})
    processed = run(webui, init_image, manifest)
    steps = len(m.processing.unet_calls) // 3
    fox, wolf = encode(webui, FOX)[0], encode(webui, WOLF)[0]
    blurry, dark = encode(webui, "blurry")[0], encode(webui, "dark")[0]
    for frame, w in ((0, 1.0), (1, 0.75), (2, 0.25)):
        for call in calls_of_frame(webui, frame, steps):
            assert call["rows"] == 2 and call["cond"].shape == (1, 77, fox.shape[1])
            if method == "lerp":
                expected, expected_neg = w * fox + (1 - w) * wolf, w * blurry + (1 - w) * dark
            else:
                expected, expected_neg = slerp_reference(fox, wolf, 1 - w), slerp_reference(blurry, dark, 1 - w)
            np.testing.assert_allclose(call["cond"][0], expected, rtol=1e-5, atol=1e-5)
            np.testing.assert_allclose(call["uncond"][0], expected_neg, rtol=1e-5, atol=1e-5)
    assert f"Parseq blend: \"{method}; {FOX} 0.75 | {WOLF} 0.25; neg: blurry 0.75 | dark 0.25\"" in \
        processed.infotexts[1]
    assert "embedding travel: LoRA tags" in processed.info


def test_composable_mode_costs_a_unet_row_per_prompt_and_embedding_one(webui, init_image):
    m = webui.modules
    run(webui, init_image, travel_manifest([0.5, 0.5]))
    assert {call["rows"] for call in m.processing.unet_calls} == {3}
    m.processing.unet_calls.clear()
    run(webui, init_image, travel_manifest([0.5, 0.5]), parseq_prompt_blending="embedding")
    assert {call["rows"] for call in m.processing.unet_calls} == {2}


def test_each_prompt_is_encoded_once_per_render(webui, init_image):
    model = webui.modules.shared.sd_model
    run(webui, init_image, travel_manifest([1.0, 0.9, 0.8, 0.7, 0.6]), parseq_prompt_blending="embedding")
    encoded = [text.strip() for text in model.encoded]
    assert encoded.count(WOLF) == 1 and encoded.count("dark") == 1


def test_the_settings_default_applies_and_the_script_choice_wins(webui, init_image):
    m = webui.modules
    webui.build_ui()
    m.shared.opts.set("parseq_prompt_blending", "embedding")
    run(webui, init_image, travel_manifest([0.5, 0.5]))
    assert {call["rows"] for call in m.processing.unet_calls} == {2}
    m.processing.unet_calls.clear()
    run(webui, init_image, travel_manifest([0.5, 0.5]), parseq_prompt_blending="composable")
    assert {call["rows"] for call in m.processing.unet_calls} == {3}


def test_sdxl_dicts_blend_crossattn_and_pooled_vector(webui, init_image):
    from modules.sd_models_fake import FakeSdModel

    m = webui.modules
    m.shared.sd_model = FakeSdModel(is_sdxl=True)
    run(webui, init_image, travel_manifest([0.75]), parseq_prompt_blending="embedding")
    fox, wolf = encode(webui, FOX), encode(webui, WOLF)
    for call in m.processing.unet_calls:
        assert call["rows"] == 2 and set(call["cond"]) == {"crossattn", "vector"}
        np.testing.assert_allclose(call["cond"]["crossattn"][0], 0.75 * fox["crossattn"][0] + 0.25 * wolf["crossattn"][0],
                                   rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(call["cond"]["vector"][0], 0.75 * fox["vector"][0] + 0.25 * wolf["vector"][0],
                                   rtol=1e-5, atol=1e-5)


def test_prompts_of_different_lengths_are_padded_with_the_empty_chunk(webui, init_image):
    m = webui.modules
    long_text = " ".join(f"word{i}" for i in range(100))
    manifest = travel_manifest([0.5])
    manifest["rendered_frames"][0]["deforum_prompt"] = f"{FOX}: 0.5 AND {long_text}: 0.5 --neg blurry"
    run(webui, init_image, manifest, parseq_prompt_blending="embedding")
    fox, long_cond, empty = encode(webui, FOX)[0], encode(webui, long_text)[0], encode(webui, "")[0]
    for call in m.processing.unet_calls:
        assert call["rows"] == 2 and call["cond"].shape[1] == 154 and call["uncond"].shape[1] == 154
        padded_fox = np.concatenate([fox, empty])
        np.testing.assert_allclose(call["cond"][0], 0.5 * padded_fox + 0.5 * long_cond, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(call["uncond"][0], np.concatenate([encode(webui, "blurry")[0], empty]),
                                   rtol=1e-5, atol=1e-5)


def test_lora_tags_apply_and_schedules_switch_per_step(webui, init_image):
    m = webui.modules
    manifest = travel_manifest([0.5])
    manifest["rendered_frames"][0]["deforum_prompt"] = "[cat:dog:0.2]: 0.5 AND a hat <lora:style:0.8>: 0.5"
    webui.build_ui()
    args = webui.script_args("Parseq", {"parseq_manifest": json.dumps(manifest),
                                        "parseq_prompt_blending": "embedding"})
    webui.img2img(init_image, args, steps=10)
    assert m.processing.calls[-1]["extra_networks"] == {"lora": [["style", "0.8"]]}
    cat, dog, hat = encode(webui, "cat")[0], encode(webui, "dog")[0], encode(webui, "a hat ")[0]
    first, last = m.processing.unet_calls[0], m.processing.unet_calls[-1]
    np.testing.assert_allclose(first["cond"][0], 0.5 * cat + 0.5 * hat, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(last["cond"][0], 0.5 * dog + 0.5 * hat, rtol=1e-5, atol=1e-5)


def test_the_summary_names_embedding_travel_and_its_limits():
    from lib_parseq.backends.a1111_summary import describe_manifest

    summary = describe_manifest(travel_manifest([1.0], options={"prompt_blending": "embedding", "blend_method": "slerp"}))
    assert "Prompt blending: embedding (slerp)" in summary and "LoRA tags apply at their own weights" in summary
    assert "Prompt blending" not in describe_manifest(travel_manifest([1.0]))


def test_forge_falls_back_to_composable_with_a_visible_note(webui, init_image, monkeypatch):
    from lib_parseq.backends import a1111_embedding

    m = webui.modules
    monkeypatch.setattr(a1111_embedding, "is_forge", lambda: True)
    processed = run(webui, init_image, travel_manifest([0.5]), parseq_prompt_blending="embedding")
    assert {call["rows"] for call in m.processing.unet_calls} == {3}
    assert "embedding travel is not available on Forge: composable prompts are used" in processed.info
