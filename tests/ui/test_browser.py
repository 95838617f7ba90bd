"""End to end in a real browser: ``python -m lib_parseq ui`` on localhost, driven by Playwright and Debian's Chromium.

Edits a keyframe value and an interpolation cell and sees the chart and the manifest follow, breaks an
expression and reads the error, imports Deforum settings, tries "Send to img2img", analyses a click track in
the Audio panel and merges its series, beat keyframes and BPM into the document, and keeps screenshots
under ``tests/artifacts/``. ``PARSEQ_UI_PYTHON=.venv-gradio4/bin/python`` serves the page from another
virtualenv (to check the same flow on gradio 4).
"""

from __future__ import annotations

import json
import os
import re
import sys

import pytest
from servers import answers, running_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT_MS = 20_000


def _server_python() -> str:
    """The interpreter that serves the UI: this one, or ``PARSEQ_UI_PYTHON`` (e.g. a gradio 4 virtualenv's python)."""
    return os.environ.get("PARSEQ_UI_PYTHON") or sys.executable


@pytest.fixture(scope="module")
def ui_url(repo_root, free_port, artifacts_dir):
    """The standalone editor, started the way a user starts it, on a free local port."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with running_server(
        [_server_python(), "-m", "lib_parseq", "ui", "--host", "127.0.0.1", "--port", str(port)],
        cwd=repo_root,
        log_path=artifacts_dir / "ui-server.log",
        ready=answers(url),
        what="the UI server",
        env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"},
    ):
        yield url


@pytest.fixture(scope="module")
def page(ui_url, launch_chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 1360, "height": 1000})
        context.set_default_timeout(TIMEOUT_MS)
        tab = context.new_page()
        tab.goto(ui_url)
        tab.wait_for_selector("#parseq_grid table")
        yield tab
        browser.close()


def _table(page, grid_id: str):
    """The grid's visible table (gradio 4 also keeps a one-row table for measuring column widths, before it)."""
    return page.locator(f"#{grid_id} table").last


def _column(page, grid_id: str, header: str) -> int:
    headers = _table(page, grid_id).locator("thead th").evaluate_all("cells => cells.map(c => c.innerText.trim())")
    assert header in headers, f"{header!r} not among the grid's columns {headers}"
    return headers.index(header)


def _cell(page, grid_id: str, row: int, header: str):
    return _table(page, grid_id).locator("tbody tr").nth(row).locator("td").nth(_column(page, grid_id, header))


def _edit_cell(page, grid_id: str, row: int, header: str, text: str) -> None:
    cell = _cell(page, grid_id, row, header)
    cell.dblclick()
    editor = _table(page, grid_id).locator("tbody input").first
    editor.fill(text)
    editor.press("Enter")
    page.wait_for_function(
        "([grid, row, col, text]) => {"
        " const tables = document.querySelectorAll(`#${grid} table`);"
        " const rows = tables[tables.length - 1].querySelectorAll('tbody tr');"
        " const cell = rows[row] && rows[row].querySelectorAll('td')[col];"
        " return cell && cell.innerText.trim() === text && !cell.querySelector('input'); }",
        arg=[grid_id, row, _column(page, grid_id, header), text],
    )


def _manifest(page) -> dict:
    text = page.eval_on_selector("#parseq_manifest_preview textarea", "box => box.value")
    return json.loads(text) if text else {}


def _wait_manifest(page, condition_js: str) -> dict:
    """Wait until the manifest shown on the page satisfies ``condition_js`` (a function of the parsed manifest)."""
    page.wait_for_function(
        "() => { const box = document.querySelector('#parseq_manifest_preview textarea');"
        " if (!box || !box.value) return false;"
        f" try {{ return ({condition_js})(JSON.parse(box.value)); }} catch (e) {{ return false; }} }}"
    )
    return _manifest(page)


def _chart_source(page) -> str:
    return page.get_attribute("#parseq_chart img", "src") or ""


def _wait_chart_change(page, before: str) -> str:
    page.wait_for_function(
        "(before) => { const img = document.querySelector('#parseq_chart img'); return img && img.src && img.src !== before; }",
        arg=before,
    )
    return _chart_source(page)


