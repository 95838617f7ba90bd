"""Hybrid video maths on real videos made here: optical flow, masks, compositing (feature-matched camera
moves: test_motion_features.py)."""

from __future__ import annotations

import numpy as np
import pytest
from motion_helpers import locate, moving_square_frames, read_video, write_video

from lib_parseq.frames.flow import FLOW_METHODS, apply_flow, backward_flow
from lib_parseq.frames.hybrid import CompositeAmounts, CompositeMask, composite_mask, hybrid_composite
from lib_parseq.frames.masks import (
    alpha_mask,
    auto_contrast_mask,
    blend_mask,
    blur_mask,
    composite,
    contrast_mask,
    difference_mask,
    equalise_mask,
    invert_mask,
)

STEP = (3, 2)
SQUARE = 24


@pytest.fixture(scope="module")
def square_video(tmp_path_factory: pytest.TempPathFactory) -> list[np.ndarray]:
    """A textured square moving 3 px right and 2 px down per frame, through H.264 and back."""
    path = write_video(tmp_path_factory.mktemp("flow") / "square.mp4", moving_square_frames(6, 96, STEP, SQUARE))
    return read_video(path)


@pytest.mark.parametrize("method", FLOW_METHODS)
def test_flow_from_the_video_moves_the_loopback_frame_by_the_squares_displacement(square_video, method):
    previous, current = square_video[2], square_video[3]
    flow = backward_flow(previous, current, method)
    loopback = previous  # the loopback frame shows the square where the video had it one frame ago
    moved = apply_flow(loopback, flow, 1.0)
    patch = previous[16 + 2 * STEP[1] + 4 : 16 + 2 * STEP[1] + SQUARE - 4,
                     16 + 2 * STEP[0] + 4 : 16 + 2 * STEP[0] + SQUARE - 4]
    before, after = locate(loopback, patch), locate(moved, patch)
    assert after[0] - before[0] == pytest.approx(STEP[0], abs=1.0)
    assert after[1] - before[1] == pytest.approx(STEP[1], abs=1.0)


def test_flow_factor_scales_the_displacement(square_video):
    previous, current = square_video[1], square_video[2]
    flow = backward_flow(previous, current, "dis_fine")
    patch = previous[16 + STEP[1] + 4 : 16 + STEP[1] + SQUARE - 4, 16 + STEP[0] + 4 : 16 + STEP[0] + SQUARE - 4]
    start = locate(previous, patch)
    assert np.array_equal(apply_flow(previous, flow, 0.0), previous)
    half = locate(apply_flow(previous, flow, 0.5), patch)
    double = locate(apply_flow(previous, flow, 2.0), patch)
    assert half[0] - start[0] == pytest.approx(STEP[0] / 2, abs=1.0)
    assert double[0] - start[0] == pytest.approx(2 * STEP[0], abs=1.0)
    assert double[1] - start[1] == pytest.approx(2 * STEP[1], abs=1.0)


# --- masks ------------------------------------------------------------------------------------------------

def ramp(width: int = 64, low: int = 60, high: int = 180) -> np.ndarray:
    return np.tile(np.linspace(low, high, width).round().astype(np.uint8), (16, 1))


def test_blend_and_difference_masks():
    dark, light = np.full((4, 4, 3), 40, np.uint8), np.full((4, 4, 3), 200, np.uint8)
    assert (blend_mask(dark, light, 0.25) == 80).all()
    assert (difference_mask(dark, light) == 160).all() and (difference_mask(light, dark) == 160).all()


def test_invert_equalise_contrast_and_auto_contrast_do_what_they_say():
    mask = ramp()
    assert np.array_equal(invert_mask(mask), 255 - mask)
    equalised = equalise_mask(mask)
    assert equalised.min() <= 5 and equalised.max() == 255
    assert abs(np.median(equalised) - 127.5) < 10
    mean = int(mask.mean() + 0.5)
    doubled = contrast_mask(mask, 2.0).astype(int)
    inside = (mask > mean - 60) & (mask < mean + 60)
    assert np.abs(doubled[inside] - (mean + 2 * (mask[inside].astype(int) - mean))).max() <= 1
    assert (contrast_mask(mask, 0.0) == mean).all()
    stretched = auto_contrast_mask(mask)
    assert stretched.min() == 0 and stretched.max() == 255
    cut = auto_contrast_mask(mask, 10, 90)
    assert (cut == 0).mean() == pytest.approx(0.1, abs=0.03) and (cut == 255).mean() == pytest.approx(0.1, abs=0.03)


def test_blur_softens_a_mask_edge_and_alpha_becomes_a_mask():
    mask = np.zeros((32, 32), np.uint8)
    mask[:, 16:] = 255
    blurred = blur_mask(mask, 3)
    assert 0 < blurred[5, 15] < 255 and blurred[5, 0] == 0 and blurred[5, 31] == 255
    assert blur_mask(mask, 0) is mask
    rgba = np.zeros((8, 8, 4), np.uint8)
    rgba[:, :, 3] = 77
    assert (alpha_mask(rgba) == 77).all() and alpha_mask(rgba[:, :, :3]) is None


def test_composite_takes_the_foreground_where_the_mask_is_on():
    fg, bg = np.full((2, 3, 3), 200, np.uint8), np.full((2, 3, 3), 100, np.uint8)
    mask = np.array([[255, 0, 128], [255, 0, 128]], np.uint8)
    out = composite(fg, bg, mask)
    assert out[0, 0, 0] == 200 and out[0, 1, 0] == 100 and out[0, 2, 0] == 150


def test_hybrid_alpha_blends_the_video_frame_into_the_loopback_image():
    image, video = np.full((8, 8, 3), 40, np.uint8), np.full((8, 8, 3), 240, np.uint8)
    none = CompositeMask()
    assert hybrid_composite(image, video, none, CompositeAmounts(alpha=0.0)) is image
    assert (hybrid_composite(image, video, none, CompositeAmounts(alpha=1.0)) == 240).all()
    assert (hybrid_composite(image, video, none, CompositeAmounts(alpha=0.25)) == 90).all()


def test_hybrid_difference_mask_keeps_the_loopback_image_where_it_differs_from_the_video():
    video = np.full((16, 16, 3), 100, np.uint8)
    image = video.copy()
    image[:, 8:] = 255  # differs on the right half only
    amounts = CompositeAmounts(alpha=1.0)
    out = hybrid_composite(image, video, CompositeMask("difference"), amounts)
    assert (out[:, :8] == 100).all() and (out[:, 8:] > 180).all()
    inverted = hybrid_composite(image, video, CompositeMask("difference", invert=True), amounts)
    assert (inverted[:, 8:] < 175).all()
    boosted = composite_mask(image, video, CompositeMask("difference", auto_contrast=True), amounts)
    assert boosted[:, 8:].min() == 255 and boosted[:, :8].max() == 0


def test_hybrid_video_mask_keys_on_the_video_frames_luma():
    video = np.zeros((8, 8, 3), np.uint8)
    video[:, 4:] = 255
    image = np.full((8, 8, 3), 120, np.uint8)
    out = hybrid_composite(image, video, CompositeMask("video"), CompositeAmounts(alpha=1.0))
    assert (out[:, :4] == 0).all() and (out[:, 4:] == 120).all()


def test_unknown_mask_options_are_named():
    with pytest.raises(ValueError, match="unknown hybrid mask 'depth'"):
        CompositeMask("depth")
    with pytest.raises(ValueError, match="unknown mask equalise 'sometimes'"):
        CompositeMask("blend", equalise="sometimes")
