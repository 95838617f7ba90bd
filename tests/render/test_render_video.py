"""Video in and out with the real ffmpeg: probing, reading (.mov, VFR, rotation), writing, GIF/WebM/audio."""

from __future__ import annotations

import subprocess
import threading

import numpy as np
import pytest
from render_helpers import count_frames, decode_frames, duration_s, ffmpeg, make_manifest, stream_kinds

from lib_parseq.errors import RenderError
from lib_parseq.render import DryRunBackend, RenderSettings, render
from lib_parseq.video import VideoReader, VideoWriter, probe_video
from lib_parseq.video.ffmpeg import find_ffmpeg
from lib_parseq.video.yuv import yuv420p_planes


def settings_for(tmp_path, name="out.mp4", **extra):
    return RenderSettings(output=name, output_dir=tmp_path / "out", preset="ultrafast", **extra)


def test_written_video_has_the_frames_size_and_fps_and_decodes(tmp_path):
    path = tmp_path / "w.mp4"
    writer = VideoWriter(path, 48, 32, 12.0, crf=10, preset="ultrafast")
    for i in range(9):
        writer.write(np.full((32, 48, 3), i * 25, np.uint8))
    writer.close()
    meta, frames = decode_frames(path)
    assert meta["size"] == (48, 32) and meta["fps"] == pytest.approx(12.0)
    assert len(frames) == 9 == count_frames(path)
    assert [round(float(f.mean()) / 25) for f in frames] == list(range(9))


def test_writer_refuses_odd_sizes_and_bad_presets(tmp_path):
    with pytest.raises(RenderError, match="even"):
        VideoWriter(tmp_path / "x.mp4", 33, 32, 10)
    with pytest.raises(RenderError, match="preset"):
        VideoWriter(tmp_path / "x.mp4", 32, 32, 10, preset="warp9")


def test_probe_counts_decoded_frames_at_the_chosen_fps(test_video):
    video = test_video("in.mp4", frames=20, fps=10)
    info = probe_video(video, fps=10)
    assert (info.width, info.height, info.frame_count, info.source_fps) == (64, 48, 20, 10)
    assert probe_video(video, fps=5).frame_count == 10


def test_mov_without_trustworthy_metadata_is_read_by_decoding(test_video):
    video = test_video("in.mov", frames=15, fps=10, codec=["-c:v", "mjpeg", "-q:v", "3"])
    info = probe_video(video, fps=10)
    assert (info.width, info.height, info.frame_count) == (64, 48, 15)
    with VideoReader(info) as reader:
        frames = list(reader)
    assert len(frames) == 15 and frames[0].shape == (48, 64, 3)


def test_variable_frame_rate_input_is_resampled_to_a_constant_rate(tmp_path, test_video):
    source = test_video("cfr.mp4", frames=30, fps=30)
    vfr = tmp_path / "vfr.mkv"
    # Drop every other frame in the first half: the timestamps become irregular (variable frame rate).
    ffmpeg("-i", str(source), "-vf", "select='gte(n,15)+not(mod(n,2))'", "-fps_mode", "vfr", "-c:v", "libx264",
           "-pix_fmt", "yuv420p", str(vfr))
    assert count_frames(vfr) == 23
    info = probe_video(vfr, fps=10)
    assert info.frame_count == pytest.approx(10, abs=1)
    manifest = make_manifest(info.frame_count, fps=10)
    result = render(manifest, settings_for(tmp_path), DryRunBackend(), video_path=vfr)
    assert result.frames_written == info.frame_count == count_frames(result.video_path)


def test_rotation_metadata_is_honoured(tmp_path):
    frames = np.zeros((4, 32, 64, 3), np.uint8)
    frames[:, :16, :32] = (255, 0, 0)
    plain = tmp_path / "plain.mp4"
    writer = VideoWriter(plain, 64, 32, 10, crf=0, preset="ultrafast")
    for frame in frames:
        writer.write(frame)
    writer.close()
    rotated = tmp_path / "rotated.mov"
    ffmpeg("-display_rotation", "90", "-i", str(plain), "-c", "copy", str(rotated))
    info = probe_video(rotated, fps=10)
    assert (info.width, info.height) == (32, 64) and abs(info.rotation) == 90
    with VideoReader(info) as reader:
        first = next(iter(reader))
    assert first.shape == (64, 32, 3)
    red = first[..., 0].astype(int) - first[..., 2].astype(int) > 100
    ys, xs = np.nonzero(red)
    assert red.sum() > 100
    # A 90° counter-clockwise display rotation moves the top-left red block to the bottom-left.
    assert ys.mean() > 32 and xs.mean() < 16


def test_missing_and_corrupt_inputs_give_one_clear_error(tmp_path, test_video):
    with pytest.raises(RenderError, match="not found"):
        probe_video(tmp_path / "nope.mp4")
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8)
    with pytest.raises(RenderError, match="cannot read video|no frames|no video stream"):
        probe_video(broken)
    good = test_video("good.mp4", frames=30)
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(RenderError) as caught:
        probe_video(truncated)
    assert "truncated.mp4" in str(caught.value)


