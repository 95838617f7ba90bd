"""In real Chromium, inside the real webui: the Parseq tab's "Send to img2img", then Generate on img2img.

Nothing is stubbed: the page, gradio, the webui's own JavaScript and the Parseq script are the real ones, so this
checks that ``javascript/parseq.js`` picks the script in the webui's real Script menu and that the manifest it
sends renders (a dry run of its first frames, so the test does not wait on CPU diffusion).
"""

from __future__ import annotations

import json

import pytest
from webui_client import init_image, video_note

from lib_parseq.video.probe import probe_video

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT_MS = 120_000


def test_send_to_img2img_then_generate_a_dry_run(host, launch_chromium, tmp_path):
    from playwright.sync_api import sync_playwright

    init_path = tmp_path / "init.png"
    init_image(64, 64).save(init_path)
    shots = host.artifacts
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(host.url + "/")
        page.wait_for_function("() => typeof window.parseqSendToImg2img === 'function'")
        page.wait_for_selector("#tab_img2img #script_list", state="attached")
        script_menu = page.locator("#tab_img2img #script_list input")
        assert script_menu.input_value() == "None", "no script is chosen in img2img yet"

        page.locator("#tabs button", has_text="Parseq").first.click()
        page.wait_for_selector("#parseq_grid table")
        page.locator("#parseq_send").click()
        page.wait_for_function(
            "() => { const box = document.querySelector('#parseq_manifest textarea'); return box && box.value.length > 0; }"
        )
        sent = json.loads(page.eval_on_selector("#parseq_manifest textarea", "box => box.value"))
        assert len(sent["rendered_frames"]) > 4
        page.wait_for_function("() => document.querySelector('#tab_img2img #script_list input').value === 'Parseq'")
        page.wait_for_selector("#tab_img2img", state="visible")
        page.screenshot(path=str(shots / f"real-host-{host.kind}-sent.png"), full_page=True)

        page.set_input_files("#img2img_image input[type=file]", str(init_path))
        page.wait_for_selector("#img2img_image img")
        last_frame = page.locator("#parseq_script_last_frame input")
        last_frame.fill("3")
        last_frame.press("Tab")
        page.locator("#parseq_dry_run input").check()
        page.locator("#img2img_generate").click()
        page.wait_for_function(
            "() => (document.querySelector('#html_info_img2img')?.innerText || '').includes('Parseq video:')",
            timeout=600_000,
        )
        info = page.eval_on_selector("#html_info_img2img", "e => e.innerText")
        page.screenshot(path=str(shots / f"real-host-{host.kind}-generated.png"), full_page=True)
        browser.close()

    note = video_note(info)
    assert (note["written"], note["total"], note["stopped"]) == (4, 4, False), info
    assert probe_video(note["path"]).frame_count == 4
