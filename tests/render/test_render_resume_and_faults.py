"""Faults during a render — stop requests, Ctrl-C, a failing backend, a dead encoder, a full disk, a killed
process — each keep the finished frames in a playable video, and --resume completes the job exactly."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from render_helpers import count_frames, decode_frames, make_manifest, wait_for_orphaned_encoders

from lib_parseq.errors import RenderError
from lib_parseq.render import DryRunBackend, RenderSettings, render
from lib_parseq.render.state import frame_file

REPO = Path(__file__).resolve().parents[2]
FRAMES = 16


def busy_manifest(count: int = FRAMES) -> dict:
    """Motion, blending, colour correction, contrast and noise: every piece of carried state matters."""
    manifest = make_manifest(count, fps=10, seed=lambda f: 7 + f, angle=lambda f: 6.0 * f,
                             zoom=lambda f: 1 + 0.02 * f, rotation_3d_y=lambda f: 2.0 * np.sin(f / 3),
                             loopback_frames=3, loopback_decay=0.4, contrast=1.02, noise=0.03)
    manifest["options"].update(cc_window_width=4, cc_window_slide_rate=1, cc_use_input=True)
    return manifest


def init_image() -> np.ndarray:
    rng = np.random.default_rng(11)
    image = rng.integers(0, 256, (48, 48, 3), dtype=np.uint8)
    image[10:30, 10:30] = (240, 200, 20)
    return image


def settings_for(folder: Path, **extra) -> RenderSettings:
    extra.setdefault("checkpoint_every", 5)
    return RenderSettings(output="video.mp4", output_dir=folder, preset="ultrafast", crf=0,
                          save_frames=folder / "frames", **extra)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, list[np.ndarray]]:
    """An uninterrupted render of the busy manifest."""
    folder = tmp_path_factory.mktemp("reference")
    result = render(busy_manifest(), settings_for(folder), DryRunBackend(), init_image=init_image())
    return result.video_path, decode_frames(result.video_path)[1]


def assert_same_render(video: Path, reference) -> None:
    reference_path, reference_frames = reference
    frames = decode_frames(video)[1]
    assert len(frames) == len(reference_frames) == FRAMES
    assert all(np.array_equal(a, b) for a, b in zip(frames, reference_frames, strict=True))
    for f in range(FRAMES):
        ours = frame_file(video.parent / "frames", f).read_bytes()
        theirs = frame_file(reference_path.parent / "frames", f).read_bytes()
        assert ours == theirs, f"frame {f} differs"


class StopAfter(DryRunBackend):
    def __init__(self, frames: int) -> None:
        super().__init__()
        self.frames = frames
        self.calls = 0

    def generate(self, image, params):
        self.calls += 1
        if self.calls >= self.frames:
            self.stop()
        return image


class FailOn(DryRunBackend):
    def __init__(self, frame: int) -> None:
        super().__init__()
        self.frame = frame

    def generate(self, image, params):
        if params.frame == self.frame:
            raise RuntimeError("CUDA out of memory (simulated)")
        return image


def test_stop_request_keeps_a_playable_video_and_resume_equals_an_uninterrupted_run(tmp_path, reference):
    result = render(busy_manifest(), settings_for(tmp_path), StopAfter(7), init_image=init_image())
    assert result.interrupted and result.frames_written == 7
    assert count_frames(result.video_path) == 7
    resumed = render(busy_manifest(), settings_for(tmp_path, resume=True), DryRunBackend(), init_image=init_image())
    assert not resumed.interrupted and resumed.frames_written == FRAMES
    assert_same_render(resumed.video_path, reference)
    assert resumed.video_path.read_bytes() == reference[0].read_bytes()


def test_backend_failure_on_one_frame_is_one_clear_error_and_resumable(tmp_path, reference):
    with pytest.raises(RenderError) as caught:
        render(busy_manifest(), settings_for(tmp_path), FailOn(9), init_image=init_image())
    error = caught.value
    assert error.frame == 9 and "backend failed on frame 9" in str(error) and "out of memory" in str(error)
    assert "--resume" in str(error) and "9 finished frames" in str(error)
    assert count_frames(tmp_path / "video.mp4") == 9 == error.result.frames_written
    resumed = render(busy_manifest(), settings_for(tmp_path, resume=True), DryRunBackend(), init_image=init_image())
    assert_same_render(resumed.video_path, reference)


def encoder_killer(done: int):
    """A progress callback that kills the encoder (SIGKILL) once ``done`` frames are finished."""

    def kill_encoder(report) -> None:
        if report.done == done:
            os.kill(report.encoder_pid, signal.SIGKILL)
            time.sleep(0.3)

    return kill_encoder


def test_dead_encoder_video_is_rebuilt_from_saved_frames_and_resumable(tmp_path, reference):
    with pytest.raises(RenderError) as caught:
        render(busy_manifest(), settings_for(tmp_path), DryRunBackend(), init_image=init_image(),
               progress=encoder_killer(6))
    message = str(caught.value)
    assert "encoder stopped" in message and "rebuilt" in message and "--resume" in message
    written = caught.value.result.frames_written
    assert written >= 6 and count_frames(tmp_path / "video.mp4") == written
    resumed = render(busy_manifest(), settings_for(tmp_path, resume=True), DryRunBackend(), init_image=init_image())
    assert_same_render(resumed.video_path, reference)


def test_resume_refuses_a_different_manifest_or_nothing_to_resume(tmp_path):
    render(busy_manifest(), settings_for(tmp_path), StopAfter(4), init_image=init_image())
    changed = busy_manifest()
    changed["rendered_frames"][10]["angle"] = 1.0
    with pytest.raises(RenderError, match="differ from the interrupted render"):
        render(changed, settings_for(tmp_path, resume=True), DryRunBackend(), init_image=init_image())
    with pytest.raises(RenderError, match="nothing to resume"):
        render(busy_manifest(), settings_for(tmp_path / "other", resume=True), DryRunBackend(),
               init_image=init_image())
    with pytest.raises(RenderError, match="--resume to continue"):
        render(busy_manifest(), settings_for(tmp_path), DryRunBackend(), init_image=init_image())


def write_cli_inputs(folder: Path, count: int) -> tuple[Path, Path]:
    from PIL import Image

    manifest_path = folder / "manifest.json"
    manifest_path.write_text(json.dumps(busy_manifest(count)))
    image_path = folder / "init.png"
    Image.fromarray(init_image()).save(image_path)
    return manifest_path, image_path


def cli(folder: Path, manifest: Path, image: Path, *extra: str, **popen) -> subprocess.Popen:
    args = [sys.executable, "-m", "lib_parseq", "render", str(manifest), "--init", str(image), "-o",
            str(folder / "video.mp4"), "--dry-run", "--quiet", "--preset", "ultrafast", "--crf", "0",
            "--save-frames", str(folder / "frames"), *extra]
    return subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


class SlowBackendManifest:
    """Enough frames at a size that takes a while, so a signal lands mid-render."""

    count = 400


def wait_for_frames(folder: Path, at_least: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(list((folder / "frames").glob("frame_*.png"))) >= at_least:
            return
        if process.poll() is not None:
            pytest.fail(f"render ended early: {process.communicate()}")
        time.sleep(0.02)
    pytest.fail("render did not start")


def interrupt_then_resume(tmp_path: Path, how: str, count: int, start, wait, *, kept: int = 1) -> tuple[Path, Path]:
    """Render ``count`` frames uninterrupted in full/, and in cut/ signal the render (Ctrl-C or SIGKILL) once
    ``wait(cut, process)`` returns, check that its video plays at least ``kept`` frames, and resume it;
    returns (full, cut). ``start(folder, manifest, image, *extra)`` starts the CLI."""
    full, cut = tmp_path / "full", tmp_path / "cut"
    full.mkdir()
    cut.mkdir()
    manifest, image = write_cli_inputs(tmp_path, count)
    done = start(full, manifest, image)
    assert done.wait(timeout=300) == 0, done.communicate()
    process = start(cut, manifest, image)
    wait(cut, process)
    process.send_signal(signal.SIGINT if how == "ctrl-c" else signal.SIGKILL)
    code = process.wait(timeout=60)
    _, stderr = process.communicate()
    if code == 0:
        pytest.skip("the render finished before the signal arrived")
    if how == "ctrl-c":
        assert code == 130 and "--resume" in stderr and "Traceback" not in stderr
    else:
        wait_for_orphaned_encoders(cut)
    assert kept <= count_frames(cut / "video.mp4") < count
    resumed = start(cut, manifest, image, "--resume")
    assert resumed.wait(timeout=300) == 0, resumed.communicate()
    assert (cut / "video.mp4").read_bytes() == (full / "video.mp4").read_bytes()
    return full, cut


@pytest.mark.parametrize("how", ["ctrl-c", "kill"])
def test_cli_interrupted_or_killed_then_resumed_equals_an_uninterrupted_run(tmp_path, how):
    count = SlowBackendManifest.count
    full, cut = interrupt_then_resume(tmp_path, how, count, cli,
                                      lambda folder, process: wait_for_frames(folder, 40, process))
    for f in range(0, count, 37):
        assert frame_file(cut / "frames", f).read_bytes() == frame_file(full / "frames", f).read_bytes()


def limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))


def test_disk_full_gives_one_clear_error_without_a_traceback(tmp_path):
    manifest, image = write_cli_inputs(tmp_path, 120)
    process = cli(tmp_path, manifest, image, preexec_fn=limit_file_size)
    code = process.wait(timeout=120)
    _, stderr = process.communicate()
    assert code == 2
    assert "Traceback" not in stderr
    assert "RenderError" in stderr and "run the same command with --resume to continue" in stderr
