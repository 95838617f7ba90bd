"""Noise drift (``noise_shift``) through the stand-in: A1111 draws each frame's noise with ``p.rng`` and hands it to
the always-on "Parseq noise drift" script in ``process_before_every_sampling``; the sampler must then get the slerp
of the previous frame's noise and the fresh one by the scheduled shift (checked against NumPy written out here),
the same noise at shift 0, the fresh noise at shift 1, and a continued render must get exactly the same noise."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from conftest import make_manifest
from test_script_outputs import OUT, interrupt_once_at, run_parseq, video_of

from lib_parseq.backends.a1111_ui import CONTINUE_LAST
from lib_parseq.errors import RenderError

SHAPE = (4, 6, 8)  # the latent of the 64x48 init image: 4 channels, height/8, width/8


def fresh_noise(seed: int) -> np.ndarray:
    """The stand-in ImageRNG's first draw for an integer seed (A1111's ``randn(seed, shape)``)."""
    return np.random.default_rng(seed).standard_normal(SHAPE).astype(np.float32).astype(np.float64)


def slerp_reference(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    """Slerp over the whole tensor: along the great circle from a (t=0) to b (t=1)."""
    theta = math.acos(float(np.dot(a.ravel(), b.ravel()) / (np.linalg.norm(a) * np.linalg.norm(b))))
    return (math.sin((1 - t) * theta) * a + math.sin(t * theta) * b) / math.sin(theta)


def drift_manifest(shifts, seed=lambda f: 100 + f) -> str:
    return json.dumps(make_manifest(len(shifts), seed=seed, extra=lambda f: {"noise_shift": shifts[f]}))


def sampled_noise(webui) -> list[np.ndarray]:
    return [call["noise"].astype(np.float64) for call in webui.modules.processing.calls]


def test_each_frame_starts_from_the_slerp_of_the_previous_noise_and_its_own(webui, init_image):
    shifts = [1.0, 0.25, 0.0, 0.6, 1.0]
    run_parseq(webui, init_image, {"parseq_manifest": drift_manifest(shifts)}, steps=3)
    got = sampled_noise(webui)
    assert len(got) == 5 and got[0].shape == SHAPE
    expected = [fresh_noise(100)]
    for f in range(1, 5):
        expected.append(fresh_noise(100 + f) if shifts[f] == 1 else slerp_reference(expected[-1], fresh_noise(100 + f),
                                                                                      shifts[f]))
    for f in range(5):
        np.testing.assert_allclose(got[f], expected[f], rtol=0, atol=2e-6, err_msg=f"frame {f}")
    assert np.array_equal(got[2], got[1]), "noise_shift 0 keeps the previous frame's noise"
    assert np.array_equal(got[4], fresh_noise(104).astype(np.float32)), "noise_shift 1 takes the fresh noise"
    assert not np.allclose(got[1], fresh_noise(101), atol=1e-3)


def test_without_noise_shift_every_frame_gets_its_seed_noise(webui, init_image):
    run_parseq(webui, init_image, {"parseq_manifest": json.dumps(make_manifest(3))}, steps=2)
    for f, noise in enumerate(sampled_noise(webui)):
        assert np.array_equal(noise, fresh_noise(100 + f))


def test_drift_changes_the_image_the_sampler_makes(webui, init_image):
    fresh = run_parseq(webui, init_image, {"parseq_manifest": drift_manifest([1.0, 1.0, 1.0])}, steps=2)
    drifting = run_parseq(webui, init_image, {"parseq_manifest": drift_manifest([1.0, 0.0, 0.0])}, steps=2)
    assert np.array_equal(np.asarray(fresh.images[0]), np.asarray(drifting.images[0]))
    assert np.abs(np.asarray(fresh.images[-1], dtype=int) - np.asarray(drifting.images[-1])).mean() > 1


def test_the_noise_multiplier_is_kept_and_a_variation_seed_drifts_too(webui, init_image):
    webui.modules.shared.opts.data["initial_noise_multiplier"] = 0.5
    manifest = drift_manifest([1.0, 0.5], seed=lambda f: 7.25 + f)
    run_parseq(webui, init_image, {"parseq_manifest": manifest}, steps=2)
    rng = webui.modules.rng
    fresh = [rng.ImageRNG(SHAPE, [7 + f], subseeds=[8 + f], subseed_strength=0.25).next()[0].astype(np.float64) * 0.5
             for f in range(2)]
    got = sampled_noise(webui)
    np.testing.assert_allclose(got[0], fresh[0], atol=2e-6)
    np.testing.assert_allclose(got[1], slerp_reference(fresh[0], fresh[1], 0.5), atol=2e-6)


def test_a_continued_render_gets_exactly_the_noise_of_an_uninterrupted_one(webui, init_image):
    manifest = drift_manifest([1.0, 0.3, 0.2, 0.1, 0.5, 0.05])
    whole = video_of(run_parseq(webui, init_image, {"parseq_manifest": manifest,
                                                    "parseq_output_template": "whole.mp4"}, steps=4))
    whole_noise = sampled_noise(webui)
    webui.modules.processing.calls.clear()
    interrupt_once_at(webui, 4)
    cut = video_of(run_parseq(webui, init_image, {"parseq_manifest": manifest, "parseq_output_template": "cut.mp4"},
                              steps=4))
    webui.modules.processing.calls.clear()
    run_parseq(webui, init_image, {"parseq_manifest": manifest, "parseq_unfinished": CONTINUE_LAST}, steps=4)
    resumed_noise = sampled_noise(webui)
    assert len(resumed_noise) == 2  # frames 4 and 5; frame 4's chain rebuilt from frames 0-3's seeds
    for got, expected in zip(resumed_noise, whole_noise[4:], strict=True):
        assert np.array_equal(got, expected)
    assert cut.read_bytes() == whole.read_bytes()
    assert not (webui.root / OUT / f".{cut.name}.parseq").exists()


def test_a_webui_that_never_calls_the_hook_is_an_error_not_fresh_noise(webui, init_image, monkeypatch):
    args = webui.script_args("Parseq", {"parseq_manifest": drift_manifest([1.0, 0.5])})
    runner = webui.modules.scripts.scripts_img2img
    monkeypatch.setattr(runner, "alwayson_scripts",
                        [s for s in runner.alwayson_scripts if s.title() != "Parseq noise drift"])
    with pytest.raises(RenderError, match="did not hand the initial noise"):
        webui.img2img(init_image, args, steps=2)
