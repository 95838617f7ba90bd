"""Renders that survive faults: a killed encoder, a full disk, bad input video, a failing backend, an interrupt.

Everything is real: ffmpeg encodes and decodes, the disk-full error comes from the kernel (a frame file's
temporary name is a symlink to /dev/full, which answers every write with ENOSPC), the interrupt is a real
SIGINT. In every case the user gets one clear RenderError (or an interrupted result), the finished frames are
kept in a playable video, and ``resume=True`` completes the job.
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
from pathlib import Path

import numpy as np
import pytest
from render_fault_helpers import FRAMES, init_image, playable_frames, render_settings

from lib_parseq.errors import RenderError
from lib_parseq.render import DryRunBackend, render
from lib_parseq.video.ffmpeg import find_ffmpeg
from lib_parseq.video.paths import resolve_output_path, sanitise_name

_settings = functools.partial(render_settings, handle_sigint=True)


def _manifest(count: int = FRAMES) -> dict:
    return {
        "options": {"output_fps": 10, "bpm": 140},
        "rendered_frames": [{"frame": f, "zoom": 1 + 0.01 * f, "angle": f * 0.5, "seed": 5, "strength": 0.5,
                             "deforum_prompt": "a cat"} for f in range(count)],
    }


class FailingOnce(DryRunBackend):
    """Raises on one frame number, the first time only (a GPU hiccup)."""

    def __init__(self, bad_frame: int) -> None:
        super().__init__()
        self.bad_frame = bad_frame
        self.failed = False

    def generate(self, image, params):
        if params.frame == self.bad_frame and not self.failed:
            self.failed = True
            raise RuntimeError("CUDA out of memory")
        return super().generate(image, params)


def _resume_completes(tmp_path: Path, **changes) -> None:
    result = render(_manifest(), _settings(tmp_path, resume=True, **changes), DryRunBackend(),
                    init_image=init_image())
    assert not result.interrupted
    assert result.frames_written == FRAMES
    assert playable_frames(result.video_path) == FRAMES


def test_encoder_killed_mid_render_keeps_frames_and_resumes(tmp_path):
    def kill_encoder(progress):
        if progress.frame == 4 and progress.encoder_pid:
            os.kill(progress.encoder_pid, signal.SIGKILL)

    with pytest.raises(RenderError) as caught:
        render(_manifest(), _settings(tmp_path), DryRunBackend(), init_image=init_image(), progress=kill_encoder)
    error = caught.value
    assert "encoder" in error.message and "--resume" in error.message
    kept = playable_frames(tmp_path / "out.mp4")
    assert 4 <= kept < FRAMES
    assert error.result.frames_written == kept
    _resume_completes(tmp_path)


def _early_exit_encoder(tmp_path: Path, status: int) -> Path:
    """A stand-in ffmpeg (a real process) that reads about two frames, then exits with ``status``."""
    wrapper = tmp_path / f"ffmpeg-exits-{status}"
    wrapper.write_text(f"#!/bin/sh\nhead -c 20000 >/dev/null\nexit {status}\n")
    wrapper.chmod(0o755)
    return wrapper


def test_encoder_that_exits_early_with_an_error_is_clear_and_resumable(tmp_path, monkeypatch):
    monkeypatch.setenv("PARSEQ_FFMPEG", str(_early_exit_encoder(tmp_path, 3)))
    with pytest.raises(RenderError) as caught:
        render(_manifest(), _settings(tmp_path), DryRunBackend(), init_image=init_image())
    assert "encoder" in caught.value.message and "--resume" in caught.value.message
    monkeypatch.delenv("PARSEQ_FFMPEG")
    _resume_completes(tmp_path)


def test_encoder_that_writes_nothing_but_exits_0_is_not_success(tmp_path, monkeypatch):
    silent = tmp_path / "ffmpeg-writes-nothing"  # reads every frame, writes no file, reports success
    silent.write_text("#!/bin/sh\ncat >/dev/null\nexit 0\n")
    silent.chmod(0o755)
    monkeypatch.setenv("PARSEQ_FFMPEG", str(silent))
    with pytest.raises(RenderError, match="the video encoder reported success but wrote nothing") as caught:
        render(_manifest(), _settings(tmp_path), DryRunBackend(), init_image=init_image())
    assert "--resume" in caught.value.message
    assert len(list((tmp_path / ".out.mp4.parseq" / "frames").glob("frame_*.png"))) == FRAMES
    monkeypatch.delenv("PARSEQ_FFMPEG")
    _resume_completes(tmp_path)


def test_disk_full_while_saving_frames_is_clear_and_resumable(tmp_path, monkeypatch):
    frames_dir = tmp_path / "frames"
    frames_dir.mkdir()
    real_open = os.open

    def open_full_for_frame_7(path, flags, *args):
        """Frame 7's temporary file is /dev/full: the kernel answers its write with ENOSPC."""
        if os.path.basename(path).startswith(".frame_000007.png."):
            return real_open("/dev/full", os.O_WRONLY)
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", open_full_for_frame_7)
    with pytest.raises(RenderError) as caught:
        render(_manifest(), _settings(tmp_path, save_frames=frames_dir), DryRunBackend(), init_image=init_image())
    monkeypatch.undo()
    error = caught.value
    assert "No space left on device" in error.message
    kept = playable_frames(tmp_path / "out.mp4")
    assert 7 <= kept < FRAMES
    assert all((frames_dir / f"frame_{f:06d}.png").is_file() for f in range(7))
    assert not [p.name for p in frames_dir.iterdir() if p.name.startswith(".")]
    _resume_completes(tmp_path, save_frames=frames_dir)


