"""The bundled example through the script, and a Generate click over HTTP: values pass through gradio's own
preprocessing (a real file upload included) on their way to run()."""

from __future__ import annotations

import json

import pytest
from conftest import make_manifest

from lib_parseq.video.probe import probe_video


def test_orbit_example_renders_from_the_keyframe_document(webui, repo_root):
    from PIL import Image

    doc = (repo_root / "examples" / "orbit.json").read_text()
    args = webui.script_args("Parseq", {"parseq_manifest": doc, "parseq_script_last_frame": 4})
    init = Image.open(repo_root / "examples" / "init.png").convert("RGB").resize((64, 64))
    processed = webui.img2img(init, args, steps=4)
    calls = webui.modules.processing.calls
    assert len(calls) == 5
    manifest = json.loads((repo_root / "examples" / "orbit.manifest.json").read_text())
    for call, entry in zip(calls, manifest["rendered_frames"], strict=False):
        assert call["cfg_scale"] == pytest.approx(entry["scale"])
        assert call["denoising_strength"] == pytest.approx(1 - entry["strength"])
    assert "5 of 5 frames" in processed.info


@pytest.mark.slow
def test_generate_button_over_http(webui, audio_file):
    from gradio_client import Client
    from PIL import Image

    demo = webui.build_ui()
    demo.queue()
    _, url, _ = demo.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True)
    try:
        image_path = webui.root / "init.png"
        Image.new("RGB", (64, 48), (40, 90, 160)).save(image_path)
        custom = webui.img2img_inputs["custom_inputs"]
        values = {c: getattr(c, "value", None) for c in custom[1:]}
        by_id = {c.elem_id: c for c in custom[1:]}
        manifest_path = webui.root / "upload.json"
        manifest_path.write_text(json.dumps(make_manifest(3)))
        values[by_id["parseq_manifest"]] = ""
        values[by_id["parseq_script_manifest_file"]] = str(manifest_path)
        values[by_id["parseq_script_last_frame"]] = 1
        values[by_id["parseq_audio_upload"]] = str(audio_file)
        client = Client(url, verbose=False)
        result = client.predict(str(image_path), "ui prompt", "", 5, 7, 0.5, -1, "Parseq",
                                *[values[c] for c in custom[1:]], api_name="/img2img")
    finally:
        demo.close()
    calls = webui.modules.processing.calls
    assert [c["seed"] for c in calls] == [100, 101]
    assert [c["steps"] for c in calls] == [5, 5]
    assert "2 of 2 frames" in json.dumps(result)
    video = next(webui.root.glob("outputs/img2img-images/*.mp4"))
    info = probe_video(video)
    assert info.frame_count == 2 and info.has_audio, "the uploaded audio track is in the video"
