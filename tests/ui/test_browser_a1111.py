"""In a real browser, inside the A1111 stand-in: "Send to img2img" picks the Parseq script, fills its box, switches tab;
a song analysed in the tab's Audio panel reaches img2img's manifest as time series and beat keyframes.

The stand-in serves the whole webui (img2img tab with the Parseq script, and this extension's tab) with
``javascript/*.js`` and ``style.css`` injected as A1111 injects them, so this checks ``javascript/parseq.js``
as it runs in A1111, not the standalone page's copy.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from servers import running_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT_MS = 20_000
HARNESS = Path(__file__).resolve().parents[1] / "a1111" / "stand_in" / "harness.py"


@pytest.fixture(scope="module")
def webui_url(repo_root, tmp_path_factory, free_port, artifacts_dir):
    port = free_port()
    root = tmp_path_factory.mktemp("webui")
    log_path = artifacts_dir / "a1111-stand-in-server.log"
    with running_server(
        [sys.executable, str(HARNESS), "serve", "--extension", str(repo_root), "--root", str(root), "--port", str(port)],
        cwd=repo_root,
        log_path=log_path,
        ready=lambda: "READY" in log_path.read_text(encoding="utf-8"),
        what="the stand-in webui",
    ):
        yield f"http://127.0.0.1:{port}/"


def test_send_to_img2img_inside_a1111(webui_url, launch_chromium, artifacts_dir):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1360, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(webui_url)
        page.wait_for_function("() => typeof window.parseqSendToImg2img === 'function'")
        script_menu = page.locator("#tab_img2img #script_list input")
        assert script_menu.input_value() == "None", "no script is chosen in img2img yet"

        page.locator("#tabs button", has_text="Parseq").first.click()
        page.wait_for_selector("#parseq_grid table")
        assert page.eval_on_selector("#parseq_errors", "e => getComputedStyle(e).display") != "none"
        page.locator("#parseq_send").click()
        page.wait_for_function(
            "() => { const box = document.querySelector('#parseq_manifest textarea'); return box && box.value.length > 0; }"
        )
        sent = json.loads(page.eval_on_selector("#parseq_manifest textarea", "box => box.value"))
        assert len(sent["rendered_frames"]) == 151 and sent["managedFields"] == ["seed", "strength", "zoom"]
        page.wait_for_selector("#tab_img2img", state="visible")
        page.wait_for_function("() => document.querySelector('#tab_img2img #script_list input').value === 'Parseq'")
        assert not page.locator("#parseq_grid").is_visible(), "the Parseq tab is no longer the one shown"
        page.wait_for_selector("#parseq_manifest textarea", state="visible")
        page.screenshot(path=str(artifacts_dir / "ui-a1111-sent.png"), full_page=True)

        page.locator("#tabs button", has_text="Parseq").first.click()
        assert "Sent to img2img" in page.locator("#parseq_send_note").first.inner_text()
        browser.close()


def test_audio_panel_inside_a1111_sends_its_series(webui_url, launch_chromium, artifacts_dir, tmp_path):
    pytest.importorskip("librosa", reason="librosa (requirements.txt) is needed for the Audio panel")
    from audio_steps import analyse_click_track
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1360, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(webui_url)
        page.locator("#tabs button", has_text="Parseq").first.click()
        assert "97." in analyse_click_track(page, tmp_path, 97)
        page.locator("#parseq_audio_add_series").click()
        page.wait_for_function("() => document.querySelector('#parseq_status').innerText.includes('Audio: series')")
        page.locator("#parseq_audio_add_keyframes").click()
        page.wait_for_function("() => document.querySelector('#parseq_status').innerText.includes('keyframes added')")
        page.locator("#parseq_send").click()
        page.wait_for_function(
            "() => { const box = document.querySelector('#parseq_manifest textarea');"
            " return box && box.value.includes('timeSeries') && box.value.includes('downbeat'); }"
        )
        sent = json.loads(page.eval_on_selector("#parseq_manifest textarea", "box => box.value"))
        assert {"onset", "rms", "beat"} <= {entry["alias"] for entry in sent["timeSeries"]}
        assert sent["meta"]["audio"]["file"].endswith("click-97.wav")
        assert sum("beat" in (kf.get("info") or "") for kf in sent["keyframes"]) >= 8
        page.screenshot(path=str(artifacts_dir / "ui-a1111-audio-sent.png"), full_page=True)
        browser.close()
