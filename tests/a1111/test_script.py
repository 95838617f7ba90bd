"""The Parseq img2img script loaded, built and run through the A1111 stand-in exactly as A1111 1.10.1 would."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import EXTENSION_NAME, make_manifest
from PIL import Image

from lib_parseq.video.probe import probe_video


def run_parseq(webui, init_image, values: dict, **p_fields):
    args = webui.script_args("Parseq", values)
    return webui.img2img(init_image, args, **p_fields)


def test_loaded_as_a1111_loads_it(webui, repo_root):
    m = webui.modules
    ext_dir = str(webui.root / "extensions" / EXTENSION_NAME)
    loaded = [d for d in m.scripts.scripts_data if d.path.endswith("parseq_script.py")]
    assert len(loaded) == 1
    assert loaded[0].module.__name__ == "parseq_script.py"
    assert loaded[0].basedir == ext_dir
    assert ext_dir not in sys.path
    assert [r for r in m.errors.reported if "parseq_script" in r] == []


def test_every_extension_file_loads_and_builds_without_errors(webui):
    webui.build_ui()
    assert webui.modules.errors.reported == []


def test_shown_on_img2img_only_with_the_manifest_box(webui):
    import gradio as gr

    demo = webui.build_ui()
    assert isinstance(demo, gr.Blocks)
    m = webui.modules
    assert "Parseq" in [s.title() for s in m.scripts.scripts_img2img.selectable_scripts]
    assert "Parseq" not in [s.title() for s in m.scripts.scripts_txt2img.scripts]
    script = webui.script("Parseq")
    controls = script.controls
    assert controls[0].elem_id == "parseq_manifest"
    assert m.scripts.scripts_img2img.inputs[script.args_from:script.args_to] == controls
    assert script.group is not None
    assert any(getattr(block, "elem_id", None) == "parseq_manifest_summary" for block in demo.blocks.values())
    assert "parseq_output_template" in m.shared.opts.data_labels


def test_summary_reports_frames_overrides_and_errors(webui, manifest_json):
    from lib_parseq.backends.a1111_summary import summarize

    text = summarize(manifest_json)
    assert "6 frames (0–5) at 10 fps" in text
    assert "Seed" in text and "CFG scale" in text and "Denoising strength" in text and "Prompt" in text
    assert "Sampling steps" in text
    bad = summarize('{"rendered_frames": [{"frame": 0, "seed": 1}, {"frame": 2, "seed": 1}]')
    assert bad.startswith("Error:")
    assert summarize("not json").startswith("Error:")
    assert "downloaded" in summarize("https://example.com/doc.json")


def test_loopback_sets_each_frame_from_the_manifest(webui, init_image, manifest_json):
    processed = run_parseq(webui, init_image, {"parseq_manifest": manifest_json},
                           prompt="ui prompt", negative_prompt="ui negative", cfg_scale=9, denoising_strength=0.9,
                           steps=10)
    m = webui.modules
    calls = m.processing.calls
    manifest = json.loads(manifest_json)
    assert len(calls) == 6
    for f, call in enumerate(calls):
        entry = manifest["rendered_frames"][f]
        assert call["seed"] == entry["seed"]
        assert call["cfg_scale"] == entry["scale"]
        assert call["denoising_strength"] == pytest.approx(1 - entry["strength"])
        assert call["n_iter"] == 1 and call["batch_size"] == 1
        assert call["do_not_save_samples"] and call["do_not_save_grid"]
        assert call["steps"] == 10
        assert call["negative_prompt"] == "blurry, (low quality:0.5)"
        indexes, texts, _ = m.prompt_parser.get_multicond_prompt_list([call["prompt"]])
        weights = {texts[i].strip(): w for i, w in indexes[0]}
        w = f / 5
        expected = {k: v for k, v in {"a red fox": round(1 - w, 4), "a blue bird": round(w, 4)}.items() if v}
        assert weights == pytest.approx(expected)
    # loopback: each frame's input is the previous output (warped), not the original init image again
    assert calls[0]["init_size"] == (64, 48)
    assert len({round(c["init_mean"], 3) for c in calls}) == 6
    video = probe_video(processed.info.split("Parseq video: ")[1].split(" (")[0])
    assert video.frame_count == 6 and (video.width, video.height) == (64, 48)
    assert "6 of 6 frames" in processed.info
    assert "Parseq frame: 0" in processed.infotexts[0] and "Parseq values: seed=100 scale=4" in processed.infotexts[0]
    assert m.errors.reported == [] or all("parseq_script" not in r for r in m.errors.reported)


def test_frame_seed_changes_only_that_frame(webui, init_image, tmp_path):
    def frames_for(seed_of):
        webui.modules.processing.calls.clear()
        manifest = make_manifest(4, seed=seed_of)
        processed = run_parseq(webui, init_image, {"parseq_manifest": json.dumps(manifest),
                                                   "parseq_save_frames": True}, steps=4)
        folder = next(webui.root.glob("outputs/img2img-images/*-frames"))
        arrays = [np.asarray(Image.open(folder / f"{f:05d}.png")) for f in range(4)]
        infos = [Image.open(folder / f"{f:05d}.png").info["parameters"] for f in range(4)]
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
        return processed, arrays, infos

    _, base, base_infos = frames_for(lambda f: 100 + f)
    _, again, _ = frames_for(lambda f: 100 + f)
    _, changed, changed_infos = frames_for(lambda f: 777 if f == 2 else 100 + f)
    assert all(np.array_equal(a, b) for a, b in zip(base, again, strict=True))
    assert np.array_equal(base[0], changed[0]) and np.array_equal(base[1], changed[1])
    assert not np.array_equal(base[2], changed[2])
    assert "Seed: 102" in base_infos[2] and "Seed: 777" in changed_infos[2]
    assert "Parseq frame: 2" in changed_infos[2] and "seed=777" in changed_infos[2]


def test_unmanaged_settings_keep_ui_values_and_seed_advances_like_loopback(webui, init_image):
    manifest = make_manifest(4, seed=None, scale=None, strength=None, prompt=False)
    run_parseq(webui, init_image, {"parseq_manifest": json.dumps(manifest)}, prompt="ui prompt AND x :0.5",
               negative_prompt="ui neg", cfg_scale=9, denoising_strength=0.3, seed=-1, subseed=55,
               subseed_strength=0.2)
    calls = webui.modules.processing.calls
    first = calls[0]["seed"]
    assert first != -1
    assert [c["seed"] for c in calls] == [first, first + 1, first + 2, first + 3]
    assert {c["subseed"] for c in calls} == {55} and {c["subseed_strength"] for c in calls} == {0.2}
    assert {c["cfg_scale"] for c in calls} == {9}
    assert {c["denoising_strength"] for c in calls} == {0.3}
    assert {c["prompt"] for c in calls} == {"ui prompt AND x :0.5"}
    assert {c["negative_prompt"] for c in calls} == {"ui neg"}


def test_seed_minus_one_in_the_manifest_draws_a_random_seed_per_frame(webui, init_image):
    manifest = make_manifest(4, seed=lambda f: -1 if f % 2 else 5)
    processed = run_parseq(webui, init_image, {"parseq_manifest": json.dumps(manifest)})
    seeds = [c["seed"] for c in webui.modules.processing.calls]
    assert seeds[0] == 5 and seeds[2] == 5
    assert seeds[1] != -1 and seeds[3] != -1 and seeds[1] != seeds[3]
    assert f"Seed: {seeds[1]}," in processed.infotexts[1]


def test_state_progress_and_color_correction_per_frame(webui, init_image, manifest_json):
    m = webui.modules
    m.shared.opts.img2img_color_correction = True
    seen = []

    def on_step(params):
        state = m.shared.state
        seen.append((state.job, state.job_count, state.job_no))

    m.script_callbacks.on_cfg_denoiser(on_step)
    run_parseq(webui, init_image, {"parseq_manifest": manifest_json}, steps=4)
    jobs = sorted({job for job, _, _ in seen})
    assert jobs == [f"Frame {i}/6" for i in range(1, 7)]
    assert {count for _, count, _ in seen} == {6}
    assert [no for job, _, no in seen if job == "Frame 3/6"][0] == 2
    assert all(c["color_corrections"] for c in m.processing.calls)


@pytest.mark.parametrize(("how", "expected_frames"), [("interrupt", 3), ("skip", 3), ("interrupt_button", 4)])
def test_stopping_mid_render_keeps_a_playable_video(webui, init_image, how, expected_frames):
    m = webui.modules
    state = m.shared.state

    def on_step(params):
        if state.job_no == 3 and params.sampling_step == 1:
            {"interrupt": state.interrupt, "skip": state.skip, "interrupt_button": webui.interrupt_button}[how]()

    m.script_callbacks.on_cfg_denoiser(on_step)
    manifest = make_manifest(10)
    processed = run_parseq(webui, init_image, {"parseq_manifest": json.dumps(manifest)}, steps=8)
    assert len(m.processing.calls) == 4
    videos = list(webui.root.glob("outputs/img2img-images/*.mp4"))
    assert len(videos) == 1
    assert probe_video(videos[0]).frame_count == expected_frames
    assert f"{expected_frames} of 10 frames, stopped early: choose \"Continue" in processed.info
    assert [p.name for p in webui.root.glob("outputs/img2img-images/.*.parseq")] == [f".{videos[0].name}.parseq"]


def test_vid2vid_reads_each_video_frame(webui, init_image, small_video):
    manifest = make_manifest(8, strength=lambda f: 1.0)
    processed = run_parseq(webui, init_image, {"parseq_manifest": json.dumps(manifest),
                                               "parseq_input_video": str(small_video),
                                               "parseq_output_template": "clips/vid2vid.mp4"})
    calls = webui.modules.processing.calls
    assert len(calls) == 8
    assert {c["denoising_strength"] for c in calls} == {0.0}
    out = webui.root / "outputs" / "img2img-images" / "clips" / "vid2vid.mp4"
    info = probe_video(out)
    assert info.frame_count == 8 and (info.width, info.height) == (64, 48)
    # denoise 0: the outputs are the (zoomed) input frames, which move, unlike a loopback of a still image
    assert len({round(c["init_mean"], 2) for c in calls}) > 1
    assert str(out) in processed.info


def test_frame_range_fps_dry_run_and_bounded_gallery(webui, init_image):
    m = webui.modules
    webui.build_ui()
    m.shared.opts.set("parseq_keep_last", 2)
    manifest = make_manifest(12)
    processed = run_parseq(webui, init_image, {"parseq_manifest": json.dumps(manifest), "parseq_script_first_frame": 3,
                                               "parseq_script_last_frame": 8, "parseq_dry_run": True, "parseq_script_fps": 24})
    assert m.processing.calls == []
    assert len(processed.images) == 3
    assert [t.split("Parseq frame: ")[1].split(",")[0] for t in processed.infotexts] == ["3", "7", "8"]
    video = next(webui.root.glob("outputs/img2img-images/*.mp4"))
    info = probe_video(video)
    assert info.frame_count == 6 and info.source_fps == pytest.approx(24)


def test_user_errors_are_clear(webui, init_image):
    from lib_parseq.errors import DocumentError, RenderError

    with pytest.raises(DocumentError, match="http"):
        run_parseq(webui, init_image, {"parseq_manifest": "/etc/passwd"})
    with pytest.raises(DocumentError, match="JSON text or an http"):
        run_parseq(webui, init_image, {"parseq_manifest": "file:///etc/passwd"})
    with pytest.raises(DocumentError, match="no manifest"):
        run_parseq(webui, init_image, {})
    with pytest.raises(RenderError, match="does not exist"):
        run_parseq(webui, init_image, {"parseq_manifest": json.dumps(make_manifest(3)),
                                       "parseq_input_video": "/nonexistent/video.mp4"})
    with pytest.raises(RenderError, match="may not contain"):
        run_parseq(webui, init_image, {"parseq_manifest": json.dumps(make_manifest(3)),
                                       "parseq_output_template": "../escape.mp4"})


def test_uploaded_file_is_used_when_the_box_is_empty(webui, init_image, tmp_path):
    path = tmp_path / "upload.json"
    path.write_text(json.dumps(make_manifest(3)))
    run_parseq(webui, init_image, {"parseq_script_manifest_file": str(path)})
    assert [c["seed"] for c in webui.modules.processing.calls] == [100, 101, 102]


def test_renders_with_the_default_relative_output_folder(webui, init_image):
    m = webui.modules
    assert m.shared.opts.outdir_img2img_samples == "outputs/img2img-images"
    assert m.shared.opts.outdir_samples == ""
    processed = run_parseq(webui, init_image, {"parseq_manifest": json.dumps(make_manifest(3))})
    video = Path(processed.info.split("Parseq video: ")[1].split(" (")[0])
    assert video.parent == webui.root / "outputs" / "img2img-images"
    assert probe_video(video).frame_count == 3


def test_no_init_image_gives_the_clear_message(webui):
    from lib_parseq.errors import RenderError

    with pytest.raises(RenderError, match="loopback needs an init image"):
        run_parseq(webui, None, {"parseq_manifest": json.dumps(make_manifest(3))})
    assert webui.modules.processing.calls == []


@pytest.mark.parametrize("mode", ["L", "LA", "P", "RGBA"])
def test_api_init_images_of_any_mode_render_with_color_correction(webui, init_image, mode):
    m = webui.modules
    m.shared.opts.img2img_color_correction = True
    image = init_image.convert(mode)
    processed = run_parseq(webui, image, {"parseq_manifest": json.dumps(make_manifest(3))}, source="api")
    calls = m.processing.calls
    assert len(calls) == 3 and all(c["color_corrections"] for c in calls)
    assert "3 of 3 frames" in processed.info
    assert calls[0]["init_mean"] == pytest.approx(np.asarray(image.convert("RGB")).mean(), abs=1.0)


def test_transparent_ui_image_is_flattened_on_the_background_colour(webui):
    m = webui.modules
    image = Image.new("RGBA", (64, 48), (200, 10, 10, 0))
    run_parseq(webui, image, {"parseq_manifest": json.dumps(make_manifest(2, strength=lambda f: 1.0)),
                              "parseq_dry_run": False})
    assert m.shared.opts.img2img_background_color == "#ffffff"
    assert m.processing.calls[0]["init_mean"] == pytest.approx(255, abs=1.0)
