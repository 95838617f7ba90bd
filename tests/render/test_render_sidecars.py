"""Files written beside the video (GIF, WebM, the resume work folder, frames) never follow a symbolic link out of
the output folder, with or without ``--overwrite`` (``python -m lib_parseq render``, real ffmpeg)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def render(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "lib_parseq", "render", "examples/orbit.manifest.json", "--init",
                           "examples/init.png", "--dry-run", "--frames", "0:3", "--size", "64x64", "--quiet", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    (tmp_path / "out").mkdir()
    (tmp_path / "elsewhere").mkdir()
    return tmp_path


def assert_refused(done: subprocess.CompletedProcess, link: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "symbolic link" in done.stderr and link in done.stderr


@pytest.mark.parametrize("extra", [(), ("--overwrite",)])
def test_a_symlinked_gif_is_refused_and_its_target_kept(workdir, extra):
    target = workdir / "elsewhere" / "precious.gif"
    target.write_bytes(b"precious")
    (workdir / "out" / "video.gif").symlink_to(target)
    done = render("-o", "out/video.mp4", "--gif", *extra, cwd=workdir)
    assert target.read_bytes() == b"precious"
    assert_refused(done, "video.gif")
    assert not (workdir / "out" / "video.mp4").exists()


def test_a_symlinked_webm_is_refused(workdir):
    target = workdir / "elsewhere" / "precious.webm"
    target.write_bytes(b"precious")
    (workdir / "out" / "video.webm").symlink_to(target)
    done = render("-o", "out/video.mp4", "--webm", "--overwrite", cwd=workdir)
    assert target.read_bytes() == b"precious"
    assert_refused(done, "video.webm")


@pytest.mark.parametrize("extra", [(), ("--overwrite",)])
def test_a_symlinked_work_folder_is_refused(workdir, extra):
    elsewhere = workdir / "elsewhere"
    (workdir / "out" / ".video.mp4.parseq").symlink_to(elsewhere, target_is_directory=True)
    done = render("-o", "out/video.mp4", *extra, cwd=workdir)
    assert list(elsewhere.iterdir()) == []
    assert_refused(done, ".video.mp4.parseq")


def test_a_symlinked_frames_folder_inside_the_output_folder_is_refused(workdir):
    elsewhere = workdir / "elsewhere"
    (workdir / "out" / "frames").symlink_to(elsewhere, target_is_directory=True)
    done = render("-o", "out/video.mp4", "--save-frames", str(workdir / "out" / "frames"), cwd=workdir)
    assert list(elsewhere.iterdir()) == []
    assert_refused(done, "frames")


def test_plain_sidecars_are_still_written(workdir):
    done = render("-o", "out/video.mp4", "--gif", "--webm", "--save-frames", str(workdir / "out" / "frames"),
                  cwd=workdir)
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in (workdir / "out").iterdir())
    assert names == ["frames", "video.gif", "video.mp4", "video.webm"]
    assert len(list((workdir / "out" / "frames").glob("frame_*.png"))) == 3
