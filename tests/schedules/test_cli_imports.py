"""Each command imports what it needs and no more (start-up time), and the full command list is still there for help."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import sys
from lib_parseq.cli import main
status = main(sys.argv[1:])
heavy = ("cv2", "matplotlib", "gradio", "librosa", "regex", "PIL", "lib_parseq.render", "lib_parseq.backends",
         "lib_parseq.audio", "lib_parseq.schedules.deforum", "lib_parseq.ui", "lib_parseq.net", "ssl", "http")
loaded = sorted(name for name in sys.modules
                if name.startswith("lib_parseq.cli.cmd_") or name.split(".")[0] in heavy or name.startswith(heavy))
print("IMPORTED", ",".join(loaded), file=sys.stderr)
sys.exit(status)
"""


def imported(repo_root, tmp_path, *args) -> tuple[int, list[str]]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=repo_root, capture_output=True, text=True,
                          timeout=120)
    line = next(line for line in done.stderr.splitlines() if line.startswith("IMPORTED"))
    return done.returncode, [name for name in line.split(" ", 1)[1].split(",") if name]


def test_compile_imports_only_its_command_and_nothing_heavy(repo_root, tmp_path):
    document = tmp_path / "doc.json"
    document.write_text(json.dumps({"keyframes": [{"frame": 0, "zoom": 1, "info": "beat"}, {"frame": 9, "zoom": 2}],
                                    "managedFields": ["zoom"]}))
    status, loaded = imported(repo_root, tmp_path, "compile", str(document), "-o", str(tmp_path / "m.json"))
    assert status == 0
    assert loaded == ["lib_parseq.cli.cmd_compile"]


def test_eval_imports_only_its_command(repo_root, tmp_path):
    status, loaded = imported(repo_root, tmp_path, "eval", 'sin(p=10) + info_match("beat")', "--frames", "3")
    assert status == 0
    assert loaded == ["lib_parseq.cli.cmd_eval"]


def test_check_of_a_file_imports_no_network_modules(repo_root, tmp_path):
    document = tmp_path / "doc.json"
    document.write_text(json.dumps({"keyframes": [{"frame": 0, "zoom": 1}, {"frame": 9, "zoom": 2}],
                                    "managedFields": ["zoom"]}))
    status, loaded = imported(repo_root, tmp_path, "check", str(document))
    assert status in (0, 1), "checked (1: with warnings)"
    assert loaded == ["lib_parseq.cli.cmd_check"]


def test_help_still_lists_every_command(repo_root):
    done = subprocess.run([sys.executable, "-m", "lib_parseq", "--help"], cwd=repo_root, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0
    for command in ("eval", "compile", "plot", "deforum", "render", "check", "audio", "ui"):
        assert command in done.stdout
    unknown = subprocess.run([sys.executable, "-m", "lib_parseq", "compiel"], cwd=repo_root, capture_output=True,
                             text=True, timeout=120)
    assert unknown.returncode == 2 and "invalid choice" in unknown.stderr and "compile" in unknown.stderr
