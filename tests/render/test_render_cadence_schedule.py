"""A keyframed diffusion cadence (a ``cadence`` field): the backend makes exactly the ``is_generation`` frames,
the in-betweens lie between their neighbours, and stops resume mid-cadence byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from motion_helpers import texture
from render_helpers import count_frames, decode_frames, make_manifest
from test_render_motion import Recording, settings
from test_render_motion_cli import parseq

from lib_parseq.render import DryRunBackend, render
from lib_parseq.render.state import frame_file, read_png
from lib_parseq.schedules import compile_document

FRAMES = 30
GENERATED = [*range(10), *range(10, 30, 3)]  # cadence 1 for frames 0-9, then 3


def scheduled_manifest() -> dict:
    """Compiled from keyframes: ``gen`` is the language's is_generation(), beside a stepped cadence."""
    document = {"options": {"output_fps": 10, "cadence": 1},
                "keyframes": [{"frame": 0, "cadence": 1, "cadence_i": "S", "gen": 0, "gen_i": "is_generation()",
                               "angle": 0, "angle_i": "2 * f"},
                              {"frame": 10, "cadence": 3}, {"frame": FRAMES - 1}]}
    return compile_document(document)


def saved(folder: Path) -> list[np.ndarray]:
    return [read_png(frame_file(folder / "frames", f)) for f in range(FRAMES)]


def test_the_backend_makes_exactly_the_frames_is_generation_marks(tmp_path):
    manifest = scheduled_manifest()
    backend = Recording()
    result = render(manifest, settings(tmp_path), backend, init_image=np.full((32, 32, 3), 9, np.uint8))
    marked = [entry["frame"] for entry in manifest["rendered_frames"] if entry["gen"] == 1]
    assert backend.frames == marked == GENERATED
    assert result.frames_written == FRAMES and count_frames(result.video_path) == FRAMES


def test_in_betweens_lie_between_their_diffused_neighbours(tmp_path):
    manifest = make_manifest(FRAMES, cadence=lambda f: 1 if f < 10 else 3)
    render(manifest, settings(tmp_path), Recording(), init_image=np.full((32, 32, 3), 9, np.uint8))
    levels = [int(frame[16, 16, 0]) for frame in saved(tmp_path)]
    for a, b in zip(GENERATED[:-1], GENERATED[1:], strict=True):
        for f in range(a + 1, b):
            expected = levels[a] + (f - a) / (b - a) * (levels[b] - levels[a])
            assert levels[f] == pytest.approx(expected, abs=1)
            assert min(levels[a], levels[b]) <= levels[f] <= max(levels[a], levels[b])
    assert levels[GENERATED[-1]:] == [levels[GENERATED[-1]]] * (FRAMES - GENERATED[-1])


@pytest.mark.parametrize("stop_after", [10, 11, 12, 14])
def test_stop_and_resume_mid_cadence_equals_an_uninterrupted_render(tmp_path, stop_after):
    manifest = scheduled_manifest()
    manifest["options"]["cc_window_width"] = 3
    init = texture(32, 32, seed=4)
    reference = tmp_path / "reference"
    render(manifest, settings(reference), Recording(), init_image=init)
    stopped = tmp_path / "stopped"
    first = Recording(stop_after=stop_after)
    assert render(manifest, settings(stopped), first, init_image=init).interrupted
    second = Recording()
    resumed = render(manifest, settings(stopped, resume=True), second, init_image=init)
    assert resumed.frames_written == FRAMES
    assert first.frames + second.frames == GENERATED  # none made twice, none skipped
    for f in range(FRAMES):
        assert frame_file(stopped / "frames", f).read_bytes() == frame_file(reference / "frames", f).read_bytes()
    assert resumed.video_path.read_bytes() == (reference / "out.mp4").read_bytes()


def test_a_cadence_setting_replaces_the_manifests_schedule(tmp_path):
    backend = Recording()
    render(scheduled_manifest(), settings(tmp_path, cadence=4), backend, init_image=np.zeros((16, 16, 3), np.uint8))
    assert backend.frames == list(range(0, FRAMES, 4))


def test_a_partial_render_starts_with_a_diffused_frame_then_follows_the_schedule(tmp_path):
    backend = Recording()
    render(scheduled_manifest(), settings(tmp_path, frames=(11, 20)), backend,
           init_image=np.zeros((16, 16, 3), np.uint8))
    assert backend.frames == [11, 13, 16, 19]


def test_the_cli_renders_the_manifests_schedule_unless_told_a_cadence(tmp_path):
    manifest = scheduled_manifest()
    (tmp_path / "m.json").write_text(json.dumps(manifest))
    init = texture(32, 32, seed=5)
    cv2.imwrite(str(tmp_path / "init.png"), cv2.cvtColor(init, cv2.COLOR_RGB2BGR))

    render(manifest, settings(tmp_path / "api"), DryRunBackend(), init_image=init)
    expected = saved(tmp_path / "api")
    for extra, same in (([], True), (["--cadence", "0"], None), (["--cadence", "1"], False)):
        done = parseq("m.json", "--init", "init.png", *extra, "-o", "cli.mp4", "--overwrite",
                      "--save-frames", "cli", "--crf", "0", cwd=tmp_path)
        if same is None:
            assert done.returncode == 2 and "cadence must be" in done.stderr
            continue
        assert done.returncode == 0, done.stderr
        ours = [read_png(frame_file(tmp_path / "cli", f)) for f in range(FRAMES)]
        assert all(np.array_equal(a, b) for a, b in zip(ours, expected, strict=True)) == same
    assert len(decode_frames(tmp_path / "cli.mp4")[1]) == FRAMES