def test_backend_failure_on_one_frame_keeps_the_rest_and_resumes(tmp_path):
    with pytest.raises(RenderError) as caught:
        render(_manifest(), _settings(tmp_path), FailingOnce(5), init_image=init_image())
    error = caught.value
    assert error.frame == 5
    assert "the backend failed on frame 5: RuntimeError: CUDA out of memory" in error.message
    assert "--resume" in error.message
    assert playable_frames(tmp_path / "out.mp4") == 5
    _resume_completes(tmp_path)


def test_user_interrupt_stops_cleanly_and_resumes(tmp_path):
    def interrupt(progress):
        if progress.frame == 3:
            os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C: the loop stops after this frame

    result = render(_manifest(), _settings(tmp_path), DryRunBackend(), init_image=init_image(), progress=interrupt)
    assert result.interrupted
    assert result.frames_written == 4
    assert playable_frames(result.video_path) == 4
    _resume_completes(tmp_path)


def test_stop_requested_by_the_backend(tmp_path):
    backend = DryRunBackend()

    def stop(progress):
        if progress.frame == 6:
            backend.stop()

    result = render(_manifest(), _settings(tmp_path), backend, init_image=init_image(), progress=stop)
    assert result.interrupted and result.frames_written == 7
    assert playable_frames(result.video_path) == 7
    _resume_completes(tmp_path)


@pytest.fixture
def source_video(tmp_path) -> Path:
    path = tmp_path / "source.mp4"
    subprocess.run([find_ffmpeg(), "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10",
                    "-frames:v", str(FRAMES), "-pix_fmt", "yuv420p", "-y", str(path)], check=True, capture_output=True)
    return path


def test_truncated_input_video_is_a_clear_error(tmp_path, source_video):
    data = source_video.read_bytes()
    broken = tmp_path / "truncated.mp4"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(RenderError) as caught:
        render(_manifest(), _settings(tmp_path), DryRunBackend(), video_path=broken)
    assert "truncated.mp4" in str(caught.value)
    assert "manifest has" not in str(caught.value)  # refused for the damage, not for its length
    print(caught.value)


