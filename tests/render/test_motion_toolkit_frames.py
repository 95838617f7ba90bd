"""Deforum's motion toolkit as pure functions: perspective flip, anti-blur, padding and sampling, colour modes."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from motion_helpers import texture
from render_helpers import brightest, marked_image

from lib_parseq.frames import (
    ColourCoherence,
    ColourWindow,
    Motion,
    colour_histogram,
    flip_matrix,
    match_histogram,
    motion_matrix,
    to_greyscale,
    unsharp_mask,
    warp_image,
)
from lib_parseq.frames.colour import to_space
from lib_parseq.frames.flip import flip_focal_length
from lib_parseq.frames.sharpen import odd_kernel_size

# --- perspective flip -------------------------------------------------------------------------------------

def covered_columns(warped: np.ndarray) -> tuple[int, int, np.ndarray]:
    """First and last covered column of a warped all-white image, and each column's covered height."""
    covered = warped[:, :, 0] > 127
    heights = covered.sum(axis=0)
    columns = np.nonzero(heights)[0]
    return int(columns[0]), int(columns[-1]), heights


def test_flip_with_no_rotation_is_the_identity():
    assert np.allclose(flip_matrix(96, 64, 0, 0, 0, 50), np.eye(3))


def test_flip_theta_turns_the_plane_about_the_vertical_axis_as_a_pinhole_camera_sees_it():
    width, height, theta, fv = 240, 160, 30.0, 60.0
    card = np.zeros((height, width, 3), np.uint8)
    card[40:120, 60:180] = 255  # a 120×80 white card centred on the plane
    warped = warp_image(card, flip_matrix(width, height, theta, 0, 0, fv), border="zeros")
    left, right, heights = covered_columns(warped)
    distance = flip_focal_length(width, height, fv)
    half = 60.0
    sin, cos = math.sin(math.radians(theta)), math.cos(math.radians(theta))
    depths = sorted([distance - half * sin, distance + half * sin])
    # One vertical edge comes nearer (taller), the other goes away (shorter), by the ratio of their depths.
    tall, short = max(heights[left + 1], heights[right - 1]), min(heights[left + 1], heights[right - 1])
    assert tall / short == pytest.approx(depths[1] / depths[0], rel=0.04)
    assert tall == pytest.approx(80 * distance / depths[0], abs=2)
    # Each edge lands where the pinhole projection of the turned edge lies.
    near_side_is_left = heights[left + 1] > heights[right - 1]
    left_depth, right_depth = (depths[0], depths[1]) if near_side_is_left else (depths[1], depths[0])
    assert left == pytest.approx(width / 2 - distance * half * cos / left_depth, abs=1.5)
    assert right + 1 == pytest.approx(width / 2 + distance * half * cos / right_depth, abs=1.5)


def test_flip_phi_turns_about_the_horizontal_axis_and_a_wider_field_of_view_exaggerates_it():
    width, height = 120, 120
    white = np.full((height, width, 3), 255, np.uint8)

    def row_ratio(fv: float) -> float:
        warped = warp_image(white, flip_matrix(width, height, 0, 25, 0, fv), border="zeros")
        widths = (warped[:, :, 0] > 127).sum(axis=1)
        rows = np.nonzero(widths)[0]
        top, bottom = widths[rows[0] + 1], widths[rows[-1] - 1]
        return max(top, bottom) / min(top, bottom)

    assert row_ratio(20) > 1.02
    assert row_ratio(90) > row_ratio(20) + 0.05


def test_flip_gamma_rotates_in_the_image_plane():
    image = marked_image(64, mark=(48, 32))
    warped = warp_image(image, flip_matrix(64, 64, 0, 0, 90, 50))
    rotated = warp_image(image, motion_matrix(64, 64, Motion(rotate_z=90)))
    assert brightest(warped) == pytest.approx(brightest(rotated), abs=0.6)
    assert brightest(warped) != pytest.approx((48, 32), abs=3)


# --- anti-blur (unsharp mask) -----------------------------------------------------------------------------

