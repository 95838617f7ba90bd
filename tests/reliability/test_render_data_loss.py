"""Red-team findings on data loss (issue 14, findings 6-8): a failed resume, two renders to one output, a
full disk. Each case renders for real (ffmpeg encodes, OpenCV decodes) and checks the video a user would
open afterwards: it must still play every frame it held, and the render must be resumable to the end.
"""

from __future__ import annotations

import functools
import hashlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from render_fault_helpers import FRAMES, init_image, playable_frames, render_settings

from lib_parseq.errors import RenderError
from lib_parseq.render import DryRunBackend, RenderSettings, render

REPO = Path(__file__).resolve().parents[2]
_settings = functools.partial(render_settings, handle_sigint=False)


def _manifest(count: int = FRAMES, **fields) -> dict:
    return {
        "options": {"output_fps": 10},
        "rendered_frames": [{"frame": f, "zoom": 1 + 0.01 * f, "angle": f * 0.5, "seed": 5, **fields}
                            for f in range(count)],
    }


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class StopAt(DryRunBackend):
    """Asks for a clean stop once ``frame`` has been generated."""

    def __init__(self, frame: int) -> None:
        super().__init__()
        self.frame = frame

    def generate(self, image, params):
        if params.frame == self.frame:
            self.stop()
        return super().generate(image, params)


def _interrupted_render(folder: Path) -> Path:
    result = render(_manifest(), _settings(folder), StopAt(6), init_image=init_image())
    assert result.interrupted and result.frames_written == 7
    assert playable_frames(result.video_path) == 7
    return result.video_path


# Finding 6: a failed --resume must not destroy the video it could not rebuild.

def test_resume_with_a_missing_saved_frame_leaves_the_video_as_it_was(tmp_path):
    video = _interrupted_render(tmp_path)
    before = _digest(video)
    (tmp_path / ".out.mp4.parseq" / "frames" / "frame_000003.png").unlink()
    with pytest.raises(RenderError) as caught:
        render(_manifest(), _settings(tmp_path, resume=True), DryRunBackend(), init_image=init_image())
    assert _digest(video) == before
    assert playable_frames(video) == 7
    assert "saved frame 3 is missing" in caught.value.message
    assert "left as it was" in caught.value.message


def test_resume_with_a_damaged_saved_frame_keeps_the_old_video_and_its_state(tmp_path):
    video = _interrupted_render(tmp_path)
    before = _digest(video)
    frame = tmp_path / ".out.mp4.parseq" / "frames" / "frame_000004.png"
    good = frame.read_bytes()
    frame.write_bytes(good[:40])  # present but truncated: found only while replaying
    with pytest.raises(RenderError) as caught:
        render(_manifest(), _settings(tmp_path, resume=True), DryRunBackend(), init_image=init_image())
    assert _digest(video) == before
    assert "frame_000004.png" in caught.value.message
    assert f"{video} was left as it was" in caught.value.message
    assert not list((tmp_path / ".out.mp4.parseq").glob("resumed*"))
    frame.write_bytes(good)  # the user restores the frame: the same state resumes to the end
    result = render(_manifest(), _settings(tmp_path, resume=True), DryRunBackend(), init_image=init_image())
    assert not result.interrupted and playable_frames(video) == FRAMES


def test_a_resume_stopped_again_replaces_the_video_with_the_longer_one(tmp_path):
    video = _interrupted_render(tmp_path)
    result = render(_manifest(), _settings(tmp_path, resume=True), StopAt(9), init_image=init_image())
    assert result.interrupted and result.frames_written == 10
    assert playable_frames(video) == 10
    result = render(_manifest(), _settings(tmp_path, resume=True), DryRunBackend(), init_image=init_image())
    assert playable_frames(video) == FRAMES and not (tmp_path / ".out.mp4.parseq").exists()


# Finding 7: two renders to one output.

class Gate(DryRunBackend):
    """Holds the render at ``frame`` until released, so a second render can start meanwhile."""

    def __init__(self, frame: int) -> None:
        super().__init__()
        self.frame = frame
        self.reached = threading.Event()
        self.release = threading.Event()

    def generate(self, image, params):
        if params.frame == self.frame:
            self.reached.set()
            assert self.release.wait(30)
        return super().generate(image, params)


