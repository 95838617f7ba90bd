"""The segmented resume state (``resume_state="segments"``, the CLI dry run's default): no PNG per frame, the
video encoded in parts that end at the checkpoints. A stop, a failure, a dead encoder or a killed process at
any frame keeps the finished frames in a playable video, and ``--resume`` rewrites exactly the file an
uninterrupted render writes."""

from __future__ import annotations

import json
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from render_helpers import count_frames, decode_frames
from test_render_resume_and_faults import (
    FailOn,
    StopAfter,
    busy_manifest,
    encoder_killer,
    init_image,
    interrupt_then_resume,
    write_cli_inputs,
)

from lib_parseq.errors import RenderError
from lib_parseq.render import DryRunBackend, RenderSettings, render
from lib_parseq.render.state import work_folder

REPO = Path(__file__).resolve().parents[2]
FRAMES = 16
EVERY = 5


def settings_for(folder: Path, **extra) -> RenderSettings:
    extra.setdefault("checkpoint_every", EVERY)
    return RenderSettings(output="video.mp4", output_dir=folder, preset="ultrafast", crf=0,
                          resume_state="segments", **extra)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """An uninterrupted segmented render of the busy manifest."""
    folder = tmp_path_factory.mktemp("reference")
    result = render(busy_manifest(), settings_for(folder), DryRunBackend(), init_image=init_image())
    assert result.frames_written == FRAMES and not work_folder(result.video_path).exists()
    return result.video_path


def resume(folder: Path, **extra):
    return render(busy_manifest(), settings_for(folder, resume=True, **extra), DryRunBackend(),
                  init_image=init_image())


def test_no_png_is_kept_and_the_video_holds_every_frame(tmp_path, reference):
    result = render(busy_manifest(), settings_for(tmp_path), StopAfter(8), init_image=init_image())
    work = work_folder(result.video_path)
    assert sorted(p.name for p in work.iterdir() if p.suffix == ".png" or p.is_dir()) == []
    assert json.loads((work / "checkpoint.json").read_text())["next_frame"] == 5
    assert count_frames(reference) == FRAMES


def test_segmented_frames_equal_the_frames_mode_frames(tmp_path, reference):
    """Lossless (crf 0): the parts decode to the very frames of a render that keeps PNGs."""
    frames_mode = render(busy_manifest(), RenderSettings(output="video.mp4", output_dir=tmp_path, preset="ultrafast",
                                                         crf=0, checkpoint_every=EVERY),
                         DryRunBackend(), init_image=init_image())
    ours, theirs = decode_frames(reference)[1], decode_frames(frames_mode.video_path)[1]
    assert len(ours) == len(theirs) == FRAMES
    assert all(np.array_equal(a, b) for a, b in zip(ours, theirs, strict=True))


RANDOM_STOP = int(np.random.default_rng(2026).integers(1, FRAMES))


@pytest.mark.parametrize("stop_after", [1, 4, 5, 7, 13, 15, RANDOM_STOP])
def test_stop_at_any_frame_then_resume_equals_an_uninterrupted_render(tmp_path, reference, stop_after):
    result = render(busy_manifest(), settings_for(tmp_path), StopAfter(stop_after), init_image=init_image())
    assert result.interrupted and result.frames_written == stop_after
    assert count_frames(result.video_path) == stop_after  # every finished frame, also after the last checkpoint
    resumed = resume(tmp_path)
    assert not resumed.interrupted and resumed.frames_written == FRAMES
    assert resumed.video_path.read_bytes() == reference.read_bytes()
    assert not work_folder(resumed.video_path).exists()


def test_a_resume_interrupted_in_turn_resumes_exactly(tmp_path, reference):
    render(busy_manifest(), settings_for(tmp_path), StopAfter(3), init_image=init_image())
    before = (tmp_path / "video.mp4").read_bytes()
    second = render(busy_manifest(), settings_for(tmp_path, resume=True), StopAfter(9), init_image=init_image())
    assert second.interrupted and count_frames(second.video_path) == 9
    assert (tmp_path / "video.mp4").read_bytes() != before
    assert resume(tmp_path).video_path.read_bytes() == reference.read_bytes()


def test_backend_failure_keeps_the_frames_and_resumes_exactly(tmp_path, reference):
    with pytest.raises(RenderError) as caught:
        render(busy_manifest(), settings_for(tmp_path), FailOn(12), init_image=init_image())
    message = str(caught.value)
    assert "backend failed on frame 12" in message and "12 finished frames" in message and "--resume" in message
    assert count_frames(tmp_path / "video.mp4") == 12
    assert resume(tmp_path).video_path.read_bytes() == reference.read_bytes()


def test_a_dead_encoder_keeps_the_whole_parts_and_resumes_exactly(tmp_path, reference):
    with pytest.raises(RenderError) as caught:
        render(busy_manifest(), settings_for(tmp_path), DryRunBackend(), init_image=init_image(),
               progress=encoder_killer(8))
    message = str(caught.value)
    assert "encoder" in message and "--resume" in message
    assert count_frames(tmp_path / "video.mp4") == EVERY  # the part being encoded died with its encoder
    assert resume(tmp_path).video_path.read_bytes() == reference.read_bytes()


