"""The compile, plot and deforum commands, run as real subprocesses: outputs, exit codes, messages."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

DOCUMENT = {
    "options": {"output_fps": 10, "bpm": 120},
    "managedFields": ["zoom", "strength"],
    "keyframes": [{"frame": 0, "zoom": 1, "strength": 0.5}, {"frame": 10, "zoom": 2, "zoom_i": "L"}],
    "prompts": {"positive": "a cat", "negative": ""},
}


def parseq(*args, cwd, stdin=None):
    return subprocess.run([sys.executable, "-m", "lib_parseq", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture()
def document_file(tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(DOCUMENT))
    return path


def test_compile_writes_a_manifest_file(repo_root, tmp_path, document_file):
    out = tmp_path / "manifest.json"
    result = parseq("compile", str(document_file), "-o", str(out), cwd=repo_root)
    assert result.returncode == 0, result.stderr
    manifest = json.loads(out.read_text())
    assert len(manifest["rendered_frames"]) == 11
    assert manifest["rendered_frames"][5]["zoom"] == 1.5
    assert manifest["rendered_frames"][0]["deforum_prompt"] == "a cat"


def test_compile_to_stdout_from_stdin(repo_root):
    result = parseq("compile", "-", "-o", "-", cwd=repo_root, stdin=json.dumps(DOCUMENT))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rendered_frames"][10]["zoom_pc"] == 100


def test_compile_bad_json_exits_2_with_line_and_column(repo_root, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "keyframes": [\n    {"frame": 0,}\n  ]\n}')
    result = parseq("compile", str(bad), cwd=repo_root)
    assert result.returncode == 2
    assert "line 3, column 17" in result.stderr and "Traceback" not in result.stderr


def test_compile_expression_error_exits_2_with_a_caret(repo_root, tmp_path):
    broken = dict(DOCUMENT, keyframes=[{"frame": 0, "zoom_i": "sn(p=4)"}, {"frame": 4}])
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    result = parseq("compile", str(path), cwd=repo_root)
    assert result.returncode == 2
    assert "zoom" in result.stderr and "sn" in result.stderr and "^" in result.stderr
    assert "Traceback" not in result.stderr


def test_compile_frame_cap_and_missing_file(repo_root, tmp_path, document_file):
    capped = parseq("compile", str(document_file), "--max-frames", "5", cwd=repo_root)
    assert capped.returncode == 2 and "a render may have at most 5 frames" in capped.stderr
    missing = parseq("compile", str(tmp_path / "nope.json"), cwd=repo_root)
    assert missing.returncode == 2 and "nope.json: no such file" in missing.stderr


def test_deforum_prints_schedule_strings(repo_root, document_file):
    result = parseq("deforum", str(document_file), cwd=repo_root)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(": ", 1) for line in result.stdout.strip().splitlines())
    assert lines["strength_schedule"] == "0:(0.5), 10:(0.5)"
    assert lines["zoom"] == "0:(1), 1:(1.1), 10:(1.1)"
    as_json = parseq("deforum", str(document_file), "--json", "--fields", "zoom", cwd=repo_root)
    assert json.loads(as_json.stdout) == {"zoom": "0:(1), 1:(1.1), 10:(1.1)"}


def test_plot_writes_a_png(repo_root, tmp_path, document_file):
    out = tmp_path / "schedules.png"
    result = parseq("plot", str(document_file), "-o", str(out), cwd=repo_root)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "1 animated field" in result.stderr  # zoom changes, strength is constant


def test_plot_unknown_field_exits_2(repo_root, tmp_path, document_file):
    result = parseq("plot", str(document_file), "-o", str(tmp_path / "x.png"), "--fields", "nope", cwd=repo_root)
    assert result.returncode == 2 and "nope" in result.stderr
