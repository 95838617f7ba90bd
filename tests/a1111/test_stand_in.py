"""The stand-in behaves as A1111 1.10.1 does where the extension relies on it (a1111-api.md §1–§4)."""

from __future__ import annotations

import sys

import pytest
from PIL import Image

SCRIPT = '''
import sys
import modules.scripts as scripts
from modules import script_callbacks

LOADED_WITH_PATH = list(sys.path)
BASEDIR = scripts.basedir()


class Demo(scripts.Script):
    def title(self):
        return "Demo loop"

    def show(self, is_img2img):
        return is_img2img

    def ui(self, is_img2img):
        import gradio as gr
        return [gr.Number(label="a", value=1), gr.Textbox(label="b", value="x")]

    def run(self, p, a, b):
        return ("ran", a, b)


script_callbacks.on_ui_tabs(lambda: [])
'''


@pytest.fixture()
def demo_webui(harness, tmp_path):
    ext = tmp_path / "demo-ext"
    (ext / "scripts").mkdir(parents=True)
    (ext / "scripts" / "demo.py").write_text(SCRIPT)
    (ext / "scripts" / "broken.py").write_text("raise RuntimeError('boom')\n")
    with harness.stand_in(tmp_path / "root", [ext]) as webui:
        webui.load_scripts()
        yield webui, ext


def test_loader_runs_files_by_path_with_the_extension_on_sys_path_only_while_loading(demo_webui):
    webui, ext = demo_webui
    m = webui.modules
    (data,) = [d for d in m.scripts.scripts_data if d.path.endswith("demo.py")]
    assert data.module.__name__ == "demo.py"
    assert data.module.LOADED_WITH_PATH[0] == data.basedir == data.module.BASEDIR
    assert data.basedir not in sys.path
    assert any("broken.py" in r for r in m.errors.reported)
    assert len(m.script_callbacks.callback_map["callbacks_ui_tabs"]) == 1


def test_ui_values_reach_run_positionally(demo_webui):
    webui, _ = demo_webui
    webui.build_ui()
    script = webui.script("Demo loop")
    assert (script.args_from, script.args_to) == (1, 3)
    args = webui.script_args("Demo loop", {"b": "y"})
    assert args == [1, 1, "y"]
    assert webui.modules.scripts.scripts_img2img.run(None, *args) == ("ran", 1, "y")


def test_stand_in_leaves_no_trace(harness, tmp_path):
    with harness.stand_in(tmp_path / "root"):
        import modules.shared  # noqa: F401
    assert "modules" not in sys.modules and "modules.shared" not in sys.modules
    with pytest.raises(ImportError):
        import modules  # noqa: F401


def test_process_images_seeds_state_and_color_corrections(demo_webui):
    webui, _ = demo_webui
    m = webui.modules
    m.shared.state.begin()
    m.shared.opts.img2img_color_correction = True
    image = Image.new("RGB", (32, 32), (10, 200, 30))
    p = m.processing.StableDiffusionProcessingImg2Img(init_images=[image], width=32, height=32, seed=-1,
                                                      steps=4, n_iter=2, prompt="x", do_not_save_samples=True,
                                                      do_not_save_grid=True)
    processed = m.processing.process_images(p)
    assert p.color_corrections is None
    assert p.all_seeds[1] == p.all_seeds[0] + 1 and processed.seed == p.all_seeds[0]
    assert m.shared.state.job_count == 2 and m.shared.state.job_no == 2
    assert len(processed.images) == 2 and processed.infotexts[0].startswith("x\nSteps: 4")

    p.subseed_strength = 0.5
    p.seed = 7
    p.n_iter = 1
    assert m.processing.process_images(p).all_seeds == [7]

    m.shared.state.interrupt()
    assert m.processing.process_images(p).images == []


def test_state_begin_resets_the_flags_and_end_keeps_them(demo_webui):
    webui, _ = demo_webui
    state = webui.modules.shared.state
    state.begin(job="one")
    state.textinfo = "working"
    state.interrupt()
    state.skip()
    state.stop_generating()
    state.end()
    assert (state.interrupted, state.skipped, state.stopping_generation) == (True, True, True)
    assert state.textinfo == "working" and state.job == "" and state.job_count == 0
    state.begin(job="two")
    assert (state.interrupted, state.skipped, state.stopping_generation) == (False, False, False)
    assert state.textinfo is None and state.job == "two" and state.job_count == -1


def test_opts_set_of_an_unknown_key_raises(demo_webui):
    webui, _ = demo_webui
    opts = webui.modules.shared.opts
    with pytest.raises(KeyError):
        opts.set("no_such_option", 3)
    assert opts.set("samples_save", False) is True and opts.samples_save is False


@pytest.mark.parametrize("mode", ["L", "P"])
def test_color_correction_refuses_single_channel_images_as_cv2_does(demo_webui, mode):
    import cv2

    webui, _ = demo_webui
    processing = webui.modules.processing
    with pytest.raises(cv2.error):
        processing.setup_color_correction(Image.new(mode, (8, 8)))
    target = processing.setup_color_correction(Image.new("RGB", (8, 8), (10, 200, 30)))
    corrected = processing.apply_color_correction(target, Image.new("RGB", (8, 8), (200, 30, 10)))
    assert corrected.mode == "RGB" and corrected.size == (8, 8)
