"""The motion toolkit in the render pipeline: cadence, flip, anti-blur, colour coherence, greyscale, hybrid video."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from motion_helpers import locate, moving_square_frames, texture, write_video
from render_helpers import count_frames, decode_frames, make_manifest

from lib_parseq.errors import RenderError
from lib_parseq.render import DryRunBackend, RenderSettings, render
from lib_parseq.render.settings import HybridSettings
from lib_parseq.render.state import frame_file, read_png
from lib_parseq.schedules import compile_document


class Recording(DryRunBackend):
    """Returns a flat image whose level steps by 20 per call, and records which frames it was called for."""

    def __init__(self, stop_after: int | None = None) -> None:
        super().__init__()
        self.frames: list[int] = []
        self.stop_after = stop_after

    def generate(self, image, params):
        self.frames.append(params.frame)
        if self.stop_after is not None and len(self.frames) >= self.stop_after:
            self.stop()
        return np.full_like(image, 20 + 20 * (params.frame // 3) % 240)


def settings(folder: Path, **extra) -> RenderSettings:
    extra.setdefault("checkpoint_every", 4)
    return RenderSettings(output="out.mp4", output_dir=folder, preset="ultrafast", crf=0,
                          save_frames=folder / "frames", **extra)


def saved(folder: Path, count: int) -> list[np.ndarray]:
    return [read_png(frame_file(folder / "frames", f)) for f in range(count)]


def test_cadence_3_over_30_frames_calls_the_backend_10_times_and_in_betweens_lie_between(tmp_path):
    backend = Recording()
    manifest = make_manifest(30, seed=1)
    manifest["options"]["cadence"] = 3
    result = render(manifest, settings(tmp_path), backend, init_image=np.full((32, 32, 3), 9, np.uint8))
    assert backend.frames == list(range(0, 30, 3))
    assert result.frames_written == 30 and count_frames(result.video_path) == 30
    frames = saved(tmp_path, 30)
    levels = [int(frame[16, 16, 0]) for frame in frames]
    for d in range(0, 27, 3):
        a, b = levels[d], levels[d + 3]
        assert levels[d + 1] == pytest.approx(a + (b - a) / 3, abs=1)
        assert levels[d + 2] == pytest.approx(a + 2 * (b - a) / 3, abs=1)
        assert min(a, b) <= levels[d + 1] <= max(a, b) and min(a, b) <= levels[d + 2] <= max(a, b)
    assert levels[28] == levels[29] == levels[27]  # after the last diffused frame: its output, moved only


def test_diffused_frames_are_where_the_languages_is_generation_is_1(tmp_path):
    document = {"options": {"output_fps": 10, "bpm": 120, "cadence": 4}, "managedFields": ["gen"],
                "keyframes": [{"frame": 0, "gen": 0, "gen_i": "is_generation(f)"}, {"frame": 21}]}
    manifest = compile_document(document)
    backend = Recording()
    render(manifest, settings(tmp_path), backend, init_image=np.zeros((16, 16, 3), np.uint8))
    generated = [entry["frame"] for entry in manifest["rendered_frames"] if entry["gen"] == 1]
    assert backend.frames == generated == [0, 4, 8, 12, 16, 20]


def test_in_betweens_follow_the_camera_between_the_two_diffused_frames(tmp_path):
    manifest = make_manifest(7, translation_x=lambda f: 2.0 * f)
    image = np.zeros((64, 64, 3), np.uint8)
    image[28:36, 10:18] = 255
    render(manifest, settings(tmp_path, cadence=3, border="zeros"), DryRunBackend(), init_image=image)
    frames = saved(tmp_path, 7)
    xs = [np.nonzero(frame[32, :, 0] > 127)[0].mean() for frame in frames]
    assert xs == pytest.approx([13.5 + 2 * f for f in range(7)], abs=0.75)


@pytest.mark.parametrize("stop_after", [2, 3, 4])
def test_stop_and_resume_mid_cadence_equals_an_uninterrupted_render(tmp_path, stop_after):
    manifest = make_manifest(14, seed=3, angle=lambda f: 3.0 * f, zoom=lambda f: 1 + 0.01 * f)
    manifest["options"].update(cadence=3, cc_window_width=3)
    init = texture(32, 32, seed=4)
    reference = tmp_path / "reference"
    render(manifest, settings(reference), Recording(), init_image=init)
    stopped = tmp_path / "stopped"
    first = Recording(stop_after=stop_after)
    result = render(manifest, settings(stopped), first, init_image=init)
    assert result.interrupted
    second = Recording()
    resumed = render(manifest, settings(stopped, resume=True), second, init_image=init)
    assert resumed.frames_written == 14
    assert len(first.frames) + len(second.frames) == 5  # frames 0, 3, 6, 9, 12: none made twice
    for ours, theirs in zip(saved(stopped, 14), saved(reference, 14), strict=True):
        assert np.array_equal(ours, theirs)
    assert [f.copy() for f in decode_frames(resumed.video_path)[1]][-1].shape == (32, 32, 3)


def test_vid2vid_ignores_cadence_with_a_warning(tmp_path, test_video):
    video = test_video(frames=6, size="32x32")
    backend = Recording()
    result = render(make_manifest(6), settings(tmp_path, cadence=3), backend, video_path=video)
    assert backend.frames == list(range(6)) and any("cadence 3" in w for w in result.warnings)


def first_frame_after(tmp_path: Path, name: str, **fields) -> np.ndarray:
    folder = tmp_path / name
    render(make_manifest(2, **fields), settings(folder, border="zeros"), DryRunBackend(),
           init_image=texture(48, 48, seed=8))
    return saved(folder, 2)[1]


def test_flip_and_anti_blur_fields_render_and_absent_fields_change_nothing(tmp_path):
    still = first_frame_after(tmp_path, "still")
    flipped = first_frame_after(tmp_path, "flip", perspective_flip_theta=lambda f: 20.0 * f, perspective_flip_fv=60)
    sharpened = first_frame_after(tmp_path, "sharp", antiblur_amount=0.8, antiblur_kernel=5, antiblur_sigma=1)
    assert np.array_equal(still, texture(48, 48, seed=8))
    assert (flipped == 0).all(axis=2).sum() > 48  # the turned plane uncovers black (zeros) padding
    assert sharpened.astype(int).std() > still.astype(int).std() + 2


def test_colour_source_first_pulls_every_frame_to_frame_zeros_colours(tmp_path):
    warm = np.clip(texture(32, 32, seed=2).astype(int) * [1.2, 0.8, 0.5], 0, 255).astype(np.uint8)

    class Cooling(DryRunBackend):
        def generate(self, image, params):
            return np.clip(image.astype(int) + [-12, 0, 15], 0, 255).astype(np.uint8)

    for source, expect_drift in (("first", False), ("window", True)):
        folder = tmp_path / source
        render(make_manifest(8), settings(folder, colour_source=source, colour_space="rgb"), Cooling(),
               init_image=warm)
        frames = saved(folder, 8)
        drift = np.abs(frames[7].mean(axis=(0, 1)) - frames[0].mean(axis=(0, 1))).max()
        assert (drift > 40) == expect_drift, (source, drift)


def test_greyscale_output(tmp_path):
    render(make_manifest(3), settings(tmp_path, greyscale=True), DryRunBackend(), init_image=texture(16, 16))
    for frame in saved(tmp_path, 3):
        assert (frame[:, :, 0] == frame[:, :, 1]).all() and (frame[:, :, 1] == frame[:, :, 2]).all()


def test_bad_motion_settings_are_one_clear_error(tmp_path):
    image = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(RenderError, match="unknown colour space 'yuv'"):
        render(make_manifest(2), settings(tmp_path, colour_space="yuv"), DryRunBackend(), init_image=image)
    with pytest.raises(RenderError, match="hybrid video needs an input video"):
        render(make_manifest(2), settings(tmp_path, hybrid=HybridSettings()), DryRunBackend(), init_image=image)
    with pytest.raises(RenderError, match="unknown hybrid motion 'raft'"):
        render(make_manifest(2), settings(tmp_path, hybrid=HybridSettings(motion="raft")), DryRunBackend(),
               init_image=image)


STEP = (3, 2)


@pytest.fixture
def square_video(tmp_path: Path) -> Path:
    return write_video(tmp_path / "square.mp4", moving_square_frames(8, 96, STEP, 24))


def test_hybrid_optical_flow_carries_the_loopback_along_the_videos_motion(tmp_path, square_video):
    init = texture(96, 96, seed=21, smooth=1.0)
    hybrid = HybridSettings(motion="optical_flow", flow_method="dis_fine")
    render(make_manifest(6), settings(tmp_path, hybrid=hybrid, frames=(0, 6)), DryRunBackend(), init_image=init,
           video_path=square_video)
    frames = saved(tmp_path, 6)
    assert np.array_equal(frames[0], init)
    patch = init[16 + 4 : 16 + 20, 16 + 4 : 16 + 20]  # what the init shows where the square starts
    x, y = locate(frames[5], patch)
    assert (x - 20, y - 20) == pytest.approx((5 * STEP[0], 5 * STEP[1]), abs=1.5)
    off = tmp_path / "off"
    render(make_manifest(6), settings(off, hybrid=HybridSettings(), frames=(0, 6)), DryRunBackend(), init_image=init,
           video_path=square_video)
    assert np.array_equal(saved(off, 6)[5], init)


def test_hybrid_composite_alpha_is_keyframable_and_first_frame_init(tmp_path, square_video):
    hybrid = HybridSettings(composite="normal")
    render(make_manifest(4, hybrid_comp_alpha=lambda f: [0, 0, 1, 0.5][f]), settings(tmp_path, hybrid=hybrid, frames=(0, 4)),
           DryRunBackend(), video_path=square_video)
    frames = saved(tmp_path, 4)
    video = decode_frames(square_video)[1]
    assert np.abs(frames[0].astype(int) - video[0]).max() <= 2  # no init image: the video's first frame
    assert np.array_equal(frames[1], frames[0])  # alpha 0: the loopback image only
    assert np.abs(frames[2].astype(int) - video[2]).max() <= 2  # alpha 1: the video frame
    expected = (frames[2].astype(int) + video[3]) / 2
    assert np.abs(frames[3].astype(int) - expected).max() <= 2


def test_colour_source_video_matches_each_frame_to_the_video(tmp_path, square_video):
    blue = np.clip(texture(96, 96, seed=3).astype(int) * [0.3, 0.5, 1.3], 0, 255).astype(np.uint8)
    render(make_manifest(3), settings(tmp_path, hybrid=HybridSettings(), colour_source="video", colour_space="rgb",
                                               frames=(0, 3)),
           DryRunBackend(), init_image=blue, video_path=square_video)
    video = decode_frames(square_video)[1]
    matched = saved(tmp_path, 3)[2]
    assert np.abs(matched.mean(axis=(0, 1)) - video[2].mean(axis=(0, 1))).max() < 4


def test_hybrid_with_cadence_stops_and_resumes_exactly(tmp_path, square_video):
    manifest = make_manifest(8, seed=2, hybrid_comp_alpha=0.4, angle=lambda f: 2.0 * f)
    hybrid = HybridSettings(motion="optical_flow", composite="normal", mask="difference")
    init = texture(96, 96, seed=30)
    reference = tmp_path / "reference"
    render(manifest, settings(reference, hybrid=hybrid, cadence=2), Recording(), init_image=init,
           video_path=square_video)
    stopped = tmp_path / "stopped"
    first = Recording(stop_after=2)
    assert render(manifest, settings(stopped, hybrid=hybrid, cadence=2), first, init_image=init,
                  video_path=square_video).interrupted
    second = Recording()
    render(manifest, settings(stopped, hybrid=hybrid, cadence=2, resume=True), second, init_image=init,
           video_path=square_video)
    assert sorted(first.frames + second.frames) == [0, 2, 4, 6]
    for ours, theirs in zip(saved(stopped, 8), saved(reference, 8), strict=True):
        assert np.array_equal(ours, theirs)


def test_hybrid_without_an_init_starts_from_the_video_frame_at_the_range_start(tmp_path, square_video):
    render(make_manifest(8), settings(tmp_path, hybrid=HybridSettings(), frames=(3, 5)), DryRunBackend(),
           video_path=square_video)
    video = decode_frames(square_video)[1]
    first = read_png(frame_file(tmp_path / "frames", 3))
    assert np.abs(first.astype(int) - video[3]).max() <= 2


def square_x(image: np.ndarray, patch: np.ndarray) -> float:
    return locate(image, patch)[0]


def test_use_previous_image_moves_the_loopback_towards_the_video_frame_instead(tmp_path, square_video):
    video = decode_frames(square_video)[1]
    init = video[3]  # the loopback starts with the square where the video has it at frame 3
    patch = video[3][16 + 3 * STEP[1] + 4 : 16 + 3 * STEP[1] + 20, 16 + 3 * STEP[0] + 4 : 16 + 3 * STEP[0] + 20]
    moved = {}
    for use_previous in (False, True):
        folder = tmp_path / str(use_previous)
        hybrid = HybridSettings(motion="optical_flow", flow_method="dis_fine", use_previous_image=use_previous)
        render(make_manifest(8), settings(folder, hybrid=hybrid, frames=(0, 2)), DryRunBackend(), init_image=init,
               video_path=square_video)
        moved[use_previous] = square_x(read_png(frame_file(folder / "frames", 1)), patch) - (20 + 3 * STEP[0])
    assert moved[False] == pytest.approx(STEP[0], abs=1.0)  # the video's own step, 0 → 1
    assert moved[True] == pytest.approx(-2 * STEP[0], abs=1.0)  # to where video frame 1 has it


@pytest.mark.parametrize("kind", ["affine", "perspective"])
def test_hybrid_matrix_motion_follows_a_panning_video(tmp_path, kind):
    scene = texture(160, 128, seed=40, smooth=2.0)
    frames = [np.ascontiguousarray(scene[10 : 10 + 96, 10 + 4 * f : 10 + 4 * f + 96]) for f in range(4)]
    path = write_video(tmp_path / "pan.mp4", frames)  # the camera pans right: content moves 4 px left per frame
    init = texture(96, 96, seed=41, smooth=1.5)
    render(make_manifest(4), settings(tmp_path / "out", hybrid=HybridSettings(motion=kind)), DryRunBackend(),
           init_image=init, video_path=path)
    last = read_png(frame_file(tmp_path / "out" / "frames", 3))
    patch = init[30:60, 40:70]
    x, y = locate(last, patch)
    assert (x, y) == pytest.approx((40 - 12, 30), abs=1.0)


@pytest.mark.parametrize("when", ["before", "normal", "after"])
def test_composite_timing_before_or_after_the_motion_or_after_generation(tmp_path, square_video, when):
    manifest = make_manifest(8, hybrid_comp_alpha=1.0, translation_x=lambda f: 6.0 * f)

    class Brighten(DryRunBackend):
        def generate(self, image, params):
            return np.clip(image.astype(int) + 40, 0, 255).astype(np.uint8)

    render(manifest, settings(tmp_path, hybrid=HybridSettings(composite=when), frames=(0, 3), border="replicate"),
           Brighten(), init_image=texture(96, 96, seed=50), video_path=square_video)
    video = decode_frames(square_video)[1]
    frame = read_png(frame_file(tmp_path / "frames", 2)).astype(int)
    brightened = np.clip(video[2].astype(int) + 40, 0, 255)
    shifted = np.roll(brightened, 6, axis=1)  # the video frame moved by this frame's camera step
    if when == "before":
        assert np.abs(frame[:, 8:] - shifted[:, 8:]).max() <= 3
    elif when == "normal":
        assert np.abs(frame - brightened).max() <= 3
    else:
        assert np.abs(frame - video[2]).max() <= 3


def test_first_frame_init_wins_over_an_init_image(tmp_path, square_video):
    render(make_manifest(8), settings(tmp_path, hybrid=HybridSettings(first_frame_init=True), frames=(0, 2)),
           DryRunBackend(), init_image=texture(96, 96, seed=60), video_path=square_video)
    video = decode_frames(square_video)[1]
    assert np.abs(read_png(frame_file(tmp_path / "frames", 0)).astype(int) - video[0]).max() <= 2
