"""Genesis in the img2img script (the "Genesis" control, after every other control, or the manifest's option):
fixed sends the init image to img2img for every frame, embryo first makes one common image from the middle frame
and sends that for every frame (not shown, saved or counted as a frame); successive feeds each output back."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import make_manifest
from test_script_outputs import run_parseq, video_of

from lib_parseq.errors import RenderError

STILL = {"zoom": 1.0}  # no camera motion: a frame started from the init image gets exactly the init image


def still_manifest(count: int, **options) -> str:
    manifest = make_manifest(count, extra=lambda f: STILL)
    manifest["options"].update(options)
    return json.dumps(manifest)


def init_means(webui) -> list[float]:
    return [call["init_mean"] for call in webui.modules.processing.calls]


def flattened_mean(init_image) -> float:
    return float(np.asarray(init_image.convert("RGB")).mean())


def test_successive_sends_each_output_back(webui, init_image):
    run_parseq(webui, init_image, {"parseq_manifest": still_manifest(3)}, steps=2)
    means = init_means(webui)
    assert means[0] == pytest.approx(flattened_mean(init_image))
    assert means[1] != pytest.approx(means[0], abs=0.5) and means[2] != pytest.approx(means[1], abs=0.5)


def test_fixed_sends_the_init_image_for_every_frame(webui, init_image):
    processed = run_parseq(webui, init_image, {"parseq_manifest": still_manifest(4), "parseq_genesis": "fixed"},
                           steps=2)
    calls = webui.modules.processing.calls
    assert [c["seed"] for c in calls] == [100, 101, 102, 103]
    assert init_means(webui) == pytest.approx([flattened_mean(init_image)] * 4)
    assert "4 of 4 frames" in processed.info


def test_the_manifest_option_chooses_fixed_and_the_control_overrides_it(webui, init_image):
    run_parseq(webui, init_image, {"parseq_manifest": still_manifest(3, genesis="fixed")}, steps=2)
    assert init_means(webui) == pytest.approx([flattened_mean(init_image)] * 3)
    webui.modules.processing.calls.clear()
    run_parseq(webui, init_image, {"parseq_manifest": still_manifest(3, genesis="fixed"),
                                   "parseq_genesis": "successive"}, steps=2)
    assert init_means(webui)[2] != pytest.approx(flattened_mean(init_image), abs=0.5)


def test_embryo_is_one_common_image_made_first_from_the_middle_frame(webui, init_image, tmp_path):
    processed = run_parseq(webui, init_image, {"parseq_manifest": still_manifest(5), "parseq_genesis": "embryo",
                                               "parseq_save_frames": True}, steps=2)
    calls = webui.modules.processing.calls
    assert [c["seed"] for c in calls] == [102, 100, 101, 102, 103, 104]  # the embryo is frame 2's
    means = init_means(webui)
    assert means[0] == pytest.approx(flattened_mean(init_image))
    assert means[1:] == pytest.approx([means[1]] * 5) and means[1] != pytest.approx(means[0], abs=0.5)
    video = video_of(processed)
    frames = sorted((video.parent / f"{video.stem}-frames").glob("*.png"))
    assert [f.stem for f in frames] == ["00000", "00001", "00002", "00003", "00004"]
    assert len(processed.images) == 5 and "5 of 5 frames" in processed.info


def test_fixed_without_an_init_image_starts_from_grey(webui):
    run_parseq(webui, None, {"parseq_manifest": still_manifest(2), "parseq_genesis": "fixed"}, steps=2,
               width=64, height=48)
    assert init_means(webui) == pytest.approx([128.0, 128.0])
    with pytest.raises(RenderError, match="loopback needs an init image"):
        run_parseq(webui, None, {"parseq_manifest": still_manifest(2)}, steps=2, width=64, height=48)


def test_an_unknown_genesis_over_the_api_is_refused(webui, init_image):
    with pytest.raises(RenderError, match="genesis must be one of Default, successive, fixed, embryo"):
        run_parseq(webui, init_image, {"parseq_manifest": still_manifest(2), "parseq_genesis": "sideways"})
