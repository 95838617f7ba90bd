"""The standalone page's Render tab in a real browser: render the starter document's first frames from an init
image with the dry run, and with the tiny diffusers model given by its folder (where the diffusers extra is
installed: tests/run.sh runs this file in .venv-diffusers), and see the video on the page."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image
from servers import answers, running_server

from lib_parseq.backends.diffusers_options import missing_modules

pytestmark = [pytest.mark.browser, pytest.mark.slow]
RENDER_TIMEOUT_MS = 300_000


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("outputs")


@pytest.fixture(scope="module")
def page(repo_root, free_port, artifacts_dir, launch_chromium, outputs):
    from playwright.sync_api import sync_playwright

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with running_server([sys.executable, "-m", "lib_parseq", "ui", "--port", str(port), "--outputs", str(outputs)],
                        cwd=repo_root, log_path=artifacts_dir / "ui-render-server.log", ready=answers(url),
                        what="the UI server", env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}):
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            tab = browser.new_page(viewport={"width": 1360, "height": 1000})
            tab.set_default_timeout(30_000)
            tab.goto(url)
            tab.wait_for_selector("#parseq_grid table")
            tab.locator("#parseq_views button", has_text="Render").first.click()
            yield tab
            browser.close()


@pytest.fixture(scope="module")
def init_png(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("init") / "init.png"
    y, x = np.mgrid[0:32, 0:32]
    Image.fromarray(np.stack([x * 8, y * 8, np.full_like(x, 90)], axis=2).astype(np.uint8)).save(path)
    return path


def render_on_page(page, init_png: Path, output: str, *, backend: str, model: str = "", steps: str = "20") -> str:
    page.locator("#parseq_render_backend label", has_text=backend).click()
    page.fill("#parseq_render_model textarea", model)
    page.fill("#parseq_render_steps input", steps)
    page.fill("#parseq_render_frames textarea", "0:3")
    page.fill("#parseq_render_output textarea", output)
    page.set_input_files("#parseq_render_init input[type=file]", str(init_png))
    page.click("#parseq_render_start")
    page.wait_for_function("(name) => { const text = document.querySelector('#parseq_render_status').innerText;"
                           " return text.includes('failed') || (text.includes('Done:') && text.includes(name)); }",
                           arg=output, timeout=RENDER_TIMEOUT_MS)
    status = page.inner_text("#parseq_render_status")
    assert "Done:" in status and "3 frames" in status, status
    page.wait_for_function("(name) => { const video = document.querySelector('#parseq_render_video_out video');"
                           " return video && video.src.includes(name.split('.')[0]); }", arg=output)
    return status


def test_dry_run_render_from_the_tab_shows_the_video(page, init_png, outputs, artifacts_dir):
    render_on_page(page, init_png, "dry.mp4", backend="Dry run")
    assert imageio_ffmpeg.count_frames_and_secs(str(outputs / "dry.mp4"))[0] == 3
    page.screenshot(path=str(artifacts_dir / "render-tab-dry-run.png"), full_page=True)


@pytest.mark.skipif(bool(missing_modules()), reason="the diffusers extra is not installed")
def test_diffusers_render_from_the_tab_with_a_local_model(page, init_png, outputs, artifacts_dir, tmp_path_factory):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "diffusers"))
    from tiny_pipeline import save_tiny_pipeline

    model = save_tiny_pipeline(tmp_path_factory.mktemp("tiny"))
    render_on_page(page, init_png, "tiny.mp4", backend="diffusers", model=str(model), steps="2")
    assert imageio_ffmpeg.count_frames_and_secs(str(outputs / "tiny.mp4"))[0] == 3
    page.screenshot(path=str(artifacts_dir / "render-tab-diffusers.png"), full_page=True)