@pytest.mark.parametrize("second", [{"overwrite": True}, {"resume": True}, {}],
                         ids=["overwrite", "resume", "plain"])
def test_a_second_render_to_the_same_output_is_refused_and_harms_nothing(tmp_path, second):
    gate = Gate(5)
    outcome: dict = {}

    def first() -> None:
        try:
            outcome["result"] = render(_manifest(), _settings(tmp_path), gate, init_image=init_image())
        except BaseException as exc:  # noqa: BLE001 - reported by the assertions below
            outcome["error"] = exc

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert gate.reached.wait(30)
        with pytest.raises(RenderError) as caught:
            render(_manifest(), _settings(tmp_path, **second), DryRunBackend(), init_image=init_image())
        assert "another render is writing" in caught.value.message
        assert str(tmp_path / "out.mp4") in caught.value.message
        assert (tmp_path / ".out.mp4.parseq" / "frames").is_dir()  # the first render's state is untouched
    finally:
        gate.release.set()
        thread.join(60)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["result"].frames_written == FRAMES
    assert playable_frames(tmp_path / "out.mp4") == FRAMES
    assert not (tmp_path / ".out.mp4.lock").exists()


def test_the_lock_is_released_after_a_refused_or_failed_render(tmp_path):
    render(_manifest(), _settings(tmp_path), DryRunBackend(), init_image=init_image())
    with pytest.raises(RenderError, match="already exists"):
        render(_manifest(), _settings(tmp_path), DryRunBackend(), init_image=init_image())
    result = render(_manifest(), _settings(tmp_path, overwrite=True), DryRunBackend(), init_image=init_image())
    assert result.frames_written == FRAMES and not (tmp_path / ".out.mp4.lock").exists()


LOCK_HOLDER = """
import sys, time
sys.path.insert(0, {repo!r})
from pathlib import Path
from lib_parseq.render.lock import OutputLock
lock = OutputLock(Path({video!r}))
print("locked", flush=True)
time.sleep(60)
"""


def test_a_render_in_another_process_holds_the_output_until_it_dies(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER.format(repo=str(REPO),
                                                                         video=str(tmp_path / "out.mp4"))],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(RenderError, match="another render is writing"):
            render(_manifest(), _settings(tmp_path), DryRunBackend(), init_image=init_image())
    finally:
        holder.kill()  # a crash, as hard as it gets: the system drops the lock with the process
        holder.wait()
    result = render(_manifest(), _settings(tmp_path), DryRunBackend(), init_image=init_image())
    assert result.frames_written == FRAMES


# Finding 8: a full disk must leave a playable video, and the render must resume once there is room.

NOISY = {"noise": 0.5}  # noise keeps the H.264 frames large, so the video reaches the limit early
BIG_SIZE = (128, 96)
FULL_DISK_FRAMES = 90

FILE_SIZE_LIMITED = """
import resource, sys
sys.path.insert(0, {repo!r})
import json
from pathlib import Path
import numpy as np
from lib_parseq.errors import RenderError
from lib_parseq.render import DryRunBackend, RenderSettings, render
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
manifest = json.loads({manifest!r})
y, x = np.mgrid[0:{h}, 0:{w}]
init = np.dstack([(x * 4) % 256, (y * 5) % 256, ((x + y) * 3) % 256]).astype(np.uint8)
settings = RenderSettings(output="out.mp4", output_dir=Path({folder!r}), size=({w}, {h}), preset="ultrafast",
                          checkpoint_every=5, handle_sigint=False)
try:
    render(manifest, settings, DryRunBackend(), init_image=init)
    print("finished")
except RenderError as exc:
    print("error:", exc.message)
"""


def _big_settings(folder: Path, **changes) -> RenderSettings:
    return _settings(folder, size=BIG_SIZE, checkpoint_every=5, **changes)


