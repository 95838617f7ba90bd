"""The motion toolkit and init masks through the img2img script (A1111 1.10.1 stand-in)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import make_manifest
from PIL import Image

from lib_parseq.errors import RenderError
from lib_parseq.video import VideoWriter
from lib_parseq.video.probe import probe_video


def _frames(path):
    from lib_parseq.video import VideoReader

    with VideoReader(probe_video(path)) as reader:
        yield from (frame.copy() for frame in reader)


def run_parseq(webui, init_image, values: dict, **p_fields):
    return webui.img2img(init_image, webui.script_args("Parseq", values), **p_fields)


@pytest.fixture()
def seen_masks(webui, monkeypatch):
    """What each ``process_images`` call saw of the img2img mask fields."""
    processing = webui.modules.processing
    original = processing.process_images
    seen: list[dict] = []

    def spy(p):
        mask = p.image_mask
        seen.append({"mask": None if mask is None else np.asarray(mask.convert("L")).copy(),
                     "blur": (p.mask_blur_x, p.mask_blur_y), "invert": p.inpainting_mask_invert})
        return original(p)

    monkeypatch.setattr(processing, "process_images", spy)
    return seen


def half_mask(width: int = 64, height: int = 48) -> Image.Image:
    mask = np.zeros((height, width), np.uint8)
    mask[:, width // 2 :] = 255
    return Image.fromarray(mask, mode="L")


def test_a_mask_image_becomes_the_img2img_mask_with_blur_and_invert(webui, init_image, seen_masks):
    run_parseq(webui, init_image, {"parseq_manifest": json.dumps(make_manifest(3)), "parseq_mask_source": "mask image",
                                   "parseq_mask_image": half_mask(), "parseq_mask_blur": 6, "parseq_mask_invert": True})
    assert len(seen_masks) == 3
    for seen in seen_masks:
        assert (seen["mask"][:, :32] == 0).all() and (seen["mask"][:, 32:] == 255).all()
        assert seen["blur"] == (6, 6) and seen["invert"] == 1


def test_without_a_mask_source_the_img2img_mask_is_left_alone(webui, init_image, seen_masks):
    run_parseq(webui, init_image, {"parseq_manifest": json.dumps(make_manifest(2))})
    assert [s["mask"] for s in seen_masks] == [None, None]


def test_the_init_images_alpha_is_the_mask_and_overlay_keeps_the_init_outside_it(webui, init_image, seen_masks):
    rgba = init_image.convert("RGBA")
    alpha = np.zeros((48, 64), np.uint8)
    alpha[10:30, 20:50] = 255
    rgba.putalpha(Image.fromarray(alpha))
    run_parseq(webui, rgba, {"parseq_manifest": json.dumps(make_manifest(3, strength=lambda f: 0.0)),
                             "parseq_mask_source": "init alpha", "parseq_mask_overlay": True, "parseq_mask_blur": 0,
                             "parseq_save_frames": True})
    assert all(np.array_equal(s["mask"], alpha) for s in seen_masks)
    frames_dir = next(webui.root.glob("outputs/img2img-images/*-frames"))
    original = np.asarray(init_image.convert("RGB")).astype(int)
    for path in sorted(frames_dir.glob("*.png")):
        frame = np.asarray(Image.open(path).convert("RGB")).astype(int)
        outside = alpha == 0
        assert np.array_equal(frame[outside], original[outside])
        assert np.abs(frame[alpha == 255] - original[alpha == 255]).mean() > 5  # generated inside


def test_init_alpha_without_alpha_is_a_clear_error(webui, init_image):
    # The UI always gives RGBA images; an RGB image without alpha comes through the API.
    with pytest.raises(RenderError, match="has no alpha channel"):
        run_parseq(webui, init_image.convert("RGB"), {"parseq_manifest": json.dumps(make_manifest(2)),
                                                      "parseq_mask_source": "init alpha"}, source="api")


def test_a_mask_video_gives_one_mask_frame_per_frame(webui, init_image, seen_masks, tmp_path):
    path = tmp_path / "mask.mp4"
    writer = VideoWriter(path, 64, 48, 10, crf=0, preset="ultrafast")
    for f in range(4):  # a white band 16 px wide moving right 16 px per frame
        frame = np.zeros((48, 64, 3), np.uint8)
        frame[:, 16 * f : 16 * f + 16] = 255
        writer.write(frame)
    writer.close()
    run_parseq(webui, init_image, {"parseq_manifest": json.dumps(make_manifest(4)), "parseq_mask_source": "mask video",
                                   "parseq_mask_video": str(path)})
    lit = [int(np.argmax(s["mask"].mean(axis=0) > 127)) for s in seen_masks]
    assert lit == pytest.approx([0, 16, 32, 48], abs=2)


def test_cadence_sampling_and_greyscale_reach_the_render(webui, init_image):
    m = webui.modules
    seen = []
    m.script_callbacks.on_cfg_denoiser(lambda params: seen.append((m.shared.state.job, m.shared.state.job_count)))
    manifest = make_manifest(6, extra=lambda f: {"angle": 7.0 * f})
    run_parseq(webui, init_image, {"parseq_manifest": json.dumps(manifest), "parseq_cadence": 2,
                                   "parseq_output_template": "turbo.mp4"}, steps=2)
    assert len(m.processing.calls) == 3
    assert sorted(set(seen)) == [(f"Frame {i}/3", 3) for i in range(1, 4)]  # the progress counts backend calls
    assert probe_video(webui.root / "outputs" / "img2img-images" / "turbo.mp4").frame_count == 6
    processed = run_parseq(webui, init_image, {"parseq_manifest": json.dumps(manifest), "parseq_dry_run": True,
                                               "parseq_sampling": "nearest", "parseq_greyscale": True,
                                               "parseq_output_template": "grey.mp4"})
    last = np.asarray(processed.images[-1].convert("RGB")).astype(int)
    assert (last[:, :, 0] == last[:, :, 1]).all() and (last[:, :, 1] == last[:, :, 2]).all()
    grey_init = set(np.unique(np.asarray(init_image.convert("L"))).tolist())
    assert set(np.unique(last[:, :, 0]).tolist()) <= grey_init  # nearest sampling: no new levels


def test_a_keyframed_cadence_in_the_manifest_is_followed_unless_the_script_sets_one(webui, init_image):
    m = webui.modules
    manifest = make_manifest(12, extra=lambda f: {"cadence": 1 if f < 4 else 4})  # diffuses 0, 1, 2, 3, 4, 8
    for cadence, calls, name in ((0, 6, "schedule.mp4"), (3, 4, "three.mp4")):
        before = len(m.processing.calls)
        run_parseq(webui, init_image, {"parseq_manifest": json.dumps(manifest), "parseq_cadence": cadence,
                                       "parseq_output_template": name}, steps=2)
        assert len(m.processing.calls) - before == calls
        assert probe_video(webui.root / "outputs" / "img2img-images" / name).frame_count == 12


def test_hybrid_video_through_the_script(webui, init_image, small_video):
    manifest = make_manifest(8, strength=lambda f: 1.0, extra=lambda f: {"hybrid_comp_alpha": 1.0})
    run_parseq(webui, init_image, {"parseq_manifest": json.dumps(manifest), "parseq_input_video": str(small_video),
                                   "parseq_hybrid": True, "parseq_hybrid_composite": "normal",
                                   "parseq_hybrid_motion": "optical_flow", "parseq_output_template": "hybrid.mp4"})
    calls = webui.modules.processing.calls
    assert len(calls) == 8
    assert probe_video(webui.root / "outputs" / "img2img-images" / "hybrid.mp4").frame_count == 8
    assert len({round(c["init_mean"], 1) for c in calls[1:]}) > 1  # each frame takes in its video frame
    processed = run_parseq(webui, init_image, {
        "parseq_manifest": json.dumps(manifest), "parseq_input_video": str(small_video), "parseq_hybrid": True,
        "parseq_dry_run": True, "parseq_hybrid_first_frame_init": True, "parseq_hybrid_composite": "normal",
        "parseq_hybrid_mask": "difference", "parseq_hybrid_mask_invert": True, "parseq_hybrid_mask_equalise": "both",
        "parseq_hybrid_mask_auto_contrast": True, "parseq_hybrid_use_previous_image": True,
        "parseq_output_template": "hybrid-first.mp4"})
    first_video_frame = next(iter(_frames(small_video)))
    assert np.abs(np.asarray(processed.images[0].convert("RGB")).astype(int) - first_video_frame).max() <= 2
    with pytest.raises(RenderError, match="hybrid video needs an input video"):
        run_parseq(webui, init_image, {"parseq_manifest": json.dumps(manifest), "parseq_hybrid": True})


def _base64_png(image: Image.Image) -> str:
    import base64
    import io

    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


@pytest.mark.parametrize("prefix", ["", "data:image/png;base64,"])
def test_an_api_callers_base64_mask_image_becomes_the_img2img_mask(webui, init_image, seen_masks, prefix):
    """``/sdapi/v1/img2img`` hands ``script_args`` to the script undecoded: the mask image arrives as base64 text."""
    run_parseq(webui, init_image, {"parseq_manifest": json.dumps(make_manifest(2)), "parseq_mask_source": "mask image",
                                   "parseq_mask_image": prefix + _base64_png(half_mask())}, source="api")
    assert len(seen_masks) == 2
    for seen in seen_masks:
        assert (seen["mask"][:, :32] == 0).all() and (seen["mask"][:, 32:] == 255).all()


def test_a_mask_image_text_that_is_not_base64_is_refused_and_never_opened_as_a_path(webui, init_image, tmp_path):
    path = tmp_path / "mask.png"
    half_mask().save(path)
    with pytest.raises(RenderError, match="mask image is not a base64-encoded image"):
        run_parseq(webui, init_image, {"parseq_manifest": json.dumps(make_manifest(2)),
                                       "parseq_mask_source": "mask image", "parseq_mask_image": str(path)},
                   source="api")
