"""Lone surrogates (``"\\ud800"`` in JSON: half a UTF-16 pair, no character) are one clear error naming where
they are, in every command; output files are replaced atomically, so a failed write loses nothing. Commands
run as subprocesses: on a regression the overlay crashed the interpreter (exit 139)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lib_parseq.atomic import write_atomic, write_text_atomic
from lib_parseq.errors import DocumentError
from lib_parseq.ui.importing import import_text

REPO = Path(__file__).resolve().parents[2]
PROMPT_PATH = "$.prompts.promptList[0].positive"


def parseq(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "lib_parseq", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    document = (tmp_path / "examples" / "orbit.json").read_text()
    assert "a sunset over" in document
    (tmp_path / "surrogate.json").write_text(document.replace("a sunset over", "a sunset \\ud800 over"))
    return tmp_path


def assert_one_clear_error(done: subprocess.CompletedProcess, where: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert where in done.stdout + done.stderr and "lone surrogate" in done.stdout + done.stderr


def test_compile_names_the_surrogate_and_keeps_the_existing_output(workdir):
    (workdir / "out.json").write_text('{"kept": true}\n')
    done = parseq("compile", "surrogate.json", "-o", "out.json", cwd=workdir)
    assert (workdir / "out.json").read_text() == '{"kept": true}\n'
    assert_one_clear_error(done, PROMPT_PATH)


def test_check_names_a_surrogate_key_escaped(workdir):
    document = json.loads((workdir / "examples" / "orbit.json").read_text())
    text = json.dumps(document).replace('"meta"', '"\\udc00meta"', 1)
    (workdir / "key.json").write_text(text)
    done = parseq("check", "key.json", cwd=workdir)
    assert_one_clear_error(done, '$["\\udc00meta"]')


def test_render_with_overlay_refuses_a_surrogate_in_a_manifest_prompt(workdir):
    manifest = json.loads((workdir / "examples" / "orbit.manifest.json").read_text())
    manifest["rendered_frames"][1]["deforum_prompt"] = "a fox \ud800"
    (workdir / "manifest.json").write_text(json.dumps(manifest))
    done = parseq("render", "manifest.json", "--init", "examples/init.png", "--dry-run", "--overlay",
                  "--frames", "0:3", "--size", "64x64", "-o", "out/video.mp4", "--quiet", cwd=workdir)
    assert_one_clear_error(done, "$.rendered_frames[1].deforum_prompt")
    assert not (workdir / "out" / "video.mp4").exists()


def test_the_overlay_draws_any_text_without_crashing():
    script = ("import numpy as np\nfrom lib_parseq.frames.overlay import draw_overlay\n"
              "out = draw_overlay(np.zeros((64, 96, 3), np.uint8), ['prompt: a \\ud800 fox', 'caf\\u00e9 \\U0001f98a'])\n"
              "print(int(out.sum() > 0))\n")
    done = subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": str(REPO)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"


def test_the_tab_import_names_the_surrogate(workdir):
    text = (workdir / "surrogate.json").read_text()
    with pytest.raises(DocumentError) as raised:
        import_text(json.loads(json.dumps(text)), {"keyframes": []})
    assert raised.value.path == PROMPT_PATH and "lone surrogate" in raised.value.message
    json.dumps(str(raised.value)).encode("utf-8")  # the message itself can be sent to a browser


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "manifest.json"
    target.write_text("old")
    with pytest.raises(UnicodeEncodeError):
        write_text_atomic(target, "new \ud800")

    def half_then_disk_full(handle):
        handle.write(b"partial")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        write_atomic(target, half_then_disk_full)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json"]


def test_an_atomic_write_replaces_a_link_instead_of_writing_through_it(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    link = tmp_path / "out" / "result.json"
    link.parent.mkdir()
    link.symlink_to(outside)
    write_text_atomic(link, "{}")
    assert outside.read_text() == "precious"
    assert not link.is_symlink() and link.read_text() == "{}"