def test_edit_compile_error_import_and_send(page, artifacts_dir):
    start = _manifest(page)
    assert len(start["rendered_frames"]) == 151, "the default starter (multi-prompt morph) renders frames 0..150"
    chart = _chart_source(page)
    assert chart.startswith(("data:image/png", "http")), "gradio 3 inlines the chart, gradio 4 serves it as a file"

    # A keyframe value: strength at frame 50 goes from 0.45 to 0.9.
    assert _cell(page, "parseq_grid", 1, "frame").inner_text().strip() == "50"
    _edit_cell(page, "parseq_grid", 1, "strength", "0.9")
    manifest = _wait_manifest(page, "(m) => m.rendered_frames[50].strength === 0.9")
    assert manifest["rendered_frames"][100]["strength"] == pytest.approx(0.45)
    chart = _wait_chart_change(page, chart)

    # An interpolation cell: zoom from frame 0 becomes a ramp 1 → 2.
    _edit_cell(page, "parseq_grid", 0, "zoom_i", "1 + f/150")
    manifest = _wait_manifest(page, "(m) => Math.abs(m.rendered_frames[75].zoom - 1.5) < 1e-9")
    assert manifest["rendered_frames"][150]["zoom"] == pytest.approx(2.0)
    chart = _wait_chart_change(page, chart)
    assert page.locator("#parseq_errors pre").count() == 0

    # A syntax error shows field, frame and a caret under the problem; the last good manifest stays.
    _edit_cell(page, "parseq_grid", 0, "zoom_i", "1 + (f")
    error = page.locator("#parseq_errors pre.parseq-error")
    error.wait_for()
    message = error.inner_text()
    assert "zoom" in message and "1 + (f" in message and "^" in message, message
    assert message.startswith("ParseError: zoom @ frame 0 (zoom_i from keyframe 0): unexpected end of input"), message
    page.screenshot(path=str(artifacts_dir / "ui-syntax-error.png"), full_page=True)
    _edit_cell(page, "parseq_grid", 0, "zoom_i", "1")
    page.wait_for_selector("#parseq_errors pre", state="detached")
    _wait_manifest(page, "(m) => m.rendered_frames[75].zoom === 1")

    # A prompt edit reaches the rendered prompts.
    page.locator("#parseq_views button", has_text="Prompts").first.click()
    _edit_cell(page, "parseq_prompts", 0, "positive", "a snowy forest at dawn")
    manifest = _wait_manifest(page, "(m) => m.rendered_frames[0].deforum_prompt.startsWith('a snowy forest at dawn')")
    assert "a neon city at night" in manifest["rendered_frames"][60]["deforum_prompt"]

    # Add a keyframe between two others: the grid shows it in frame order.
    page.locator("#parseq_row_frame input").fill("25")
    page.locator("#parseq_add_keyframe").click()
    page.wait_for_function(
        "() => { const t = document.querySelectorAll('#parseq_grid table'); const rows = t[t.length - 1].querySelectorAll('tbody tr');"
        " return Array.from(rows).map(r => r.querySelector('td').innerText.trim()).join(',') === '0,25,50,100,150'; }"
    )

    # Export: the document and manifest files, and Deforum schedule strings.
    page.locator("#parseq_views button", has_text="Export").first.click()
    page.locator("#parseq_export_button").click()
    page.wait_for_function("() => document.querySelector('#parseq_deforum_schedules textarea').value.includes('strength')")
    schedules = json.loads(page.input_value("#parseq_deforum_schedules textarea"))
    assert any(key.startswith("strength") and schedules[key].startswith("0:(") for key in schedules), schedules
    page.wait_for_function(
        "() => document.querySelector('#parseq_manifest_file').innerText.replace(/\\s/g, '').includes('parseq-manifest.json')"
    )
    assert "parseq-document.json" in "".join(page.locator("#parseq_document_file").inner_text().split())

    # Import Deforum settings: their schedules become keyframes.
    page.locator("#parseq_views button", has_text="Import").first.click()
    settings = {
        "max_frames": 120,
        "fps": 24,
        "animation_mode": "2D",
        "strength_schedule": "0:(0.7), 60:(0.3)",
        "prompts": {"0": "a red fox in the snow"},
    }
    page.locator("#parseq_import_text textarea").fill(json.dumps(settings))
    page.locator("#parseq_import_button").click()
    manifest = _wait_manifest(page, "(m) => m.rendered_frames.length === 120")
    assert manifest["rendered_frames"][60]["strength"] == pytest.approx(0.3)
    assert manifest["rendered_frames"][0]["strength"] == pytest.approx(0.7)
    assert "a red fox in the snow" in manifest["rendered_frames"][10]["deforum_prompt"]
    assert "Deforum settings" in page.locator("#parseq_status").first.inner_text()
    frames = _table(page, "parseq_grid").locator("tbody tr").evaluate_all(
        "rows => rows.map(r => r.querySelector('td').innerText.trim())"
    )
    assert "60" in frames and "119" in frames
    assert page.input_value("#parseq_last_frame input") == "119"
    assert page.input_value("#parseq_fps input") == "24"

    # Send to img2img: the standalone page has no img2img tab and says so.
    page.locator("#parseq_send").click()
    page.wait_for_function("() => document.querySelector('#parseq_send_note').innerText.includes('no img2img tab')")

    # An A1111-like page around the tab: a tab bar with an img2img button, and img2img's Script menu whose
    # "Parseq" option, once chosen, shows the script's manifest box. Nothing of javascript/parseq.js is
    # stubbed: it finds the menu, opens it, chooses Parseq, waits for the box, fills it and switches tab
    # through the tab bar (the real-host suite, branch realhost, runs the same path in A1111 itself).
    page.evaluate(
        """() => {
            const tabs = document.createElement('div'); tabs.id = 'tabs';
            const img2img = document.createElement('button'); img2img.textContent = ' img2img ';
            img2img.addEventListener('click', () => { window.__parseqTab = 'img2img'; });
            tabs.appendChild(img2img); document.body.appendChild(tabs);
            const tab = document.createElement('div'); tab.id = 'tab_img2img';
            const menu = document.createElement('div'); menu.id = 'script_list';
            const input = document.createElement('input'); input.value = 'None';
            input.addEventListener('click', () => {
                const list = document.createElement('ul'); const option = document.createElement('li');
                option.dataset.value = 'Parseq'; list.appendChild(option); menu.appendChild(list);
                option.addEventListener('mousedown', () => {
                    input.value = 'Parseq';
                    const holder = document.createElement('div'); holder.id = 'parseq_manifest';
                    const box = document.createElement('textarea'); holder.appendChild(box); tab.appendChild(holder);
                    window.__parseqInputs = 0;
                    box.addEventListener('input', () => { window.__parseqInputs += 1; });
                });
            });
            menu.appendChild(input); tab.appendChild(menu); document.body.appendChild(tab);
        }"""
    )
    page.locator("#parseq_send").click()
    page.wait_for_function("() => window.__parseqTab === 'img2img' && window.__parseqInputs === 1")
    assert page.input_value("#script_list input") == "Parseq", "the Script menu was set to Parseq"
    sent = json.loads(page.eval_on_selector("#parseq_manifest textarea", "box => box.value"))
    assert len(sent["rendered_frames"]) == 120 and sent["rendered_frames"][60]["strength"] == pytest.approx(0.3)
    assert "Sent to img2img, with the Parseq script chosen in its Script menu." in page.locator(
        "#parseq_send_note").first.inner_text()
    page.evaluate("() => { for (const id of ['tabs', 'tab_img2img']) document.getElementById(id).remove(); }")

    page.locator("#parseq_views button", has_text="Graphs").first.click()
    page.locator("#parseq_chart img").wait_for()
    page.screenshot(path=str(artifacts_dir / "ui-editor.png"), full_page=True)
    assert (artifacts_dir / "ui-editor.png").stat().st_size > 10_000


