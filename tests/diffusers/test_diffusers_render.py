"""Rendering with the diffusers backend and the tiny model loaded through ``--model PATH``, as a user would."""

from __future__ import annotations

import imageio_ffmpeg
import numpy as np
import pytest
from diffusers_helpers import (
    COMMON,
    frame_pngs,
    make_video,
    manifest,
    needs_diffusers,
    render_cli,
    write_inputs,
)

pytestmark = needs_diffusers



def video_frame_count(path) -> int:
    return imageio_ffmpeg.count_frames_and_secs(str(path))[0]


def changed(a: list[np.ndarray], b: list[np.ndarray]) -> list[int]:
    assert len(a) == len(b)
    return [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if not np.array_equal(x, y)]


def test_six_frame_loopback_goes_through_the_model(tmp_path, tiny_model, parseq_cli):
    frames = render_cli(parseq_cli, tiny_model, tmp_path / "model", manifest())
    assert len(frames) == 6 and video_frame_count(tmp_path / "model" / "out.mp4") == 6
    manifest_path, image = write_inputs(tmp_path / "dry", manifest())
    code, err = parseq_cli("render", manifest_path, "--init", image, "-o", tmp_path / "dry" / "out.mp4", "--dry-run",
                           "--quiet", "--save-frames", tmp_path / "dry" / "frames")
    assert code == 0, err
    dry = frame_pngs(tmp_path / "dry" / "frames")
    for with_model, without in zip(frames, dry, strict=True):
        assert np.abs(with_model.astype(int) - without.astype(int)).mean() > 5


def test_loopback_seed_change_at_frame_3_changes_frame_3_onwards(tmp_path, tiny_model, parseq_cli):
    base = render_cli(parseq_cli, tiny_model, tmp_path / "a", manifest())
    other = render_cli(parseq_cli, tiny_model, tmp_path / "b", manifest(seed=lambda f: 999 if f == 3 else 100 + f))
    assert changed(base, other) == [3, 4, 5]


def test_six_frame_vid2vid_seed_change_at_frame_3_changes_only_frame_3(tmp_path, tiny_model, parseq_cli):
    video = make_video(tmp_path / "in.mp4")
    base = render_cli(parseq_cli, tiny_model, tmp_path / "a", manifest(), video=video)
    assert len(base) == 6 and video_frame_count(tmp_path / "a" / "out.mp4") == 6
    other = render_cli(parseq_cli, tiny_model, tmp_path / "b", manifest(seed=lambda f: 999 if f == 3 else 100 + f),
                   video=video)
    assert changed(base, other) == [3]


def test_vid2vid_batch_3_writes_the_same_frames_as_batch_1(tmp_path, tiny_model, parseq_cli):
    video = make_video(tmp_path / "in.mp4")
    data = manifest(scale=lambda f: 7.0 if f < 4 else 5.0)  # frames 4-5 need a call of their own
    one = render_cli(parseq_cli, tiny_model, tmp_path / "one", data, "--batch", "1", video=video)
    three = render_cli(parseq_cli, tiny_model, tmp_path / "three", data, "--batch", "3", video=video)
    assert len(one) == len(three) == 6
    assert changed(one, three) == []
    assert (tmp_path / "one" / "out.mp4").read_bytes() == (tmp_path / "three" / "out.mp4").read_bytes()


def test_a_fractional_seed_morphs_between_its_two_seeds(tmp_path, tiny_model, parseq_cli):
    seeds = {0: 100.0, 1: 100.5, 2: 101.0}
    frames = render_cli(parseq_cli, tiny_model, tmp_path / "frac", manifest(3, seed=lambda f: seeds[f], zoom=1.0,
                                                                        strength=0.0, deforum_prompt="cat"))
    whole = render_cli(parseq_cli, tiny_model, tmp_path / "whole", manifest(3, seed=lambda f: 100 + (f > 0),
                                                                         zoom=1.0, strength=0.0, deforum_prompt="cat"))
    assert np.array_equal(frames[0], whole[0]) and np.array_equal(frames[2], whole[2])
    half = frames[1].astype(int)
    assert not np.array_equal(frames[1], whole[0]) and not np.array_equal(frames[1], whole[2])
    # the blend sits between its two seeds' images: closer to each of them than they are to each other
    apart = np.abs(whole[0].astype(int) - whole[2].astype(int)).mean()
    assert np.abs(half - whole[0]).mean() < apart and np.abs(half - whole[2]).mean() < apart


def test_denoise_1_is_text_to_image_whatever_the_init_image(tmp_path, tiny_model, parseq_cli):
    data = manifest(1, strength=0.0)
    first = render_cli(parseq_cli, tiny_model, tmp_path / "a", data)
    manifest_path, _ = write_inputs(tmp_path / "b", data)
    other_image = tmp_path / "b" / "other.png"
    from PIL import Image

    Image.fromarray(np.full((32, 32, 3), 200, np.uint8)).save(other_image)
    code, err = parseq_cli("render", manifest_path, "--init", other_image, "-o", tmp_path / "b" / "out.mp4",
                           "--model", tiny_model, "--save-frames", tmp_path / "b" / "frames", *COMMON)
    assert code == 0, err
    assert np.array_equal(first[0], frame_pngs(tmp_path / "b" / "frames")[0])
    partial = render_cli(parseq_cli, tiny_model, tmp_path / "c", manifest(1, strength=0.5))
    assert not np.array_equal(first[0], partial[0])


@pytest.mark.parametrize("scheduler", ["euler_a", "DPMSolverMultistepScheduler"])
def test_scheduler_choice_is_used_and_reproducible(tmp_path, tiny_model, parseq_cli, scheduler):
    base = render_cli(parseq_cli, tiny_model, tmp_path / "ddim", manifest(2))
    chosen = render_cli(parseq_cli, tiny_model, tmp_path / "a", manifest(2), "--scheduler", scheduler)
    again = render_cli(parseq_cli, tiny_model, tmp_path / "b", manifest(2), "--scheduler", scheduler)
    assert changed(chosen, again) == [] and changed(base, chosen) == [0, 1]
