"""The render loop end to end with the dry-run backend: pipeline order, both vocabularies, input errors."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from render_helpers import brightest, count_frames, decode_frames, make_manifest, marked_image

from lib_parseq.errors import RenderError
from lib_parseq.render import DryRunBackend, FrameParams, RenderSettings, frame_params, render
from lib_parseq.video import VideoWriter


def settings_for(tmp_path, name="out.mp4", **extra):
    extra.setdefault("preset", "ultrafast")
    extra.setdefault("crf", 0)
    return RenderSettings(output=name, output_dir=tmp_path / "out", **extra)


class RecordingBackend(DryRunBackend):
    """The dry run, remembering what it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[np.ndarray] = []
        self.params: list[FrameParams] = []

    def generate(self, image, params):
        self.inputs.append(image.copy())
        self.params.append(params)
        return image


def test_loopback_dry_run_writes_every_frame(tmp_path):
    manifest = make_manifest(10, fps=8, angle=lambda f: 9 * f)
    result = render(manifest, settings_for(tmp_path, save_frames=tmp_path / "png"), DryRunBackend(),
                    init_image=marked_image(48, mark=(36, 24)))
    meta, frames = decode_frames(result.video_path)
    assert result.frames_written == 10 and len(frames) == 10
    assert meta["size"] == (48, 48) and meta["fps"] == pytest.approx(8)
    assert [p.name for p in result.frame_files][:2] == ["frame_000000.png", "frame_000001.png"]
    assert all(p.is_file() for p in result.frame_files)
    assert not (result.video_path.parent / f".{result.video_path.name}.parseq").exists()


def test_loopback_ramp_of_one_full_turn_returns_the_mark_home(tmp_path):
    manifest = make_manifest(37, fps=10, angle=lambda f: 10.0 * f)
    backend = RecordingBackend()
    render(manifest, settings_for(tmp_path, resumable=False), backend, init_image=marked_image(64, (48, 32), 2))
    assert brightest(backend.inputs[9]) == pytest.approx((32, 16), abs=1.5)   # 90° after 9 steps
    assert brightest(backend.inputs[18]) == pytest.approx((16, 32), abs=1.5)  # half a turn
    assert brightest(backend.inputs[36]) == pytest.approx((48, 32), abs=1.5)  # a full turn


def test_video_input_uses_absolute_motion_every_frame(tmp_path):
    video = tmp_path / "still.mp4"
    writer = VideoWriter(video, 64, 64, 10, crf=0, preset="ultrafast")
    for _ in range(6):
        writer.write(marked_image(64, (48, 32), 2))
    writer.close()
    backend = RecordingBackend()
    render(make_manifest(6, fps=10, angle=90), settings_for(tmp_path, resumable=False), backend, video_path=video)
    # A constant absolute angle rotates every frame by 90° once, never 90° more per frame.
    for image in backend.inputs:
        assert brightest(image) == pytest.approx((32, 16), abs=1.5)


def test_legacy_manifest_renders_with_its_own_fields(tmp_path):
    manifest = make_manifest(6, fps=10, seed=303.25, denoise=0.55, scale=8, panx=lambda f: 2 * f, pany=0, zoom=0,
                             rotx=0, roty=0, rotz=0, loopback_frames=2, loopback_decay=0.5,
                             positive_prompt="a red cube", negative_prompt="blur")
    backend = RecordingBackend()
    render(manifest, settings_for(tmp_path), backend, init_image=marked_image(48, (24, 24), 2))
    params = backend.params[3]
    assert (params.seed, params.subseed, params.subseed_strength) == (303, 304, 0.25)
    assert (params.denoising_strength, params.cfg_scale) == (0.55, 8)
    assert (params.prompt, params.negative_prompt) == ("a red cube", "blur")
    # panx +2 per frame moves the content left by 2 px per frame in loopback.
    assert brightest(backend.inputs[3])[0] < brightest(backend.inputs[0])[0] - 4


