"""``info_match*`` regular expressions come from strangers: a catastrophic pattern is a clear error within the
time budget (never a hang), and each distinct pattern is matched once per keyframe label however many frames
use it. The hang cases run in a subprocess with a deadline, so a regression fails instead of hanging the suite."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lib_parseq.language import (
    FieldProgram,
    KeyframeInfo,
    Timing,
    evaluate_field,
    evaluate_field_per_frame,
    keyframe_info,
)

REPO = Path(__file__).resolve().parents[2]
EVIL_LABEL = "a" * 40 + "!"
NESTED = "(a+)+$"  # hangs Python's re on EVIL_LABEL; the regex engine answers at once
CATASTROPHIC = "(a|aa)+$"  # backtracks for ever in any backtracking engine
INFO_FUNCTIONS = ["info_match", "info_match_count", "info_match_prev", "info_match_last", "info_match_next",
                  "info_match_gap", "info_match_progress", "info_match_since", "info_match_until"]
DEADLINE_S = 60


def parseq(*args: str, stdin: str | None = None, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "lib_parseq", *args], input=stdin, cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=DEADLINE_S)


def evil_document(pattern: str) -> dict:
    return {
        "options": {"output_fps": 20, "bpm": 120},
        "managedFields": ["strength"],
        "keyframes": [{"frame": 0, "strength": 0.5, "info": EVIL_LABEL},
                      {"frame": 10, "strength": 0.6, "strength_i": f'L + info_match("{pattern}")'}],
    }


def test_check_answers_the_nested_repeat_that_hung_it(tmp_path):
    path = tmp_path / "nested.json"
    path.write_text(json.dumps(evil_document(NESTED)))
    done = parseq("check", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "document: OK" in done.stdout


def test_check_reports_a_catastrophic_info_match_with_field_frame_and_position(tmp_path):
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(evil_document(CATASTROPHIC)))
    done = parseq("check", str(path))
    assert done.returncode == 2, done.stdout + done.stderr
    output = done.stdout + done.stderr
    assert "needs more than" in output and CATASTROPHIC in output
    assert "strength" in output and "frame 10" in output and "1:5" in output


def test_every_info_match_function_is_bounded():
    requests = "".join(json.dumps({"expr": f'{name}("{CATASTROPHIC}")', "frames": 3, "info": {"0": EVIL_LABEL}}) + "\n"
                       for name in INFO_FUNCTIONS)
    done = parseq("eval", "--jsonl", stdin=requests)
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answers) == len(INFO_FUNCTIONS), done.stderr
    for name, answer in zip(INFO_FUNCTIONS, answers, strict=True):
        assert "needs more than" in answer.get("error", ""), (name, answer)


def test_a_prompt_with_a_catastrophic_info_match_is_an_error(tmp_path):
    document = {
        "options": {"output_fps": 20, "bpm": 120},
        "managedFields": ["strength"],
        "keyframes": [{"frame": 0, "strength": 0.5, "info": EVIL_LABEL}, {"frame": 4, "strength": 0.6}],
        "prompts": {"format": "v2", "enabled": True, "promptList": [
            {"positive": 'a cat ${info_match("' + CATASTROPHIC + '")}', "negative": "", "allFrames": True}]},
    }
    path = tmp_path / "evil-prompt.json"
    path.write_text(json.dumps(document))
    done = parseq("compile", str(path))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "needs more than" in done.stderr


def evaluate(expression: str, frames: int, labels: dict[int, str], *, per_frame: bool = False) -> np.ndarray:
    keyframes = [KeyframeInfo(frame, labels.get(frame)) for frame in sorted({0, frames - 1, *labels})]
    program = FieldProgram("value", frames, [(0, 0.0), (frames - 1, 1.0)], [(0, expression)], 0.0)
    evaluator = evaluate_field_per_frame if per_frame else evaluate_field
    return evaluator(program, timing=Timing(20.0, 120.0), keyframes=keyframes, other_fields={}).values


@pytest.mark.parametrize("name", INFO_FUNCTIONS)
def test_a_pattern_per_frame_gives_the_per_frame_results(name):
    labels = {0: "x0 start", 3: "x3", 7: "drum x12", 12: "x12", 19: "x0 again"}
    expression = f'{name}("x" + (f % 13), 99)' if name not in ("info_match", "info_match_count") \
        else f'{name}("x" + (f % 13))'
    np.testing.assert_array_equal(evaluate(expression, 20, labels), evaluate(expression, 20, labels, per_frame=True))


def test_each_distinct_pattern_is_searched_once_per_label(monkeypatch):
    searched: list[str] = []
    original = keyframe_info.InfoMatcher._search_all

    def counting(self, pattern):
        searched.append(pattern)
        return original(self, pattern)

    monkeypatch.setattr(keyframe_info.InfoMatcher, "_search_all", counting)
    frames = 5_000
    values = evaluate('info_match("x" + (f % 50)) + info_match_count("x1")', frames, {0: "x1", 10: "x7"})
    assert sorted(searched) == sorted({f"x{n}" for n in range(50)} | {"x1"})
    assert (values[0], values[1], values[10], values[57]) == (1, 2, 1, 2)


@settings(max_examples=300, deadline=None)
@given(pattern=st.text(alphabet="ab^$\n.*", max_size=5), labels=st.lists(st.text(alphabet="ab\n$^", max_size=5),
                                                                         max_size=4))
def test_matching_agrees_with_python_re(pattern, labels):
    """Plain words take a text shortcut and the rest the regex engine: both mean what ``re.search`` means
    (for the patterns ``re`` accepts; the regex engine also accepts a few that ``re`` rejects, such as ``^*``)."""
    try:
        compiled = re.compile(pattern)
    except re.error:
        assume(False)
    expected = [compiled.search(label) is not None for label in labels]
    assert keyframe_info.InfoMatcher(labels).matches(pattern).tolist() == expected
