"""The Parseq script inside a real webui, through its HTTP API, with every webui option at its default."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from parseq_script import MANIFEST_LABEL, RENDER_TIMEOUT, first_infotext, parameters_of, saved_frames
from parseq_script import img2img as parseq_img2img
from webui_client import ApiError, video_note

from lib_parseq.video.probe import probe_video

pytestmark = [pytest.mark.slow]

PROMPTS = ["a red fox", "a blue bird", "a green frog", "a golden fish", "a grey wolf", "a white owl"]


def manifest(count: int, *, seed=lambda f: 1000 + 7 * f, strength: float = 0.5) -> dict[str, Any]:
    """A rendered manifest whose seeds jump by 7 (not A1111's +1) and whose prompt changes every frame."""
    frames = [{"frame": f, "seed": seed(f), "scale": 7, "strength": strength, "zoom": 1 + 0.01 * f,
               "deforum_prompt": f"{PROMPTS[f % len(PROMPTS)]} --neg blurry"} for f in range(count)]
    return {"options": {"output_fps": 10}, "managedFields": ["seed", "scale", "strength", "zoom"],
            "rendered_frames": frames}


def img2img(host, info: dict[str, Any], doc: dict[str, Any] | str, **kwargs: Any) -> dict:
    return parseq_img2img(host.client, info, doc, **kwargs)


def test_scripts_list_has_parseq_for_img2img_only(host):
    scripts = host.client.get("/sdapi/v1/scripts")
    assert "parseq" in scripts["img2img"]
    assert "parseq" not in scripts["txt2img"]


def test_script_info_lists_the_controls_in_ui_order(script_info):
    assert script_info["is_img2img"] is True and script_info["is_alwayson"] is False
    labels = [arg["label"] for arg in script_info["args"]]
    assert labels[0].startswith(MANIFEST_LABEL)
    for prefix in ("Dry run", "Save frames", "First frame", "Last frame", "FPS"):
        assert sum(label.startswith(prefix) for label in labels) == 1, (prefix, labels)


def test_config_has_the_parseq_tab_and_unique_parseq_ids(host):
    components = host.client.get("/config")["components"]
    ids = [c["props"].get("elem_id") for c in components if isinstance(c.get("props", {}).get("elem_id"), str)]
    tabs = [c for c in components if c["props"].get("elem_id") == "tab_parseq"]
    assert len(tabs) == 1 and tabs[0]["props"].get("label") == "Parseq", tabs
    assert "parseq_grid" in ids, "the editor's keyframe grid is in the page"
    assert "parseq_manifest" in ids, "the img2img script's manifest box is in the page"
    parseq_ids = [i for i in ids if i.startswith("parseq")]
    duplicated = sorted({i for i in parseq_ids if parseq_ids.count(i) > 1})
    assert duplicated == [], f"element ids used more than once in the real page: {duplicated}"


def test_render_four_frames_with_the_manifests_seeds_and_prompts(host, script_info):
    doc = manifest(4)
    response = img2img(host, script_info, doc, **{"Save frames": True})
    info = json.loads(response["info"])
    note = video_note(first_infotext(response))
    assert (note["written"], note["total"], note["stopped"]) == (4, 4, False)
    assert note["path"].is_file() and note["path"].is_relative_to(host.root / "outputs" / "img2img-images"), (
        f"the video lands in A1111's default (relative) img2img folder: {note['path']}")
    assert probe_video(note["path"]).frame_count == 4

    frames = saved_frames(note["path"])
    assert [f.name for f in frames] == [f"{f:05d}.png" for f in range(4)]
    for frame, png in zip(doc["rendered_frames"], frames, strict=True):
        text = parameters_of(png)
        prompt_line, rest = text.split("\n", 1)
        assert prompt_line == PROMPTS[frame["frame"]], text
        assert "Negative prompt: blurry" in rest
        assert f"Seed: {frame['seed']}," in rest, text
        assert f"Parseq frame: {frame['frame']}" in rest, text
        assert "Denoising strength: 0.5," in rest, text
    assert info["all_seeds"][0] == 1000 and info["all_prompts"][0] == PROMPTS[0]
    assert len(response["images"]) >= 1


def test_dry_run_writes_the_video_without_diffusion(host, script_info):
    response = img2img(host, script_info, manifest(3), **{"Dry run": True})
    note = video_note(first_infotext(response))
    assert (note["written"], note["total"]) == (3, 3)
    assert "Parseq dry run" in first_infotext(response)
    assert probe_video(note["path"]).frame_count == 3


def test_invalid_manifest_is_refused_with_the_field_named(host, script_info):
    doc = manifest(3)
    doc["rendered_frames"][1]["seed"] = "x"
    with pytest.raises(ApiError) as caught:
        img2img(host, script_info, doc)
    assert caught.value.status == 500
    body = caught.value.body
    assert isinstance(body, dict), f"the answer is not JSON: {body!r}"
    # A1111's API handler names the text "errors"; Forge's answer (from another handler) names it "message"
    message = body.get("errors") if "errors" in body else body.get("message", "")
    assert "$.rendered_frames[1].seed: invalid manifest: must be a number" in message, body


class Render(threading.Thread):
    """An img2img call running in the background, so the test can watch progress and interrupt it."""

    def __init__(self, call) -> None:
        super().__init__(daemon=True)
        self.call = call
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.call()
        except BaseException as exc:  # handed to the test thread
            self.error = exc


def interrupt_after_frames(host, render: Render, frames: int) -> list[str]:
    """Start ``render``, interrupt once ``frames`` frames are done; return the progress texts seen.

    Only progress that names a Parseq frame counts: until the request begins, /progress still shows the last job.
    """
    seen: list[str] = []
    render.start()
    deadline = time.monotonic() + RENDER_TIMEOUT
    while render.is_alive() and time.monotonic() < deadline:
        progress = host.client.get("/sdapi/v1/progress?skip_current_image=true")
        seen.append(str(progress["state"].get("job", "")) + " | " + str(progress.get("textinfo") or ""))
        if str(progress["state"].get("job", "")).startswith("Frame ") and progress["state"]["job_no"] >= frames:
            host.client.post("/sdapi/v1/interrupt")
            break
        time.sleep(1)
    render.join(RENDER_TIMEOUT)
    assert not render.is_alive(), "the render did not stop after the interrupt"
    if render.error is not None:
        raise render.error
    return seen


INTERRUPTED_TOTAL = 6
CONTINUE_LABEL = "Render ("


@pytest.fixture(scope="module")
def interrupted(host, script_info) -> dict[str, Any]:
    """A 6-frame render interrupted through the API once two frames are done."""
    render = Render(lambda: img2img(host, script_info, manifest(INTERRUPTED_TOTAL)))
    seen = interrupt_after_frames(host, render, 2)
    return {"note": video_note(first_infotext(render.result)), "progress": seen}


def test_interrupt_keeps_a_playable_partial_video(interrupted):
    note, seen = interrupted["note"], interrupted["progress"]
    assert note["stopped"] and note["total"] == INTERRUPTED_TOTAL and 2 <= note["written"] < INTERRUPTED_TOTAL, note
    assert probe_video(note["path"]).frame_count == note["written"]
    assert any("Frame " in text for text in seen), seen
    assert any("Parseq frame" in text for text in seen), f"the frame number never showed in the progress: {seen}"


def test_continue_finishes_the_interrupted_video(host, script_info, interrupted):
    choices = [arg["choices"] for arg in script_info["args"] if str(arg["label"]).startswith(CONTINUE_LABEL)]
    assert len(choices) == 1 and choices[0], f"no render choice in the script's controls: {script_info['args']}"
    continue_last = [choice for choice in choices[0] if choice.startswith("Continue")]
    assert len(continue_last) == 1, choices
    before = interrupted["note"]
    response = img2img(host, script_info, manifest(INTERRUPTED_TOTAL), **{CONTINUE_LABEL: continue_last[0]})
    first = first_infotext(response)
    note = video_note(first)
    assert note["path"] == before["path"], "continuing renders into the interrupted video"
    assert (note["written"], note["total"], note["stopped"]) == (INTERRUPTED_TOTAL, INTERRUPTED_TOTAL, False), note
    assert probe_video(note["path"]).frame_count == INTERRUPTED_TOTAL
    assert f"Parseq frame: {before['written']}," in first, f"the first frame made now is the first missing one: {first}"