def test_modern_frame_params():
    params = frame_params({"frame": 4, "seed": 10.5, "subseed": 11, "subseed_strength": 0.5, "scale": 6,
                           "strength": 0.7, "deforum_prompt": "a cat: 1 --neg dog"})
    assert (params.frame, params.seed, params.subseed, params.subseed_strength) == (4, 10, 11, 0.5)
    assert params.denoising_strength == pytest.approx(0.3)
    assert (params.prompt, params.negative_prompt) == ("a cat: 1", "dog")
    assert params.values["scale"] == 6


def test_blend_and_colour_correction_shape_the_backend_input(tmp_path):
    image = np.zeros((32, 32, 3), np.uint8)
    image[:, :16] = (250, 30, 30)
    image[:, 16:] = (30, 30, 250)
    manifest = make_manifest(5, fps=10, translation_x=lambda f: 4.0 * f, loopback_frames=3, loopback_decay=0.5)
    backend = RecordingBackend()
    render(manifest, settings_for(tmp_path, border="replicate", resumable=False), backend, init_image=image)
    plain = RecordingBackend()
    render(make_manifest(5, fps=10, translation_x=lambda f: 4.0 * f), settings_for(
        tmp_path, "plain.mp4", border="replicate", resumable=False), plain, init_image=image)
    # Blending older outputs softens the moving edge: fewer pure colours than without blending.
    def pure(image):
        return int(np.all(image == (250, 30, 30), axis=2).sum() + np.all(image == (30, 30, 250), axis=2).sum())

    assert pure(backend.inputs[4]) < pure(plain.inputs[4]) - 32  # at least one 32-pixel column softened

    drift = make_manifest(6, fps=10, contrast=1.1)
    uncorrected, corrected = RecordingBackend(), RecordingBackend()
    grey = np.full((32, 32, 3), 100, np.uint8)
    grey[8:24, 8:24] = 140
    render(drift, settings_for(tmp_path, "a.mp4", resumable=False), uncorrected, init_image=grey)
    render(drift, settings_for(tmp_path, "b.mp4", resumable=False, cc_window_width=-1, cc_window_slide_rate=0,
                               cc_use_input=True), corrected, init_image=grey)
    # Contrast keeps brightening without correction (100·1.1⁵ ≈ 161); matched to the first input each frame
    # (slide rate 0 keeps the window empty), the image only ever gets one step brighter.
    assert uncorrected.inputs[5].mean() > 150
    assert corrected.inputs[5].mean() < 125


def test_overlay_is_written_but_not_looped_back(tmp_path):
    manifest = make_manifest(4, fps=10)
    backend = RecordingBackend()
    image = np.full((64, 64, 3), 60, np.uint8)
    result = render(manifest, settings_for(tmp_path, overlay=True), backend, init_image=image)
    _, frames = decode_frames(result.video_path)
    assert frames[3][:12, :40].max() > 200
    assert backend.inputs[3].max() == 60


def test_missing_input_gives_one_clear_error(tmp_path):
    manifest = make_manifest(4)
    with pytest.raises(RenderError, match="init image not found"):
        render(manifest, settings_for(tmp_path), DryRunBackend(), init_image=tmp_path / "missing.png")
    with pytest.raises(RenderError, match="input video not found"):
        render(manifest, settings_for(tmp_path), DryRunBackend(), video_path=tmp_path / "missing.mp4")
    with pytest.raises(RenderError, match="exactly one input"):
        render(manifest, settings_for(tmp_path), DryRunBackend())


def _unwritable_folder(tmp_path):
    """A folder this process cannot write to, leaving nothing behind even if the test is killed: a folder of
    our own without write permission, or for root (whom permissions do not stop) the read-only /sys."""
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        return locked
    sys_kernel = Path("/sys/kernel")
    if not sys_kernel.is_dir():
        pytest.skip("running as root without /sys: no folder here refuses root's writes")
    return sys_kernel


def test_unwritable_output_folder_gives_one_clear_error(tmp_path):
    locked = _unwritable_folder(tmp_path)
    before = sorted(p.name for p in locked.iterdir())
    try:
        settings = RenderSettings(output="video.mp4", output_dir=locked)
        with pytest.raises(RenderError, match=f"output folder {locked} is not writable"):
            render(make_manifest(3), settings, DryRunBackend(), init_image=np.zeros((16, 16, 3), np.uint8))
        assert sorted(p.name for p in locked.iterdir()) == before
    finally:
        if locked.is_relative_to(tmp_path):
            locked.chmod(0o700)
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with pytest.raises(RenderError, match="cannot create output folder"):
        render(make_manifest(3), RenderSettings(output="sub/video.mp4", output_dir=blocked), DryRunBackend(),
               init_image=np.zeros((16, 16, 3), np.uint8))


