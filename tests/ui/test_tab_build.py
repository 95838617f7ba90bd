"""The tab builds with the installed gradio (3.41.2, A1111's pin), standalone and inside the A1111 stand-in."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import gradio as gr

from lib_parseq.ui import build_tab

HARNESS = Path(__file__).resolve().parents[1] / "a1111" / "stand_in" / "harness.py"
REQUIRED_IDS = {
    "parseq_audio_tab",
    "parseq_audio_file",
    "parseq_audio_analyse",
    "parseq_audio_chart",
    "parseq_audio_add_series",
    "parseq_audio_add_keyframes",
    "parseq_audio_take_bpm",
    "parseq_grid",
    "parseq_errors",
    "parseq_chart",
    "parseq_fields",
    "parseq_last_frame",
    "parseq_fps",
    "parseq_bpm",
    "parseq_prompts",
    "parseq_common_positive",
    "parseq_common_position",
    "parseq_frames",
    "parseq_prompt_text",
    "parseq_import_text",
    "parseq_import_file",
    "parseq_document_file",
    "parseq_manifest_file",
    "parseq_deforum_schedules",
    "parseq_manifest_preview",
    "parseq_send",
    "parseq_starter",
}


def _elem_ids(blocks: gr.Blocks) -> set[str]:
    return {b.elem_id for b in blocks.blocks.values() if getattr(b, "elem_id", None)}


def test_these_tests_run_on_the_gradio_that_requirements_test_pins():
    """The UI tests only say something about A1111 1.10.1 when they run on its gradio pin."""
    pins = (Path(__file__).resolve().parents[2] / "requirements-test.txt").read_text()
    assert f"gradio=={gr.__version__}\n" in pins


def test_standalone_tab_builds_with_every_part():
    tab = build_tab(standalone=True)
    assert REQUIRED_IDS <= _elem_ids(tab)
    ids = {block._id: block.elem_id for block in tab.blocks.values() if getattr(block, "elem_id", None)}
    wired = set()
    for dependency in tab.get_config_file()["dependencies"]:
        targets = [t[0] if isinstance(t, list | tuple) else t for t in dependency.get("targets", [])]
        wired |= {ids[i] for i in [*targets, *dependency["inputs"], *dependency["outputs"]] if i in ids}
    # Layout blocks (tabs, and the columns that carry a Markdown's or HTML's id on gradio 3) hold parts; they
    # take part in no event themselves.
    layout = {block.elem_id for block in tab.blocks.values() if isinstance(block, gr.blocks.BlockContext)}
    assert layout & REQUIRED_IDS, "the required ids include layout blocks (tabs, id wrappers)"
    assert REQUIRED_IDS - layout - wired == set(), "every part takes part in an event (triggers, is read or is updated)"
    config = tab.get_config_file()
    js_hooks = [d.get("js") for d in config["dependencies"] if d.get("js")]
    assert any("parseqSendToImg2img" in js for js in js_hooks), "Send to img2img runs the page script"
    assert any("window.parseqSendToImg2img = async function" in js for js in js_hooks), "standalone injects javascript/parseq.js"
    assert config["css"] and "#parseq_errors" in config["css"]
    errors = next(b for b in tab.blocks.values() if "parseq-errors" in (getattr(b, "elem_classes", None) or []))
    assert errors.value == "", "the starter document compiles without errors"


def test_tab_inside_a1111_does_not_inject_page_assets():
    tab = build_tab()
    config = tab.get_config_file()
    assert not config.get("css")
    assert not any("window.parseqSendToImg2img = async function" in (d.get("js") or "") for d in config["dependencies"])


def _load_harness():
    spec = importlib.util.spec_from_file_location("a1111_harness_for_ui", HARNESS)
    harness = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(harness)
    return harness


def test_tab_builds_inside_the_a1111_stand_in(tmp_path, repo_root):
    harness = _load_harness()
    with harness.stand_in(webui_root=tmp_path, extensions=[repo_root]) as webui:
        webui.load_scripts()
        demo = webui.build_ui()
        parseq_tabs = [(blocks, title, elem_id) for blocks, title, elem_id in webui.ui_tabs if elem_id == "parseq"]
        assert len(parseq_tabs) == 1
        blocks, title, _ = parseq_tabs[0]
        assert title == "Parseq" and isinstance(blocks, gr.Blocks)
        ids = _elem_ids(demo)
        assert REQUIRED_IDS <= ids
        assert "tab_parseq" in ids
        scripts = [Path(tag.split('src="file=')[1].split("?")[0]).name for tag in webui.javascript_html().split("\n") if tag]
        assert "parseq.js" in scripts
        assert any(Path(link.split('href="file=')[1].split('"')[0]).samefile(repo_root / "style.css")
                   for link in webui.css_html().split("\n") if link)
