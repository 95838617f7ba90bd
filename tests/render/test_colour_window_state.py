"""The colour window's resume state stays bounded by the window when it slides slower than the outputs
(issue 14, finding 12): with ``cc_window_slide_rate`` below 1 the histograms waiting to enter the window used
to be rewritten whole at every checkpoint, O(frames) each time."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
from render_helpers import decode_frames, make_manifest
from test_render_resume_and_faults import StopAfter

from lib_parseq.render import DryRunBackend, RenderSettings, render
from lib_parseq.render.state import CHECKPOINT_JSON, colour_log_name, work_folder

ROW_BYTES = 3 * 256 * 4


def slow_window_manifest(count: int) -> dict:
    manifest = make_manifest(count, fps=10, angle=lambda f: 5.0 * f, contrast=1.03, seed=lambda f: 3 + f)
    manifest["options"].update(cc_window_width=4, cc_window_slide_rate=0.5)
    return manifest


def image() -> np.ndarray:
    picture = np.random.default_rng(5).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    picture[8:20, 8:20] = (230, 180, 40)
    return picture


def settings(folder, **extra) -> RenderSettings:
    return RenderSettings(output="video.mp4", output_dir=folder, preset="ultrafast", crf=0, checkpoint_every=5,
                          **extra)


@pytest.mark.parametrize("stop_after", [40, 120])
def test_the_checkpoint_holds_only_the_window_and_the_log_only_waiting_histograms(tmp_path, stop_after):
    result = render(slow_window_manifest(200), settings(tmp_path), StopAfter(stop_after), init_image=image())
    assert result.interrupted and result.frames_written == stop_after
    work = work_folder(result.video_path)
    meta = json.loads((work / CHECKPOINT_JSON).read_text())
    with zipfile.ZipFile(work / meta["arrays"]) as arrays:
        colour = sorted(name for name in arrays.namelist() if name.startswith("colour_"))
        inside = arrays.getinfo("colour_inside.npy").file_size
    assert colour == ["colour_counters.npy", "colour_inside.npy", "colour_reference.npy", "colour_total.npy"]
    assert inside < 5 * ROW_BYTES  # the 4 histograms inside the window, whatever the render's length
    # Outputs 0..n-1 exist, the window ends at round(n / 2): about n / 2 histograms wait, and the log holds
    # no more than twice that (consumed rows are dropped once they outnumber the waiting ones).
    waiting = stop_after - stop_after // 2
    assert waiting * ROW_BYTES <= (work / colour_log_name(meta["colour_log"][0])).stat().st_size <= 2 * waiting * ROW_BYTES + 5 * ROW_BYTES


def test_a_resumed_slow_window_render_equals_an_uninterrupted_one(tmp_path):
    whole = render(slow_window_manifest(60), settings(tmp_path / "whole"), DryRunBackend(), init_image=image())
    stopped = render(slow_window_manifest(60), settings(tmp_path / "cut"), StopAfter(23), init_image=image())
    assert stopped.interrupted
    resumed = render(slow_window_manifest(60), settings(tmp_path / "cut", resume=True), DryRunBackend(),
                     init_image=image())
    assert resumed.frames_written == 60
    _, expected = decode_frames(whole.video_path)
    _, got = decode_frames(resumed.video_path)
    assert len(got) == len(expected) == 60
    assert all(np.array_equal(a, b) for a, b in zip(got, expected, strict=True))
