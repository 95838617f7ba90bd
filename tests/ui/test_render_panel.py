"""The Render panel's logic without a browser: progress lines, the finished video, stop, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from lib_parseq.errors import RenderError
from lib_parseq.ui.render_panel import RenderJob, RenderRequest, follow, parse_frames


def manifest(count: int) -> dict:
    return {"options": {"output_fps": 10},
            "rendered_frames": [{"frame": f, "seed": f, "zoom": 1 + 0.01 * f} for f in range(count)]}


@pytest.fixture
def init_png(tmp_path):
    path = tmp_path / "init.png"
    Image.fromarray(np.full((32, 48, 3), 120, np.uint8)).save(path)
    return str(path)


def test_a_dry_run_reports_each_frame_and_ends_with_the_video(tmp_path, init_png):
    lines = list(follow(manifest(4), RenderRequest(init_image=init_png, output="a.mp4"), tmp_path, RenderJob()))
    progress = [line for line, _ in lines if "done," in line]
    assert progress[-1].startswith("Render: frame 3 done, 4 of 4")
    assert lines[-1] == (f"Done: {tmp_path / 'a.mp4'}, 4 frames.", str(tmp_path / "a.mp4"))


def test_stop_keeps_the_finished_frames_and_says_how_to_resume(tmp_path, init_png):
    job = RenderJob()
    lines = []
    for line, video in follow(manifest(60), RenderRequest(init_image=init_png, output="b.mp4"), tmp_path, job):
        lines.append((line, video))
        if "done," in line:
            job.stop()
    last, video = lines[-1]
    assert last.startswith(f"Stopped: {tmp_path / 'b.mp4'} holds ") and "of 60 frames" in last and "Resume" in last
    assert video == str(tmp_path / "b.mp4")
    resumed = list(follow(manifest(60), RenderRequest(init_image=init_png, output="b.mp4", resume=True), tmp_path,
                          RenderJob()))
    assert resumed[-1][0] == f"Done: {tmp_path / 'b.mp4'}, 60 frames."


def test_problems_are_one_line_on_the_page(tmp_path, init_png):
    both = list(follow(manifest(2), RenderRequest(init_image=init_png, video=init_png), tmp_path, RenderJob()))
    assert both[-1] == ("Render failed: RenderError: give an init image (loopback) or an input video (vid2vid), "
                        "not both", None)
    no_model = list(follow(manifest(2), RenderRequest(backend="diffusers", init_image=init_png), tmp_path,
                           RenderJob()))
    assert "needs a model" in no_model[-1][0]
    assert list(follow(None, RenderRequest(init_image=init_png), tmp_path, RenderJob()))[-1][0].startswith("Fix")
    with pytest.raises(RenderError, match="A:B"):
        parse_frames("three")
    assert parse_frames(" 2: ") == (2, None) and parse_frames("") is None
