"""install.py run as A1111 runs it: a subprocess with PYTHONPATH = the webui root (here the stand-in's launch)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
STAND_IN = HERE / "stand_in"
PROTECTED = ("gradio", "numpy", "pillow", "torch")


def run_install(repo_root: Path, python: str, tmp_path: Path, *extra_args: str) -> list[dict]:
    log = tmp_path / "pip.jsonl"
    env = {**os.environ, "PYTHONPATH": str(STAND_IN), "STANDIN_PIP_LOG": str(log)}
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run([python, str(repo_root / "install.py"), *extra_args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_nothing_to_install_where_everything_is_present(repo_root, tmp_path):
    assert run_install(repo_root, sys.executable, tmp_path) == []


def _bare_python() -> str | None:
    """A Python without imageio-ffmpeg (the system one, in this project's CI)."""
    for candidate in ("python3", "python"):
        path = shutil.which(candidate)
        if path and os.path.realpath(path) != os.path.realpath(sys.executable):
            probe = subprocess.run([path, "-c", "import imageio_ffmpeg"], capture_output=True)
            if probe.returncode != 0:
                return path
    return None


def test_installs_missing_packages_pinned_and_holds_a1111_pins(repo_root, tmp_path):
    python = _bare_python()
    if python is None:
        pytest.skip("no Python without imageio-ffmpeg on this machine")
    calls = run_install(repo_root, python, tmp_path)
    specs = [call["command"].split('"')[1] for call in calls]
    assert "imageio-ffmpeg==0.8.1" in specs
    for call in calls:
        assert call["command"].startswith("install ")
        assert " -c " in call["command"] and call["line"].endswith("--prefer-binary")
        spec = call["command"].split('"')[1].lower()
        assert not spec.startswith(PROTECTED), spec
        constraints = next(iter(call["files"].values()))
        pinned = {line.split("==")[0].lower() for line in constraints.splitlines()}
        installed = subprocess.run([python, "-c", "import importlib.metadata as m; print(m.version('numpy'))"],
                                   capture_output=True, text=True)
        if installed.returncode == 0:
            assert f"numpy=={installed.stdout.strip()}" in constraints
            assert "numpy" in pinned


def test_skip_install_does_nothing(repo_root, tmp_path):
    python = _bare_python() or sys.executable
    assert run_install(repo_root, python, tmp_path, "--skip-install") == []