def soft_edge(width: int = 64) -> np.ndarray:
    image = np.zeros((32, width, 3), np.uint8)
    image[:, width // 2 :] = 200
    image[:, :, :] = cv2.GaussianBlur(image, (0, 0), 2.0)
    return image + 20


def test_unsharp_mask_follows_its_formula_and_steepens_edges():
    image = soft_edge()
    sharpened = unsharp_mask(image, kernel=5, sigma=1.0, amount=0.8)
    blurred = cv2.GaussianBlur(image, (5, 5), 1.0).astype(np.float64)
    expected = np.clip(np.rint(1.8 * image.astype(np.float64) - 0.8 * blurred), 0, 255)
    assert np.abs(sharpened.astype(np.float64) - expected).max() <= 1
    def sharpness(img: np.ndarray) -> float:  # variance of the Laplacian: larger = crisper
        return float(cv2.Laplacian(img[:, :, 0].astype(np.float64), cv2.CV_64F).var())

    assert sharpness(sharpened) > sharpness(image) * 1.3
    assert sharpness(unsharp_mask(image, 5, 1.0, 2.0)) > sharpness(sharpened)


def test_unsharp_mask_is_off_at_amount_zero_or_kernel_zero():
    image = soft_edge()
    assert unsharp_mask(image, 5, 1.0, 0.0) is image
    assert unsharp_mask(image, 0, 1.0, 0.5) is image


def test_unsharp_mask_threshold_leaves_low_contrast_detail_alone():
    image = soft_edge()
    rng = np.random.default_rng(3)
    image[:, :8] = (60 + rng.integers(0, 3, size=(32, 8, 3))).astype(np.uint8)  # faint noise, far from the edge
    sharpened = unsharp_mask(image, 5, 1.0, 1.0, threshold=4)
    assert np.array_equal(sharpened[:, 1:6], image[:, 1:6])
    assert not np.array_equal(sharpened[:, 28:36], image[:, 28:36])
    unthresholded = unsharp_mask(image, 5, 1.0, 1.0)
    assert not np.array_equal(unthresholded[:, 1:6], image[:, 1:6])


def test_even_kernels_become_the_next_odd_size():
    assert [odd_kernel_size(k) for k in (0, 1, 2, 4.4, 5, 6)] == [0, 1, 3, 5, 5, 7]


# --- padding and sampling ---------------------------------------------------------------------------------

def test_zeros_padding_fills_uncovered_areas_with_black_and_deforum_names_are_accepted():
    image = np.full((40, 40, 3), 180, np.uint8)
    shifted = motion_matrix(40, 40, Motion(translate_x=10))
    for name in ("zeros", "black"):
        warped = warp_image(image, shifted, border=name)
        assert (warped[:, :9] == 0).all() and (warped[:, 11:] == 180).all()
    replicated = warp_image(image, shifted, border="border")
    assert (replicated == 180).all()
    with pytest.raises(ValueError, match="unknown border mode 'mirror'"):
        warp_image(image, shifted, border="mirror")


@pytest.mark.parametrize("sampling", ["nearest", "bilinear", "bicubic", "lanczos"])
def test_sampling_modes_differ_as_their_names_say(sampling):
    image = np.zeros((32, 32, 3), np.uint8)
    image[:, ::2] = 200  # stripes: a half-pixel shift shows how each sampler interpolates
    matrix = motion_matrix(32, 32, Motion(translate_x=0.5, translate_y=0.3))
    warped = warp_image(image, matrix, border="replicate", interpolation=sampling)
    levels = set(np.unique(warped[4:-4, 4:-4]).tolist())
    if sampling == "nearest":
        assert levels <= {0, 200}
    else:
        assert levels - {0, 200}, f"{sampling} made no intermediate level"
    if sampling in ("bicubic", "lanczos"):
        linear = warp_image(image, matrix, border="replicate", interpolation="bilinear")
        assert not np.array_equal(warped, linear)


def test_unknown_sampling_is_named():
    with pytest.raises(ValueError, match="unknown sampling mode 'area'"):
        warp_image(np.zeros((8, 8, 3), np.uint8), motion_matrix(8, 8, Motion(angle=5)), interpolation="area")


# --- colour coherence -------------------------------------------------------------------------------------

def tinted(image: np.ndarray, gains: tuple[float, float, float]) -> np.ndarray:
    return np.clip(image.astype(np.float64) * np.array(gains), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("space", ["lab", "hsv", "rgb"])
def test_each_colour_space_matches_the_distribution_in_that_space(space):
    target_image = tinted(texture(96, 96, seed=5, smooth=4), (0.4, 0.9, 1.2))
    source = tinted(texture(96, 96, seed=6, smooth=4), (1.3, 0.8, 0.5))
    matched = match_histogram(source, colour_histogram(target_image, space), space)
    quantiles = (10, 50, 90)
    before = np.abs(np.percentile(to_space(source, space), quantiles, axis=(0, 1))
                    - np.percentile(to_space(target_image, space), quantiles, axis=(0, 1))).max()
    after = np.abs(np.percentile(to_space(matched, space), quantiles, axis=(0, 1))
                   - np.percentile(to_space(target_image, space), quantiles, axis=(0, 1))).max()
    assert before > 20
    assert after <= 4


def test_rgb_matching_moves_the_channel_means_to_the_target():
    target_image = tinted(texture(64, 64, seed=7, smooth=4), (0.3, 0.6, 1.1))
    source = tinted(texture(64, 64, seed=8, smooth=4), (1.2, 1.0, 0.4))
    matched = match_histogram(source, colour_histogram(target_image, "rgb"), "rgb")
    assert np.abs(matched.mean(axis=(0, 1)) - target_image.mean(axis=(0, 1))).max() < 2
    assert np.abs(source.mean(axis=(0, 1)) - target_image.mean(axis=(0, 1))).max() > 30


def test_force_greyscale_keeps_luma_and_drops_colour():
    image = tinted(texture(32, 32, seed=9), (1.2, 0.7, 0.4))
    grey = to_greyscale(image)
    assert (grey[:, :, 0] == grey[:, :, 1]).all() and (grey[:, :, 1] == grey[:, :, 2]).all()
    assert np.array_equal(grey[:, :, 0], cv2.cvtColor(image, cv2.COLOR_RGB2GRAY))


def test_first_frame_source_keeps_frame_zero_until_every_n_refreshes_it():
    outputs = [np.full((8, 8, 3), level, np.uint8) for level in (10, 60, 110, 160, 210)]
    kept = ColourCoherence(ColourWindow(0), source="first", enabled=True)
    refreshed = ColourCoherence(ColourWindow(0), source="first", every=2, enabled=True)
    for frame, output in enumerate(outputs):
        kept.add(output, frame)
        refreshed.add(output, frame)
    assert np.array_equal(kept.target(5, 5), colour_histogram(outputs[0], stride=2))
    assert np.array_equal(refreshed.target(5, 5), colour_histogram(outputs[4], stride=2))


def test_video_source_samples_the_video_frame_every_nth_frame_and_survives_a_restore():
    coherence = ColourCoherence(ColourWindow(0), source="video", every=3, enabled=True)
    videos = [np.full((8, 8, 3), 20 * f, np.uint8) for f in range(6)]
    targets = [coherence.target(f, f, videos[f]) for f in range(5)]
    assert np.array_equal(targets[2], colour_histogram(videos[0], stride=2))
    assert np.array_equal(targets[4], colour_histogram(videos[3], stride=2))
    restored = ColourCoherence(ColourWindow(0), source="video", every=3, enabled=True)
    restored.restore(coherence.state())
    assert np.array_equal(restored.target(5, 5, videos[5]), colour_histogram(videos[3], stride=2))


def test_window_source_uses_the_window_in_the_chosen_space():
    coherence = ColourCoherence(ColourWindow(2), space="hsv")
    frames = [tinted(texture(16, 16, seed=s), (1.0, 0.5, 0.2)) for s in range(3)]
    for frame, image in enumerate(frames):
        coherence.add(image, frame)
    expected = colour_histogram(frames[1], "hsv", stride=2) + colour_histogram(frames[2], "hsv", stride=2)
    assert np.array_equal(coherence.target(3, 3), expected)
