"""Every file in tests/data/bad/ gets the message its index line expects from ``parseq check``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lib_parseq.cli.cmd_check import check_source

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
CASES = [json.loads(line) for line in (BAD / "cases.jsonl").read_text(encoding="utf-8").splitlines() if line]


def _matches(problem, case) -> bool:
    path = case["path"]
    path_ok = problem.path.startswith(path[:-1]) if path.endswith("*") else problem.path == path
    return problem.severity == case["severity"] and path_ok and case["message"] in problem.message


def test_the_corpus_is_large_and_varied():
    assert len(CASES) >= 100
    assert len({case["file"] for case in CASES}) == len(CASES)
    assert len({case["message"] for case in CASES}) > 100
    assert all((BAD / case["file"]).is_file() for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case["file"] for case in CASES])
def test_bad_input_gets_the_expected_message(case):
    _kind, problems = check_source(str(BAD / case["file"]), max_frames=case.get("max_frames", 100_000))
    assert any(_matches(p, case) for p in problems), [str(p) for p in problems]
    worst = 2 if any(p.severity == "error" for p in problems) else 1 if problems else 0
    assert worst == case["exit"], [str(p) for p in problems]


@pytest.mark.parametrize("name, status", [
    ("json_trailing_comma.json", 2), ("frames_duplicate.json", 2), ("cell_word.json", 1),
    ("manifest_frame_gap.json", 2), ("json_nested_too_deep.json", 2),
])
def test_the_command_line_reports_without_a_traceback(name, status, repo_root):
    result = subprocess.run(
        [sys.executable, "-m", "lib_parseq", "check", str(BAD / name)],
        cwd=repo_root, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == status, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert name in result.stdout


def test_the_command_line_json_output_and_worst_status(repo_root):
    result = subprocess.run(
        [sys.executable, "-m", "lib_parseq", "check", "--json", str(BAD / "cell_word.json"),
         str(BAD / "fps_zero.json")],
        cwd=repo_root, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {(r["severity"], r["path"]) for r in records} >= {
        ("warning", "$.keyframes[0].zoom"), ("error", "$.options.output_fps"),
    }


def test_a_clean_document_exits_zero(tmp_path, repo_root):
    doc = tmp_path / "good.json"
    doc.write_text(json.dumps({"options": {"output_fps": 20, "bpm": 140},
                               "keyframes": [{"frame": 0, "zoom": 1}, {"frame": 4, "zoom": 2}]}))
    result = subprocess.run([sys.executable, "-m", "lib_parseq", "check", str(doc)],
                            cwd=repo_root, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK" in result.stdout
