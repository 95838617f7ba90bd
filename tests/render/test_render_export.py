"""prompt-travel's export tools: ``pick`` (a slice of the rendered frames) and ``pad`` (repeat the ends),
applied to what the encoder receives, in the library, on resume and through the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from render_helpers import decode_frames, make_manifest

from lib_parseq.errors import RenderError
from lib_parseq.render import DryRunBackend, RenderSettings, render
from lib_parseq.render.export import parse_pad, parse_pick
from lib_parseq.render.pipeline import RenderStopped

REPO = Path(__file__).resolve().parents[2]


class NumberedFrames(DryRunBackend):
    """Frame f comes out as a flat grey of level 10·f, so the decoded video says which frames it holds."""

    def __init__(self, stop_at: int | None = None) -> None:
        super().__init__()
        self.stop_at = stop_at

    def generate(self, image, params):
        if params.frame == self.stop_at:
            raise RenderStopped
        return np.full_like(image, 10 * params.frame)


def levels(path: Path) -> list[int]:
    return [int(round(frame.mean() / 10)) for frame in decode_frames(path)[1]]


def settings_for(tmp_path, **extra) -> RenderSettings:
    return RenderSettings(output="out.mp4", output_dir=tmp_path / "out", preset="ultrafast", crf=0, **extra)


@pytest.mark.parametrize("text,expected", [
    ("", slice(None)), ("::2", slice(None, None, 2)), (":-1", slice(None, -1)), ("3:", slice(3, None)),
    ("1:8:3", slice(1, 8, 3)), (" 2 : -2 ", slice(2, -2)), ("5", slice(5, 6)),
    ("-1", slice(-1, None)), ("-3", slice(-3, -2)),
])
def test_pick_reads_python_slices(text, expected):
    assert parse_pick(text) == expected


@pytest.mark.parametrize("text", ["::0", "a", "1:2:3:4", "__import__('os')", "1.5:", "1e3:", ":" * 3, "--1", "::-1"])
def test_bad_picks_are_one_clear_error(text):
    with pytest.raises(RenderError, match="pick"):
        parse_pick(text)


def test_pad_forms():
    assert parse_pad("3") == (3, 3) and parse_pad("0,4") == (0, 4) and parse_pad(2) == (2, 2)
    assert parse_pad((1, 0)) == (1, 0) and parse_pad("") == (0, 0)
    for bad in ("-1", "1,2,3", "x", "1.5", "9999999"):
        with pytest.raises(RenderError, match="pad"):
            parse_pad(bad)


def test_pick_and_pad_shape_the_video(tmp_path):
    result = render(make_manifest(7), settings_for(tmp_path, pick="1::2", pad=(2, 1)), NumberedFrames(),
                    init_image=np.zeros((16, 16, 3), np.uint8))
    assert levels(result.video_path) == [1, 1, 1, 3, 5, 5]
    assert result.frames_written == 7


def test_pick_counts_within_a_frame_range(tmp_path):
    result = render(make_manifest(9), settings_for(tmp_path, frames=(2, 7), pick="-2:", pad=(0, 2)),
                    NumberedFrames(), init_image=np.zeros((16, 16, 3), np.uint8))
    assert levels(result.video_path) == [5, 6, 6, 6]


def test_a_pick_that_selects_nothing_fails_before_rendering(tmp_path):
    with pytest.raises(RenderError, match="selects none of the 5 frames"):
        render(make_manifest(5), settings_for(tmp_path, pick="10:"), NumberedFrames(),
               init_image=np.zeros((16, 16, 3), np.uint8))
    assert not (tmp_path / "out" / "out.mp4").exists()


def test_resume_picks_and_pads_the_replayed_frames_too(tmp_path):
    settings = dict(pick=":-1", pad=(1, 1))
    stopped = render(make_manifest(6), settings_for(tmp_path, **settings), NumberedFrames(stop_at=3),
                     init_image=np.zeros((16, 16, 3), np.uint8))
    assert stopped.interrupted and levels(stopped.video_path) == [0, 0, 1, 2]
    resumed = render(make_manifest(6), settings_for(tmp_path, resume=True, **settings), NumberedFrames(),
                     init_image=np.zeros((16, 16, 3), np.uint8))
    assert levels(resumed.video_path) == [0, 0, 1, 2, 3, 4, 4]


def test_cli_pick_and_pad(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    base = [sys.executable, "-m", "lib_parseq", "render", str(REPO / "examples" / "orbit.manifest.json"), "--init",
            str(REPO / "examples" / "init.png"), "--dry-run", "--quiet", "--size", "64x64", "--frames", "0:10"]
    done = subprocess.run([*base, "-o", str(tmp_path / "a.mp4"), "--pick", "::3", "--pad", "2,0"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert len(decode_frames(tmp_path / "a.mp4")[1]) == 4 + 2
    bad = subprocess.run([*base, "-o", str(tmp_path / "b.mp4"), "--pick", "::0"], env=env, capture_output=True,
                         text=True, timeout=300)
    assert bad.returncode == 2 and "pick step cannot be zero" in bad.stderr and "Traceback" not in bad.stderr