def test_a_file_size_limit_hit_by_the_encoder_leaves_a_playable_video_and_resumes(tmp_path):
    """RLIMIT_FSIZE makes the kernel stop ffmpeg's writes past 400 kB (as a full disk would), for the rebuild too."""
    import json

    manifest = _manifest(FULL_DISK_FRAMES, **NOISY)
    code = FILE_SIZE_LIMITED.format(repo=str(REPO), limit=400_000, manifest=json.dumps(manifest),
                                    folder=str(tmp_path), w=BIG_SIZE[0], h=BIG_SIZE[1])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.stdout.startswith("error:"), done.stdout + done.stderr
    assert "encoder" in done.stdout and "--resume" in done.stdout
    kept = playable_frames(tmp_path / "out.mp4")
    assert 0 < kept < FULL_DISK_FRAMES
    result = render(manifest, _big_settings(tmp_path, resume=True), DryRunBackend(), init_image=init_image(BIG_SIZE))
    assert not result.interrupted
    assert playable_frames(tmp_path / "out.mp4") == FULL_DISK_FRAMES


@pytest.fixture
def small_disk(tmp_path):
    """A real 512 kB tmpfs (needs root and mount permission; skipped elsewhere), unmounted afterwards."""
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount_point)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_really_full_disk_leaves_a_playable_video_and_resumes_after_room_is_made(small_disk, tmp_path):
    """The video and its work folder on a full tmpfs (the frames kept elsewhere with --save-frames)."""
    manifest = _manifest(FULL_DISK_FRAMES, **NOISY)
    frames = tmp_path / "frames"
    with pytest.raises(RenderError) as caught:
        render(manifest, _big_settings(small_disk, save_frames=frames), DryRunBackend(),
               init_image=init_image(BIG_SIZE))
    assert "No space left on device" in caught.value.message
    kept = playable_frames(small_disk / "out.mp4")
    assert 0 < kept < FULL_DISK_FRAMES
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    result = render(manifest, _big_settings(small_disk, save_frames=frames, resume=True), DryRunBackend(),
                    init_image=init_image(BIG_SIZE))
    assert not result.interrupted
    assert playable_frames(small_disk / "out.mp4") == FULL_DISK_FRAMES
    assert os.listdir(small_disk) == ["out.mp4"]


def test_a_symlink_planted_as_the_lock_file_is_refused_and_its_target_untouched(tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep me")
    (tmp_path / ".out.mp4.lock").symlink_to(target)
    with pytest.raises(RenderError, match="cannot create the lock file"):
        render(_manifest(), _settings(tmp_path), DryRunBackend(), init_image=init_image())
    assert target.read_text() == "keep me"
    assert (tmp_path / ".out.mp4.lock").is_symlink() and not (tmp_path / "out.mp4").exists()


def test_a_checkpoint_write_failing_part_way_leaves_no_zip_writer_open(tmp_path, monkeypatch):
    """A full disk while the checkpoint's arrays are written: the error reaches the caller, no temporary file
    stays, and nothing is left for the garbage collector to fail on later (numpy's zip writer, left open by a
    failed write, raised "seek of closed file" from its finaliser wherever collection next ran)."""
    import gc

    import numpy as np

    from lib_parseq import atomic
    from lib_parseq.render.state import Checkpoint, save_checkpoint

    class FullDisk:
        def __init__(self, handle):
            self.handle, self.written = handle, 0

        def write(self, data):
            self.written += len(data)
            if self.written > 1000:
                raise OSError(28, "No space left on device")
            return self.handle.write(data)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", lambda report: unraisable.append(repr(report.exc_value)))
    real_fdopen = os.fdopen
    monkeypatch.setattr(atomic.os, "fdopen", lambda fd, mode: FullDisk(real_fdopen(fd, mode)))
    checkpoint = Checkpoint(next_frame=5, fingerprint="f", history=[np.full((64, 64, 3), 7, np.uint8)],
                            colour={}, input_hist=None)
    with pytest.raises(OSError, match="No space left"):
        save_checkpoint(tmp_path, checkpoint)
    monkeypatch.undo()
    gc.collect()
    assert unraisable == []
    assert list(tmp_path.iterdir()) == []