def test_a_changed_video_is_refused_and_left_alone(tmp_path):
    render(busy_manifest(), settings_for(tmp_path), StopAfter(12), init_image=init_image())
    video = tmp_path / "video.mp4"
    changed = bytearray(video.read_bytes())
    changed[len(changed) // 3] ^= 0xFF
    video.write_bytes(bytes(changed))
    with pytest.raises(RenderError, match="no longer holds"):
        resume(tmp_path)
    assert video.read_bytes() == bytes(changed)


def test_pick_and_pad_continue_exactly(tmp_path):
    full = render(busy_manifest(), settings_for(tmp_path / "full", pick="1::2", pad=(2, 3)), DryRunBackend(),
                  init_image=init_image())
    render(busy_manifest(), settings_for(tmp_path / "cut", pick="1::2", pad=(2, 3)), StopAfter(8),
           init_image=init_image())
    resumed = resume(tmp_path / "cut", pick="1::2", pad=(2, 3))
    assert count_frames(full.video_path) == 8 + 2 + 3
    assert resumed.video_path.read_bytes() == full.video_path.read_bytes()


def test_resume_with_the_other_resume_state_is_refused(tmp_path):
    render(busy_manifest(), settings_for(tmp_path), StopAfter(7), init_image=init_image())
    with pytest.raises(RenderError, match="differ from the interrupted render .*--resume-state segments"):
        render(busy_manifest(), RenderSettings(output="video.mp4", output_dir=tmp_path, preset="ultrafast", crf=0,
                                               checkpoint_every=EVERY, resume=True),
               DryRunBackend(), init_image=init_image())
    frames_kept = tmp_path / "frames-kept"
    render(busy_manifest(), RenderSettings(output="video.mp4", output_dir=frames_kept, preset="ultrafast", crf=0,
                                           checkpoint_every=EVERY), StopAfter(7), init_image=init_image())
    with pytest.raises(RenderError, match="--resume-state frames"):
        resume(frames_kept)


def cli_args(folder: Path, manifest: Path, image: Path, *extra: str) -> list[str]:
    """The CLI dry run with its default resume state (segments), no --save-frames."""
    return [sys.executable, "-m", "lib_parseq", "render", str(manifest), "--init", str(image), "-o",
            str(folder / "video.mp4"), "--dry-run", "--quiet", "--size", "96x96", "--checkpoint-every", "20", *extra]


def cli(folder: Path, manifest: Path, image: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(cli_args(folder, manifest, image, *extra), cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for_checkpoint(folder: Path, at_least: int, process: subprocess.Popen, timeout: float = 120) -> None:
    state = work_folder(folder / "video.mp4") / "checkpoint.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if json.loads(state.read_text())["next_frame"] >= at_least:
                return
        except (OSError, ValueError, KeyError):
            pass
        if process.poll() is not None:
            pytest.fail(f"render ended early: {process.communicate()}")
        time.sleep(0.01)
    pytest.fail("render did not reach the checkpoint")


@pytest.mark.parametrize("how", ["ctrl-c", "kill"])
def test_cli_interrupted_or_killed_then_resumed_equals_an_uninterrupted_run(tmp_path, how):
    """No PNG kept; the killed render's video plays at least every frame before the checkpoint waited for."""
    _, cut = interrupt_then_resume(tmp_path, how, 600, cli,
                                   lambda folder, process: wait_for_checkpoint(folder, 40, process), kept=40)
    assert not list(cut.rglob("*.png"))


def limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))


def test_cli_disk_full_is_one_clear_error_then_resume_completes_exactly(tmp_path):
    full, cut = tmp_path / "full", tmp_path / "cut"
    full.mkdir()
    cut.mkdir()
    manifest, image = write_cli_inputs(tmp_path, 120)
    done = cli(full, manifest, image)
    assert done.wait(timeout=300) == 0, done.communicate()
    failed = subprocess.run(cli_args(cut, manifest, image), cwd=REPO, capture_output=True, text=True, preexec_fn=limit_file_size, timeout=300)
    assert failed.returncode == 2, failed.stderr
    assert "Traceback" not in failed.stderr
    assert "RenderError" in failed.stderr and "run the same command with --resume to continue" in failed.stderr
    assert 0 < count_frames(cut / "video.mp4") < 120
    resumed = cli(cut, manifest, image, "--resume")
    assert resumed.wait(timeout=300) == 0, resumed.communicate()
    assert (cut / "video.mp4").read_bytes() == (full / "video.mp4").read_bytes()


def test_cli_resume_killed_in_turn_continues_its_own_progress_exactly(tmp_path):
    """A resume killed before it finished leaves the video as it was and its progress in the work folder;
    the next resume continues from the resume's own last checkpoint."""
    full, cut = tmp_path / "full", tmp_path / "cut"
    full.mkdir()
    cut.mkdir()
    manifest, image = write_cli_inputs(tmp_path, 600)
    assert cli(full, manifest, image).wait(timeout=300) == 0
    for extra, at_least in (((), 40), (("--resume",), 120)):
        process = cli(cut, manifest, image, *extra)
        wait_for_checkpoint(cut, at_least, process)
        process.send_signal(signal.SIGKILL)
        if process.wait(timeout=60) == 0:
            pytest.skip("the render finished before the signal arrived")
        process.communicate()
    assert (work_folder(cut / "video.mp4") / "resumed.mp4").is_file()  # the killed resume's progress
    assert 40 <= count_frames(cut / "video.mp4") < 120  # the video as the first kill left it
    resumed = cli(cut, manifest, image, "--resume")
    assert resumed.wait(timeout=300) == 0, resumed.communicate()
    assert (cut / "video.mp4").read_bytes() == (full / "video.mp4").read_bytes()
