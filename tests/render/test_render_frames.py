"""Frame maths on synthetic images: warp geometry, loopback deltas, blending, colour matching, adjustments."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from render_helpers import brightest, marked_image
from skimage.exposure import match_histograms

from lib_parseq.frames import (
    ColourWindow,
    FrameHistory,
    Motion,
    apply_contrast,
    apply_noise,
    blend_frames,
    blend_weights,
    delta_matrix,
    fit_to_size,
    lab_histogram,
    match_lab_histogram,
    motion_matrix,
    warp_image,
)
from lib_parseq.frames.colour import every_nth_pixel, matching_lut
from lib_parseq.render.motion import detect_vocabulary, frame_motion


def apply(matrix: np.ndarray, x: float, y: float) -> tuple[float, float]:
    px, py, pw = matrix @ np.array([x, y, 1.0])
    return px / pw, py / pw


def test_rotation_by_90_degrees_moves_a_marked_pixel_counter_clockwise_about_the_centre():
    image = marked_image(64, mark=(48, 32))
    warped = warp_image(image, motion_matrix(64, 64, Motion(angle=90)))
    x, y = brightest(warped)
    assert (x, y) == pytest.approx((32, 16), abs=0.6)


def test_zoom_by_two_doubles_distances_from_the_centre_and_keeps_the_centre():
    image = marked_image(64, mark=(40, 32))
    warped = warp_image(image, motion_matrix(64, 64, Motion(zoom=2.0)))
    x, y = brightest(warped)
    assert (x, y) == pytest.approx((48, 32), abs=0.6)
    centred = warp_image(marked_image(64, mark=(32, 32)), motion_matrix(64, 64, Motion(zoom=2.0)))
    assert brightest(centred) == pytest.approx((32, 32), abs=0.6)


def test_zoom_about_a_chosen_centre_keeps_that_point_fixed():
    matrix = motion_matrix(100, 80, Motion(zoom=1.5, center_x=0.25, center_y=0.75))
    assert apply(matrix, 25, 60) == pytest.approx((25, 60))
    assert apply(matrix, 35, 60) == pytest.approx((40, 60))


@pytest.mark.parametrize("rotation", [dict(rotate_x=25), dict(rotate_y=-30), dict(rotate_x=10, rotate_y=20, rotate_z=5)])
def test_3d_rotation_keeps_the_centre_fixed_and_moves_the_rest(rotation):
    matrix = motion_matrix(64, 64, Motion(**rotation))
    assert apply(matrix, 32, 32) == pytest.approx((32, 32), abs=1e-9)
    corner = apply(matrix, 0, 0)
    assert np.hypot(corner[0], corner[1]) > 0.5
    warped = warp_image(marked_image(64, mark=(32, 32)), matrix)
    assert brightest(warped) == pytest.approx((32, 32), abs=0.6)


def test_3d_rotation_about_y_is_a_perspective_foreshortening():
    matrix = motion_matrix(64, 64, Motion(rotate_y=40))
    left, right = apply(matrix, 0, 32), apply(matrix, 64, 32)
    top_left, bottom_left = apply(matrix, 0, 0), apply(matrix, 0, 64)
    top_right, bottom_right = apply(matrix, 64, 0), apply(matrix, 64, 64)
    # One vertical edge comes nearer (taller), the other recedes (shorter): a true perspective, not an affine map.
    assert abs(bottom_left[1] - top_left[1]) != pytest.approx(abs(bottom_right[1] - top_right[1]), abs=1.0)
    assert left[1] == pytest.approx(32) and right[1] == pytest.approx(32)


def test_translation_moves_content_by_pixels():
    warped = warp_image(marked_image(64, mark=(20, 20)), motion_matrix(64, 64, Motion(translate_x=10, translate_y=-5)))
    assert brightest(warped) == pytest.approx((30, 15), abs=0.6)


def test_dolly_towards_the_image_magnifies():
    matrix = motion_matrix(64, 64, Motion(translate_z=20))
    x, _ = apply(matrix, 48, 32)
    assert x > 48


def test_loopback_deltas_of_a_linear_0_to_360_ramp_over_36_frames_make_one_full_turn():
    ramp = [{"angle": 10.0 * f} for f in range(37)]
    total = np.eye(3)
    previous = None
    for values in ramp:
        current = motion_matrix(64, 64, frame_motion(values, "modern", 64, 64))
        total = delta_matrix(previous, current) @ total
        previous = current
    assert np.allclose(total / total[2, 2], np.eye(3), atol=1e-9)
    halfway = np.eye(3)
    previous = None
    for values in ramp[:19]:
        current = motion_matrix(64, 64, frame_motion(values, "modern", 64, 64))
        halfway = delta_matrix(previous, current) @ halfway
        previous = current
    assert apply(halfway, 48, 32) == pytest.approx((16, 32))


def test_loopback_zoom_deltas_compose_to_the_absolute_zoom():
    zooms = [1.0, 1.1, 1.3, 1.2, 2.0]
    total, previous = np.eye(3), None
    for zoom in zooms:
        current = motion_matrix(64, 64, Motion(zoom=zoom))
        total = delta_matrix(previous, current) @ total
        previous = current
    assert apply(total, 42, 32) == pytest.approx((52, 32))


def test_legacy_vocabulary_pans_against_the_value_and_zoom_is_a_dolly():
    assert detect_vocabulary(["frame", "panx", "rotz", "denoise", "zoom"]) == "legacy"
    assert detect_vocabulary(["frame", "angle", "zoom", "strength"]) == "modern"
    assert detect_vocabulary(["frame", "zoom"], "legacy") == "legacy"
    pan = motion_matrix(64, 64, frame_motion({"panx": 10, "pany": 4}, "legacy", 64, 64))
    assert apply(pan, 32, 32) == pytest.approx((22, 28))
    dolly = motion_matrix(64, 64, frame_motion({"zoom": 50}, "legacy", 64, 64))
    assert apply(dolly, 48, 32)[0] > 48
    modern_zoom = motion_matrix(64, 64, frame_motion({"zoom": 50}, "modern", 64, 64))
    assert apply(modern_zoom, 33, 32)[0] == pytest.approx(32 + 50)


@pytest.mark.parametrize("border", ["reflect", "replicate", "wrap", "noise"])
def test_border_modes_fill_the_uncovered_area_differently(border):
    image = marked_image(64)
    shrink = motion_matrix(64, 64, Motion(zoom=0.5))
    warped = warp_image(image, shrink, border=border, rng=np.random.default_rng(1))
    corner = warped[:8, :8].astype(int)
    if border == "noise":
        assert corner.std() > 40
    elif border == "replicate":
        assert np.abs(corner - image[0, 0].astype(int)).max() <= 2
    else:
        assert corner.std() < 40
    assert np.abs(warped[24:40, 24:40].astype(int) - cv2.resize(image, (32, 32), interpolation=cv2.INTER_AREA)[
        8:24, 8:24].astype(int)).mean() < 6


def test_blend_weights_decay_geometrically_and_sum_to_one():
    weights = blend_weights(4, 0.5)
    assert weights == pytest.approx([0.5, 0.25, 0.125, 0.125])
    assert sum(blend_weights(7, 0.3)) == pytest.approx(1.0)
    assert blend_weights(3, 0.0) == [1.0, 0.0, 0.0]


def test_blend_equals_the_recursive_pairwise_blend_of_the_2022_script():
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (16, 16, 3), dtype=np.uint8) for _ in range(4)]

    def recursive(items, decay):
        if len(items) == 1:
            return items[0].astype(np.float64)
        return items[0] * (1 - decay) + recursive(items[1:], decay) * decay

    expected = np.clip(np.rint(recursive(frames, 0.35)), 0, 255)
    assert np.abs(blend_frames(frames, 0.35).astype(int) - expected).max() <= 1


def test_frame_history_is_bounded_and_most_recent_first():
    history = FrameHistory(3)
    for value in range(10):
        history.push(np.full((2, 2, 3), value, np.uint8))
    assert len(history) == 3
    assert [int(f[0, 0, 0]) for f in history.recent(5)] == [9, 8, 7]
    assert [int(f[0, 0, 0]) for f in history.recent(2, skip=1)] == [8, 7]


def lab_stats(image):
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).reshape(-1, 3).astype(np.float64)
    return lab.mean(axis=0), lab.std(axis=0)


def test_histogram_matching_moves_colour_statistics_to_the_target():
    rng = np.random.default_rng(3)
    source = np.clip(rng.normal([60, 90, 160], 20, (64, 64, 3)), 0, 255).astype(np.uint8)
    target = np.clip(rng.normal([200, 120, 40], 35, (64, 64, 3)), 0, 255).astype(np.uint8)
    matched = match_lab_histogram(source, lab_histogram(target))
    (m0, s0), (mt, st), (m1, s1) = lab_stats(source), lab_stats(target), lab_stats(matched)
    assert np.all(np.abs(m1 - mt) < 0.2 * np.abs(m0 - mt) + 1.5)
    assert np.all(np.abs(s1 - st) < 0.3 * np.abs(s0 - st) + 1.5)


def test_lookup_table_matching_agrees_with_scikit_image():
    rng = np.random.default_rng(4)
    source = rng.integers(0, 200, (48, 48, 3), dtype=np.uint8)
    template = rng.integers(40, 256, (48, 48, 3), dtype=np.uint8)
    source_lab = cv2.cvtColor(source, cv2.COLOR_RGB2LAB)
    template_lab = cv2.cvtColor(template, cv2.COLOR_RGB2LAB)
    ours = cv2.LUT(source_lab, matching_lut(
        np.stack([np.bincount(source_lab[..., c].ravel(), minlength=256) for c in range(3)]),
        np.stack([np.bincount(template_lab[..., c].ravel(), minlength=256) for c in range(3)])))
    theirs = np.rint(match_histograms(source_lab, template_lab, channel_axis=-1))
    assert np.abs(ours.astype(int) - theirs.astype(int)).max() <= 1


def brute_force_target(histograms, index, width, rate, input_hist):
    end = max(0, min(index, int(np.floor(index * rate + 0.5))))
    start = 0 if width == -1 else max(0, end - width)
    total = sum((histograms[i] for i in range(start, end)), np.zeros((3, 256), np.int64))
    if input_hist is not None:
        total = total + input_hist
    return total if total[0].sum() > 0 else None


@pytest.mark.parametrize("width,rate,use_input", [(3, 1.0, False), (4, 0.5, True), (-1, 1.0, False), (2, 0.3, False),
                                                   (5, 1.7, True)])
def test_colour_window_equals_the_pooled_histogram_of_its_outputs(width, rate, use_input):
    rng = np.random.default_rng(5)
    histograms = [rng.integers(0, 50, (3, 256)) for _ in range(40)]
    input_hist = rng.integers(0, 50, (3, 256)) if use_input else None
    window = ColourWindow(width, rate, input_hist)
    for index, histogram in enumerate(histograms):
        expected = brute_force_target(histograms, index, width, rate, input_hist)
        got = window.target(index)
        assert (got is None) == (expected is None)
        if expected is not None:
            assert np.array_equal(got, expected)
        window.add(histogram)
        assert len(window.inside) <= max(width, 0)


def test_colour_window_keeps_no_frames_and_bounded_histograms():
    window = ColourWindow(-1, 1.0)
    for index in range(500):
        window.target(index)
        window.add(np.ones((3, 256), np.int64))
    assert len(window.pending) <= 1 and len(window.inside) == 0
    assert window.target(500)[0].sum() == 500 * 256
    restored = ColourWindow(-1, 1.0)
    restored.restore(window.state())
    assert np.array_equal(restored.target(500), window.target(500))


def test_colour_window_width_zero_is_off():
    window = ColourWindow(0, 1.0)
    window.add(np.ones((3, 256), np.int64))
    assert window.target(1) is None


def test_fit_to_size_covers_and_centre_crops():
    image = np.zeros((50, 100, 3), np.uint8)
    image[:, 45:55] = 255
    fitted = fit_to_size(image, 40, 40)
    assert fitted.shape == (40, 40, 3)
    assert fitted[20, 20].min() > 200 and fitted[20, 2].max() < 30


def test_contrast_multiplies_and_noise_blends():
    image = np.full((8, 8, 3), 100, np.uint8)
    assert int(apply_contrast(image, 1.5)[0, 0, 0]) == 150
    assert apply_contrast(image, 1.0) is image
    noisy = apply_noise(image, 0.5, np.random.default_rng(0))
    assert noisy.std() > 10 and abs(float(noisy.mean()) - (100 * 0.5 + 127.5 * 0.5)) < 15
    assert apply_noise(image, 0.0, np.random.default_rng(0)) is image


@pytest.mark.parametrize("shape", [(512, 512), (96, 130), (97, 130), (64, 33), (1, 1), (3, 2)])
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_every_nth_pixel_is_the_strided_slice(shape, stride):
    """The histogram sample: OpenCV's nearest resize where the stride divides the sides, a copy otherwise."""
    image = np.random.default_rng(shape[0] * 7 + stride).integers(0, 256, (*shape, 3), dtype=np.uint8)
    sample = every_nth_pixel(image, stride)
    assert sample.flags["C_CONTIGUOUS"]
    assert np.array_equal(sample, image[::stride, ::stride])
