"""Hybrid motion "affine"/"perspective": camera moves recovered by descriptor matching + RANSAC, on scenes
drawn here and passed through H.264; a frame with nothing to match falls back to no motion with a note."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from motion_helpers import read_video, texture, write_video
from render_helpers import make_manifest

from lib_parseq.frames.features import MIN_MATCHES, feature_fit, feature_matrix
from lib_parseq.render import DryRunBackend, RenderSettings, render
from lib_parseq.render.settings import HybridSettings
from lib_parseq.render.state import frame_file, read_png

WIDTH, HEIGHT = 192, 144


def drawn_scene(seed: int) -> np.ndarray:
    """A small "photo": a soft texture with filled shapes and a word on it."""
    rng = np.random.default_rng(seed)
    image = texture(WIDTH, HEIGHT, seed=seed, smooth=2.0)
    for _ in range(18):
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        x, y, r = int(rng.integers(0, WIDTH)), int(rng.integers(0, HEIGHT)), int(rng.integers(4, 18))
        if rng.random() < 0.5:
            cv2.circle(image, (x, y), r, colour, -1)
        else:
            cv2.rectangle(image, (x, y), (x + r, y + r // 2 + 3), colour, -1)
    cv2.putText(image, "Parseq", (30, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (245, 245, 245), 2)
    return image


def camera_move(tmp_path: Path, matrix: np.ndarray, seed: int = 11) -> list[np.ndarray]:
    """Two frames of the scene, the second seen after the camera move ``matrix``, through H.264 and back."""
    scene = drawn_scene(seed)
    moved = cv2.warpPerspective(scene, matrix, (WIDTH, HEIGHT), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)
    return read_video(write_video(tmp_path / "camera.mp4", [scene, moved]))


def corners_error(found: np.ndarray, expected: np.ndarray) -> float:
    """The largest distance between where the two matrices put four points near the frame's corners."""
    corners = np.array([[20, 20, 1], [WIDTH - 20, 20, 1], [20, HEIGHT - 20, 1], [WIDTH - 20, HEIGHT - 20, 1]], float)

    def project(matrix: np.ndarray) -> np.ndarray:
        points = corners @ matrix.T
        return points[:, :2] / points[:, 2:]

    return float(np.abs(project(found) - project(expected)).max())


def rotation(angle: float, scale: float, shift: tuple[float, float]) -> np.ndarray:
    matrix = np.vstack([cv2.getRotationMatrix2D((WIDTH / 2, HEIGHT / 2), angle, scale), [0, 0, 1]])
    matrix[:2, 2] += shift
    return matrix


def keystone(amount: float) -> np.ndarray:
    source = np.float32([[0, 0], [WIDTH, 0], [WIDTH, HEIGHT], [0, HEIGHT]])
    offsets = np.float32([[3, 2], [-5, -2], [2, 3], [-1, -3]]) * amount
    return cv2.getPerspectiveTransform(source, source + offsets)


@pytest.mark.parametrize(("move", "matrix"), [("small", rotation(3.0, 1.03, (4.0, -2.5))),
                                              ("large", rotation(20.0, 1.2, (18.0, -10.0)))])
def test_an_affine_camera_move_is_recovered(tmp_path, move, matrix):
    first, second = camera_move(tmp_path, matrix)
    fit = feature_fit(first, second, "affine")
    assert fit.note is None and fit.inliers >= MIN_MATCHES
    assert corners_error(fit.matrix, matrix) < 0.5
    assert corners_error(np.eye(3), matrix) > 4


@pytest.mark.parametrize(("move", "matrix", "tolerance"),
                         [("small", keystone(1.0), 0.5),
                          ("large", keystone(2.0) @ rotation(12.0, 1.1, (10.0, 6.0)), 1.0)])
def test_a_perspective_camera_move_is_recovered(tmp_path, move, matrix, tolerance):
    first, second = camera_move(tmp_path, matrix)
    found = feature_matrix(first, second, "perspective")
    assert corners_error(found, matrix) < tolerance
    assert corners_error(feature_matrix(first, second, "affine"), matrix) > 2 * corners_error(found, matrix)


@pytest.mark.parametrize("kind", ["affine", "perspective"])
def test_a_featureless_frame_falls_back_to_no_motion_with_a_note(kind):
    flat = np.full((64, 64, 3), 90, np.uint8)
    fit = feature_fit(flat, flat, kind)
    assert np.array_equal(fit.matrix, np.eye(3)) and fit.matches == 0
    assert fit.note == f"0 matching features (at least {MIN_MATCHES} needed)"


def test_unrelated_frames_give_no_motion_rather_than_a_wild_guess():
    fit = feature_fit(texture(96, 96, seed=1), texture(96, 96, seed=2, smooth=0.5), "perspective")
    assert np.array_equal(fit.matrix, np.eye(3)) and fit.note is not None


def test_a_render_guided_by_a_blank_video_keeps_its_frames_still_and_says_why(tmp_path):
    path = write_video(tmp_path / "blank.mp4", [np.full((64, 64, 3), 40, np.uint8)] * 4)
    init = texture(64, 64, seed=3)
    settings = RenderSettings(output="out.mp4", output_dir=tmp_path, preset="ultrafast", crf=0,
                              save_frames=tmp_path / "frames", hybrid=HybridSettings(motion="perspective"))
    result = render(make_manifest(4), settings, DryRunBackend(), init_image=init, video_path=path)
    assert result.frames_written == 4
    assert np.array_equal(read_png(frame_file(tmp_path / "frames", 3)), init)
    notes = [w for w in result.warnings if w.startswith("hybrid perspective motion")]
    assert notes == ["hybrid perspective motion at frame 1: 0 matching features (at least 8 needed); such frames "
                     "are not moved"]