def test_manifest_shorter_than_the_video_gives_one_clear_error(tmp_path, test_video):
    video = test_video("in.mp4", frames=20, fps=10)
    with pytest.raises(RenderError) as caught:
        render(make_manifest(8, fps=10), settings_for(tmp_path), DryRunBackend(), video_path=video)
    message = str(caught.value)
    assert "manifest has 8 frames" in message and "20 frames" in message and "--frames" in message
    result = render(make_manifest(8, fps=10), settings_for(tmp_path, frames=(0, 8)), DryRunBackend(),
                    video_path=video)
    assert count_frames(result.video_path) == 8


def test_video_shorter_than_the_manifest_renders_what_exists_with_a_warning(tmp_path, test_video):
    video = test_video("in.mp4", frames=5, fps=10)
    result = render(make_manifest(9, fps=10), settings_for(tmp_path), DryRunBackend(), video_path=video)
    assert result.frames_written == 5 and result.warnings
    assert count_frames(result.video_path) == 5


def test_frame_range_renders_only_those_frames(tmp_path):
    backend = RecordingBackend()
    result = render(make_manifest(10, fps=10), settings_for(tmp_path, frames=(3, 7)), backend,
                    init_image=np.zeros((16, 16, 3), np.uint8))
    assert [p.frame for p in backend.params] == [3, 4, 5, 6]
    assert count_frames(result.video_path) == 4
    with pytest.raises(RenderError, match="outside the manifest"):
        render(make_manifest(10), settings_for(tmp_path, "x.mp4", frames=(5, 12)), backend,
               init_image=np.zeros((16, 16, 3), np.uint8))


def test_existing_files_are_not_overwritten_without_permission(tmp_path):
    image = np.zeros((16, 16, 3), np.uint8)
    first = render(make_manifest(3), settings_for(tmp_path), DryRunBackend(), init_image=image)
    before = first.video_path.read_bytes()
    with pytest.raises(RenderError, match="already exists; pass --overwrite"):
        render(make_manifest(5), settings_for(tmp_path), DryRunBackend(), init_image=image)
    assert first.video_path.read_bytes() == before
    again = render(make_manifest(5), settings_for(tmp_path, overwrite=True), DryRunBackend(), init_image=image)
    assert count_frames(again.video_path) == 5


def test_bad_settings_are_rejected_before_rendering(tmp_path):
    image = np.zeros((16, 16, 3), np.uint8)
    with pytest.raises(RenderError, match="even"):
        render(make_manifest(3), settings_for(tmp_path, size=(33, 32)), DryRunBackend(), init_image=image)
    with pytest.raises(RenderError, match="border"):
        render(make_manifest(3), settings_for(tmp_path, border="mirror"), DryRunBackend(), init_image=image)
    with pytest.raises(RenderError, match="rendered_frames"):
        render({"rendered_frames": []}, settings_for(tmp_path), DryRunBackend(), init_image=image)
    with pytest.raises(RenderError, match="frame 1 is missing"):
        render({"rendered_frames": [{"frame": 0}, {"frame": 2}]}, settings_for(tmp_path), DryRunBackend(),
               init_image=image)


def test_a_zero_zoom_in_loopback_is_a_clear_error_and_keeps_the_frames(tmp_path):
    manifest = make_manifest(6, fps=10, zoom=lambda f: 0.0 if f == 2 else 1.0)
    with pytest.raises(RenderError) as caught:
        render(manifest, settings_for(tmp_path), DryRunBackend(), init_image=np.zeros((16, 16, 3), np.uint8))
    assert "frame 2" in str(caught.value) and "singular" in str(caught.value)
    assert count_frames(tmp_path / "out" / "out.mp4") == caught.value.result.frames_written == 3