def test_truncated_stream_ending_early_is_reported_with_its_frame(tmp_path, test_video):
    video = test_video("in.ts", frames=30, codec=["-c:v", "mpeg2video", "-f", "mpegts"])
    info = probe_video(video, fps=10)
    cut = tmp_path / "cut.ts"
    cut.write_bytes(video.read_bytes()[: video.stat().st_size // 2])
    lying = type(info)(**{**info.__dict__, "path": cut})
    with pytest.raises(RenderError, match="ended at frame"), VideoReader(lying) as reader:
        list(reader)


def test_gif_webm_and_audio_outputs(tmp_path, test_video):
    audio = tmp_path / "tone.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=5", str(audio))
    manifest = make_manifest(12, fps=10, zoom=lambda f: 1 + f / 50)
    settings = settings_for(tmp_path, gif=True, webm=True, audio=audio)
    result = render(manifest, settings, DryRunBackend(), init_image=np.full((32, 32, 3), 90, np.uint8))
    assert stream_kinds(result.video_path) == ["Video", "Audio"]
    # The 5 s tone is trimmed to the 1.2 s video.
    assert duration_s(result.video_path) == pytest.approx(1.2, abs=0.15)
    assert result.gif_path.stat().st_size > 0 and count_frames(result.gif_path) == 12
    assert count_frames(result.webm_path) == 12
    assert "Audio" in stream_kinds(result.webm_path)


def test_audio_shorter_than_the_video_keeps_every_frame(tmp_path):
    audio = tmp_path / "blip.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=0.3", str(audio))
    manifest = make_manifest(12, fps=10, zoom=lambda f: 1 + f / 50)
    settings = settings_for(tmp_path, webm=True, audio=audio)
    result = render(manifest, settings, DryRunBackend(), init_image=np.full((32, 32, 3), 90, np.uint8))
    for video in (result.video_path, result.webm_path):
        assert stream_kinds(video) == ["Video", "Audio"]
        assert count_frames(video) == 12  # the 0.3 s track is padded with silence, no frame is cut
        assert duration_s(video) == pytest.approx(1.2, abs=0.15)


def _ffmpeg_yuv420p(frame: np.ndarray) -> np.ndarray:
    """ffmpeg's own rgb24 → yuv420p conversion of one frame (what the writer left to ffmpeg before issue 13)."""
    height, width = frame.shape[:2]
    done = subprocess.run([find_ffmpeg(), "-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
                           "-s", f"{width}x{height}", "-i", "-", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"],
                          input=frame.tobytes(), capture_output=True, check=True)
    return np.frombuffer(done.stdout, np.uint8)


def _smooth_frame(width: int = 96, height: int = 64) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    return np.stack([255 * x / width, 255 * y / height, 127 + 120 * np.sin(x / 9 + y / 13)], axis=2).astype(np.uint8)


def test_the_writer_s_yuv420p_planes_are_ffmpeg_s():
    frame = _smooth_frame()
    theirs = _ffmpeg_yuv420p(frame)
    luma = 96 * 64
    y, cb, cr = yuv420p_planes(frame)
    assert y.shape == (64, 96) and cb.shape == cr.shape == (32, 48)
    assert np.abs(y.ravel().astype(int) - theirs[:luma]).max() <= 1
    chroma = np.concatenate([cb.ravel(), cr.ravel()]).astype(int) - theirs[luma:]
    assert np.abs(chroma).max() <= 2 and np.abs(chroma).mean() < 0.5
    for grey in (0, 128, 255):  # black, mid grey and white land on BT.601's limited-range levels
        y, cb, cr = yuv420p_planes(np.full((4, 6, 3), grey, np.uint8))
        assert (y == round(16 + 219 * grey / 255)).all() and (cb == 128).all() and (cr == 128).all()


def test_a_written_video_decodes_as_close_to_its_frames_as_with_ffmpeg_s_conversion(tmp_path):
    frames = [np.roll(_smooth_frame(), 5 * i, axis=1) for i in range(6)]
    writer = VideoWriter(tmp_path / "ours.mp4", 96, 64, 10.0, crf=0, preset="ultrafast")
    for frame in frames:
        writer.write(frame)
    writer.close()
    subprocess.run([find_ffmpeg(), "-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
                    "-s", "96x64", "-r", "10", "-i", "-", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "0",
                    "-pix_fmt", "yuv420p", str(tmp_path / "theirs.mp4")],
                   input=b"".join(frame.tobytes() for frame in frames), capture_output=True, check=True)
    source = np.stack(frames).astype(int)
    errors = {}
    for name in ("ours", "theirs"):
        _, decoded = decode_frames(tmp_path / f"{name}.mp4")
        assert len(decoded) == 6
        errors[name] = np.abs(np.stack(decoded) - source).mean()
    assert errors["ours"] <= errors["theirs"] + 0.05, errors


def test_a_frame_that_cannot_be_converted_ends_the_video_cleanly_with_a_clear_error(tmp_path, monkeypatch):
    from lib_parseq.video import writer as writer_module

    converted = []

    def failing_third(frame):
        if len(converted) == 2:
            raise MemoryError("no room for the planes")
        converted.append(frame)
        return yuv420p_planes(frame)

    monkeypatch.setattr(writer_module, "yuv420p_planes", failing_third)
    outcome = {}

    def write_all():
        writer = VideoWriter(tmp_path / "w.mp4", 48, 32, 10.0, preset="ultrafast")
        try:
            for i in range(12):  # more than the queue holds: a dead pipe thread would leave write() waiting
                writer.write(np.full((32, 48, 3), 20 * i, np.uint8))
            writer.close()
        except RenderError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=write_all, daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the writer hung after a failed conversion"
    message = str(outcome["error"])
    assert "frame 3" in message and "MemoryError: no room for the planes" in message and "keeps the 2" in message
    _, frames = decode_frames(tmp_path / "w.mp4")
    assert [round(float(f.mean()) / 20) for f in frames] == [0, 1]