def test_corrupt_input_video_is_a_clear_error(tmp_path):
    corrupt = tmp_path / "noise.mp4"
    corrupt.write_bytes(np.random.default_rng(1).integers(0, 256, 50_000, dtype=np.uint8).tobytes())
    with pytest.raises(RenderError) as caught:
        render(_manifest(), _settings(tmp_path), DryRunBackend(), video_path=corrupt)
    assert "noise.mp4" in str(caught.value)
    assert "cannot read video" in str(caught.value) and "Invalid data found" in str(caught.value)


def test_a_good_video_renders(tmp_path, source_video):
    result = render(_manifest(), _settings(tmp_path), DryRunBackend(), video_path=source_video)
    assert playable_frames(result.video_path) == FRAMES


# ----------------------------------------------------------------------------------------------------------
# Output paths


@pytest.mark.parametrize("template, words", [
    ("../escape.mp4", "may not contain '..'"),
    ("sub/../../escape.mp4", "may not contain '..'"),
    ("/etc/escape.mp4", "must be relative"),
    ("~/escape.mp4", "must be relative"),
    ("C:\\escape.mp4", "must be relative"),
    ("<nope>.mp4", "unknown placeholder"),
])
def test_output_templates_cannot_escape(tmp_path, template, words):
    with pytest.raises(RenderError, match=words):
        resolve_output_path(template, tmp_path)


def test_output_through_a_symlink_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(RenderError, match="symbolic link"):
        resolve_output_path("link/video.mp4", root)
    with pytest.raises(RenderError, match="symbolic link"):
        render(_manifest(), _settings(root, output="link/video.mp4"), DryRunBackend(), init_image=init_image())
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("name, expected", [
    ('a<b>c:"d"|e?f*.mp4', "a_b_c__d__e_f_.mp4"),
    ("...hidden.mp4", "hidden.mp4"),
    ("CON.mp4", "_CON.mp4"),
    ("new\nline.mp4", "new_line.mp4"),
])
def test_names_are_sanitised(name, expected):
    assert sanitise_name(name) == expected


def test_existing_output_is_not_overwritten_without_overwrite(tmp_path):
    first = render(_manifest(4), _settings(tmp_path), DryRunBackend(), init_image=init_image())
    before = first.video_path.read_bytes()
    with pytest.raises(RenderError, match="already exists; pass --overwrite"):
        render(_manifest(6), _settings(tmp_path), DryRunBackend(), init_image=init_image())
    assert first.video_path.read_bytes() == before
    again = render(_manifest(6), _settings(tmp_path, overwrite=True), DryRunBackend(), init_image=init_image())
    assert playable_frames(again.video_path) == 6


@pytest.mark.parametrize(("suffix", "renders"), [(".mkv", False), (".ts", True)])
def test_streamable_video_cut_mid_stream_renders_what_is_there_or_says_why(tmp_path, suffix, renders):
    """A .ts cut at 60% still decodes up to the cut and its 6 frames render (with a warning); the cut .mkv
    (libx264 delays its packets) decodes to nothing, and the error names the file."""
    full = tmp_path / f"full{suffix}"
    subprocess.run([find_ffmpeg(), "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10",
                    "-frames:v", str(FRAMES), "-c:v", "mpeg2video" if suffix == ".ts" else "libx264",
                    "-pix_fmt", "yuv420p", "-y", str(full)], check=True, capture_output=True)
    cut = tmp_path / f"cut{suffix}"
    data = full.read_bytes()
    cut.write_bytes(data[: int(len(data) * 0.6)])
    if not renders:
        with pytest.raises(RenderError, match=f"cannot read video .*cut{suffix}"):
            render(_manifest(), _settings(tmp_path), DryRunBackend(), video_path=cut)
        return
    result = render(_manifest(), _settings(tmp_path), DryRunBackend(), video_path=cut)
    assert result.frames_written == FRAMES // 2
    assert playable_frames(result.video_path) == FRAMES // 2
    assert result.warnings == [f"the video has {FRAMES // 2} frames at 10 fps; rendering frames 0:{FRAMES // 2}"]
