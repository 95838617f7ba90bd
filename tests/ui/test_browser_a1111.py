"""In a real browser, inside the A1111 stand-in: "Send to img2img" picks the Parseq script, fills its box, switches tab.

The stand-in serves the whole webui (img2img tab with the Parseq script, and this extension's tab) with
``javascript/*.js`` and ``style.css`` injected as A1111 injects them, so this checks ``javascript/parseq.js``
as it runs in A1111, not the standalone page's copy.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from servers import running_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT_MS = 60_000
PAGE_RENDER_TIMEOUT_MS = 120_000
HARNESS = Path(__file__).resolve().parents[1] / "a1111" / "stand_in" / "harness.py"
GRADIO4_VENV = ".venv-gradio4"
# A1111's own: txt2img and img2img each have a Script dropdown "script_list"; gradio 3 writes a gr.HTML's id
# (html_info_img2img) on two nested elements.
A1111_OWN_IDS = {"script_list", "html_info_img2img"}
# gradio's own ids for components given none (gradio 3 writes them twice on Markdown and HTML too).
GRADIO_AUTO_ID = re.compile(r"^component-\d+$")


def server_python(gradio: str, repo_root: Path) -> str:
    """The interpreter to serve the stand-in with: this one (gradio 3, as A1111), or the gradio 4 virtualenv
    that ``tests/a1111/check_gradio4.sh`` builds (as Forge); ``tests/run.sh`` runs that script first."""
    if gradio == "3":
        return sys.executable
    python = repo_root / GRADIO4_VENV / "bin" / "python"
    if not python.exists():
        pytest.skip(f"no {GRADIO4_VENV}: run bash tests/a1111/check_gradio4.sh first")
    return str(python)


@pytest.fixture(scope="module", params=["3", "4"], ids=["gradio3", "gradio4"])
def webui_url(request, repo_root, tmp_path_factory, free_port, artifacts_dir):
    port = free_port()
    root = tmp_path_factory.mktemp("webui")
    log_path = artifacts_dir / f"a1111-stand-in-server-gradio{request.param}.log"
    with running_server(
        [server_python(request.param, repo_root), str(HARNESS), "serve", "--extension", str(repo_root),
         "--root", str(root), "--port", str(port)],
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
        # gradio 4 can take half a minute to render the whole page on a busy machine
        page.wait_for_selector("#tab_img2img #script_list input", state="attached", timeout=PAGE_RENDER_TIMEOUT_MS)
        ids = Counter(page.eval_on_selector_all("[id]:not([id=''])", "elements => elements.map(e => e.id)"))
        duplicates = {name: n for name, n in ids.items()
                      if n > 1 and name not in A1111_OWN_IDS and not GRADIO_AUTO_ID.match(name)}
        assert duplicates == {}, f"element ids used more than once: {duplicates}"
        assert ids["parseq_manifest"] == 1 and ids["parseq_status"] == 1
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
        page.screenshot(path=str(artifacts_dir / f"ui-a1111-sent-{webui_url.split(':')[-1].strip('/')}.png"),
                        full_page=True)

        page.locator("#tabs button", has_text="Parseq").first.click()
        assert "Sent to img2img" in page.locator("#parseq_send_note").first.inner_text()
        browser.close()
