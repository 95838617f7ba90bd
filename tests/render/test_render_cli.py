"""``python -m lib_parseq render``: the README's quick start, exit codes and one-line errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from render_helpers import decode_frames

REPO = Path(__file__).resolve().parents[2]


def parseq(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "lib_parseq", "render", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    return tmp_path


def test_readme_quick_start_renders_the_example(workdir):
    done = parseq("examples/orbit.json", "--init", "examples/init.png", "-o", "out/example.mp4", "--dry-run",
                  cwd=workdir)
    assert done.returncode == 0, done.stderr
    meta, frames = decode_frames(workdir / "out" / "example.mp4")
    assert len(frames) == 96 and meta["size"] == (512, 512) and meta["fps"] == pytest.approx(20)
    assert "frame/s" in done.stderr and "Wrote" in done.stderr
    assert not (workdir / "out" / ".example.mp4.parseq").exists()


def test_the_bundled_manifest_renders_a_range(workdir):
    done = parseq("examples/orbit.manifest.json", "--init", "examples/init.png", "-o", "out/part.mp4", "--dry-run",
                  "--frames", "10:30", "--size", "128x128", "--quiet", cwd=workdir)
    assert done.returncode == 0, done.stderr
    meta, frames = decode_frames(workdir / "out" / "part.mp4")
    assert len(frames) == 20 and meta["size"] == (128, 128)


def test_genesis_fixed_renders_every_frame_from_the_init_image(workdir):
    done = parseq("examples/orbit.manifest.json", "--init", "examples/init.png", "-o", "out/fixed.mp4", "--dry-run",
                  "--frames", "0:6", "--size", "128x128", "--genesis", "fixed", "--quiet", "--crf", "0",
                  cwd=workdir)
    assert done.returncode == 0, done.stderr
    loopback = parseq("examples/orbit.manifest.json", "--init", "examples/init.png", "-o", "out/loop.mp4",
                      "--dry-run", "--frames", "0:6", "--size", "128x128", "--quiet", "--crf", "0", cwd=workdir)
    assert loopback.returncode == 0, loopback.stderr
    fixed, successive = (decode_frames(workdir / "out" / name)[1] for name in ("fixed.mp4", "loop.mp4"))
    assert len(fixed) == len(successive) == 6
    # the orbit moves the camera every frame: loopback accumulates the steps, fixed applies each frame's own
    assert not all((a == b).all() for a, b in zip(fixed[1:], successive[1:], strict=True))
    bad = parseq("examples/orbit.manifest.json", "--init", "examples/init.png", "-o", "out/x.mp4", "--dry-run",
                 "--genesis", "sideways", cwd=workdir)
    assert bad.returncode == 2 and "invalid choice: 'sideways'" in bad.stderr


@pytest.mark.parametrize("args,expected", [
    ((), "choose a backend"),
    (("--dry-run", "--init", "missing.png"), "init image not found"),
    (("--dry-run", "-o", "../escape.mp4"), "may not contain '..'"),
    (("--dry-run", "-o", "out/<seed>.mp4"), "unknown placeholder"),
    (("--dry-run", "--size", "513x512"), "even"),
])
def test_user_errors_exit_2_with_one_clear_line(workdir, args, expected):
    base = {"--init": "examples/init.png", "-o": "out/video.mp4"}
    argv = list(args)
    for flag, value in base.items():
        if flag not in argv:
            argv += [flag, value]
    done = parseq("examples/orbit.json", *argv, "--quiet", cwd=workdir)
    assert done.returncode == 2
    assert expected in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (workdir / "out" / "video.mp4").exists()


def test_the_cli_offers_exactly_the_pipelines_choices():
    """The CLI keeps its own copies of the choices (so `--help` starts without OpenCV); they must not drift."""
    from lib_parseq.cli import cmd_render
    from lib_parseq.frames.flow import FLOW_METHODS
    from lib_parseq.frames.warp import (
        BORDER_ALIASES,
        BORDER_FLAGS,
        INTERPOLATION_ALIASES,
        INTERPOLATION_FLAGS,
    )

    assert cmd_render.FLOW_METHODS == FLOW_METHODS
    assert set(cmd_render.BORDERS) == set(BORDER_FLAGS) | set(BORDER_ALIASES)
    assert set(cmd_render.SAMPLINGS) == set(INTERPOLATION_FLAGS) | set(INTERPOLATION_ALIASES)
    from lib_parseq.render.genesis import GENESIS_MODES

    assert cmd_render.GENESIS == GENESIS_MODES


@pytest.mark.parametrize(("flags", "expected"), [
    ((), 100),  # the dry run keeps segments: parts of 100 frames (issue 13)
    (("--checkpoint-every", "25"), 25),  # the old default, by the flag
    (("--resume-state", "frames"), 25),  # a PNG of every frame: checkpoints stay cheap and frequent
    (("--save-frames", "saved"), 25),  # which keeps the frames way
])
def test_the_dry_run_checkpoints_every_100_frames_in_segments_unless_told(workdir, monkeypatch, flags, expected):
    import lib_parseq.render.loop as loop
    from lib_parseq.cli import main

    chosen = []
    real_interval = loop.checkpoint_interval

    def capture(every, size):
        chosen.append(every)
        return real_interval(every, size)

    monkeypatch.setattr(loop, "checkpoint_interval", capture)
    monkeypatch.chdir(workdir)
    assert main(["render", "examples/orbit.manifest.json", "--init", "examples/init.png", "-o", "out/c.mp4",
                 "--dry-run", "--quiet", "--frames", "0:3", "--size", "32x32", *flags]) == 0
    assert chosen == [expected]
