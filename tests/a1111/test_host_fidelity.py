"""The Parseq script inside the parts of A1111 1.10.1 that run around it: always-on scripts and their hooks,
extra networks in prompts, the progress bar, ``/sdapi/v1/script-info``, infotext numbers and element ids."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from conftest import EXTENSION_NAME, make_manifest
from PIL import Image

STAMP_SCRIPT = '''
import modules.scripts as scripts

SEEN = []


class Stamp(scripts.Script):
    def title(self):
        return "Stamp"

    def show(self, is_img2img):
        return scripts.AlwaysVisible

    def ui(self, is_img2img):
        import gradio as gr
        return [gr.Checkbox(label="Stamp the corner", value=True)]

    def process(self, p, enabled):
        SEEN.append(("process", p.seed, p.prompt))

    def process_batch(self, p, enabled, batch_number, prompts, seeds, subseeds):
        SEEN.append(("process_batch", seeds[0], prompts[0]))

    def process_before_every_sampling(self, p, enabled, **kwargs):
        SEEN.append(("process_before_every_sampling", p.seeds[0], kwargs["x"] is not None))

    def postprocess_image(self, p, pp, enabled):
        if enabled:
            pixels = pp.image.load()
            for x in range(8):
                for y in range(8):
                    pixels[x, y] = (255, 255, 255)
'''


@pytest.fixture()
def stamped_webui(harness, repo_root, tmp_path):
    ext = tmp_path / "stamp-ext"
    (ext / "scripts").mkdir(parents=True)
    (ext / "scripts" / "stamp.py").write_text(STAMP_SCRIPT)
    with harness.stand_in(tmp_path / "webui", {EXTENSION_NAME: repo_root, "stamp": ext}) as webui:
        webui.load_scripts()
        yield webui


def run_parseq(webui, init_image, values: dict, **p_fields):
    return webui.img2img(init_image, webui.script_args("Parseq", values), **p_fields)


def test_always_on_script_hooks_run_around_every_frame(stamped_webui, init_image):
    webui = stamped_webui
    manifest = make_manifest(3)
    run_parseq(webui, init_image, {"parseq_manifest": json.dumps(manifest), "parseq_save_frames": True})
    (data,) = [d for d in webui.modules.scripts.scripts_data if d.path.endswith("stamp.py")]
    seen = data.module.SEEN
    frames = manifest["rendered_frames"]
    assert [kind for kind, _, _ in seen] == ["process", "process_batch", "process_before_every_sampling"] * 3
    assert [seed for kind, seed, _ in seen if kind == "process_batch"] == [f["seed"] for f in frames]
    calls = webui.modules.processing.calls
    assert [prompt for kind, _, prompt in seen if kind == "process"] == [c["prompt"] for c in calls]
    folder = next(webui.root.glob("outputs/img2img-images/*-frames"))
    for f in range(3):
        corner = np.asarray(Image.open(folder / f"{f:05d}.png").convert("RGB"))[:8, :8]
        assert (corner == 255).all(), f"frame {f} lost what postprocess_image drew"


def test_extra_network_tags_reach_every_frame_even_when_their_prompt_part_weighs_zero(webui, init_image):
    count = 4

    def prompt(f):
        w = f / (count - 1)
        return {"deforum_prompt": f"a red fox <lora:foxstyle:0.8>: {1 - w:.4f} AND a blue bird: {w:.4f}"}

    manifest = make_manifest(count, prompt=False, extra=prompt)
    processed = run_parseq(webui, init_image, {"parseq_manifest": json.dumps(manifest)})
    calls = webui.modules.processing.calls
    assert [c["extra_networks"] for c in calls] == [{"lora": [["foxstyle", "0.8"]]}] * count
    assert all("<lora:" not in c["prompt"] for c in calls)
    assert "<lora:foxstyle:0.8>" in processed.infotexts[0].splitlines()[0]


def test_progress_bar_shows_the_parseq_frame(webui, init_image):
    m = webui.modules
    seen = []

    def on_step(params):
        if params.sampling_step == 3:
            seen.append(webui.progress_bar_text())

    m.script_callbacks.on_cfg_denoiser(on_step)
    manifest = make_manifest(6)
    run_parseq(webui, init_image, {"parseq_manifest": json.dumps(manifest), "parseq_script_first_frame": 2}, steps=8)
    assert len(seen) == 4
    for n, text in enumerate(seen):
        frame = 2 + n
        assert text.startswith(f"Parseq frame {frame} ({n + 1}/4) "), text
        percent = int(text.split(") ")[1].split("%")[0])
        assert 100 * n / 4 < percent < 100 * (n + 1) / 4


def test_script_info_lists_the_parseq_arguments(webui):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    webui.build_ui()
    app = FastAPI()
    webui.modules.api.add_routes(app)
    response = TestClient(app).get("/sdapi/v1/script-info")
    assert response.status_code == 200
    (info,) = [s for s in response.json() if s["name"] == "parseq"]
    script = webui.script("Parseq")
    assert info["is_img2img"] is True and info["is_alwayson"] is False
    assert [a["label"] for a in info["args"]] == [c.label for c in script.controls]
    by_label = {a["label"]: a for a in info["args"]}
    border = next(c for c in script.controls if c.elem_id == "parseq_border")
    assert by_label[border.label]["choices"] == ["reflect", "replicate", "wrap", "noise", "zeros"]


def test_infotext_numbers_have_no_float_noise(webui, init_image):
    manifest = make_manifest(2, strength=lambda f: 0.7, scale=lambda f: 7.1 + 0.2)
    processed = run_parseq(webui, init_image, {"parseq_manifest": json.dumps(manifest)})
    assert "Denoising strength: 0.3," in processed.infotexts[0]
    assert "CFG scale: 7.3," in processed.infotexts[0]
    assert webui.modules.processing.calls[0]["denoising_strength"] == 0.3


def test_every_element_id_on_the_page_is_unique(webui):
    demo = webui.build_ui()
    ids = Counter(getattr(block, "elem_id", None) for block in demo.blocks.values())
    ids.pop(None, None)
    # A1111's own: each generation tab has a Script dropdown with elem_id "script_list".
    assert ids.pop("script_list") == 2
    assert {name: n for name, n in ids.items() if n > 1} == {}
    assert any(name.startswith("parseq_") for name in ids)


def test_stand_in_webui_works_in_its_own_folder(webui):
    assert Path.cwd() == webui.root