def test_audio_panel_analyses_and_merges_series_keyframes_and_bpm(page, artifacts_dir, tmp_path):
    pytest.importorskip("librosa", reason="librosa (requirements.txt) is needed for the Audio panel")
    from audio_steps import analyse_click_track

    summary = analyse_click_track(page, tmp_path, 120)
    tempo = float(re.search(r"tempo ([\d.]+) bpm", summary).group(1))
    assert abs(tempo - 120) < 1, summary
    assert "4 beats per bar" in summary
    page.wait_for_function("() => { const img = document.querySelector('#parseq_audio_chart img'); return img && img.src; }")
    audio_chart = page.get_attribute("#parseq_audio_chart img", "src")

    # Another series choice redraws the panel's chart.
    page.locator("#parseq_audio_series label", has_text="centroid").click()
    page.wait_for_function(
        "(before) => { const img = document.querySelector('#parseq_audio_chart img'); return img && img.src !== before; }",
        arg=audio_chart,
    )

    page.locator("#parseq_audio_add_series").click()
    manifest = _wait_manifest(page, "(m) => (m.timeSeries || []).some(t => t.alias === 'rms')")
    aliases = {entry["alias"] for entry in manifest["timeSeries"]}
    assert {"onset", "rms", "centroid", "beat"} <= aliases
    assert manifest["meta"]["audio"]["file"].endswith("click-120.wav")
    assert "Audio: series" in page.locator("#parseq_status").first.inner_text()

    main_chart = _chart_source(page)
    page.locator("#parseq_audio_add_keyframes").click()
    manifest = _wait_manifest(page, "(m) => m.keyframes.filter(k => /beat/.test(k.info || '')).length >= 10")
    fps = float(manifest["options"]["output_fps"])
    beat_frames = sorted(k["frame"] for k in manifest["keyframes"] if re.search(r"beat", k.get("info") or ""))
    gaps = [b - a for a, b in zip(beat_frames, beat_frames[1:], strict=False)]
    assert all(abs(gap - fps / 2) <= 1 for gap in gaps), (fps, beat_frames)
    assert any(k.get("info") == "downbeat" for k in manifest["keyframes"])
    assert len(manifest["rendered_frames"]) >= 7 * fps, "extended to the end of the audio"
    _wait_chart_change(page, main_chart)

    page.locator("#parseq_audio_take_bpm").click()
    page.wait_for_function("() => Math.abs(parseFloat(document.querySelector('#parseq_bpm input').value) - 120) < 1")
    manifest = _wait_manifest(page, "(m) => Math.abs(m.options.bpm - 120) < 1")
    page.locator("#parseq_views button", has_text="Audio").first.click()
    page.screenshot(path=str(artifacts_dir / "ui-audio.png"), full_page=True)
