"""Degenerate camera motion (edge-on plane, translations of 1e9 pixels, zooms of 1e300, overflowing centres) is
warped in bounded time with the pixels the border rule picks, or refused with a clear message; a spin through
edge-on renders. Warps that could hang inside OpenCV run in a subprocess with a deadline, so a regression
fails instead of hanging the suite (OpenCV ignores Ctrl-C)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from render_helpers import make_manifest

from lib_parseq.errors import RenderError
from lib_parseq.frames import warp
from lib_parseq.frames.warp import Motion, motion_matrix, warp_image
from lib_parseq.render import DryRunBackend, RenderSettings, render

REPO = Path(__file__).resolve().parents[2]
DEADLINE_S = 120


def textured(width: int = 64, height: int = 48) -> np.ndarray:
    return (np.random.default_rng(0).random((height, width, 3)) * 255).astype(np.uint8)


@pytest.mark.parametrize("border", ["reflect", "wrap"])
@pytest.mark.parametrize("periods", [10_000, 10_000_000])
def test_a_huge_translation_samples_what_the_border_rule_says(border, periods):
    image = textured()
    period = 2 * 64 if border == "reflect" else 64
    far = warp_image(image, motion_matrix(64, 48, Motion(translate_x=periods * period + 5)), border=border)
    near = warp_image(image, motion_matrix(64, 48, Motion(translate_x=5)), border=border)
    np.testing.assert_array_equal(far, near)


def test_a_huge_translation_with_replicate_shows_the_edge_column():
    image = textured()
    out = warp_image(image, motion_matrix(64, 48, Motion(translate_x=1e9)), border="replicate")
    np.testing.assert_array_equal(out, np.repeat(image[:, :1], 64, axis=1))


WARP_SCRIPT = """
import sys
import numpy as np
from lib_parseq.frames.warp import Motion, motion_matrix, warp_image
image = (np.random.default_rng(0).random((96, 128, 3)) * 255).astype(np.uint8)
motions = [Motion(rotate_x=90), Motion(rotate_y=90), Motion(translate_x=1e9), Motion(translate_y=-1e12),
           Motion(zoom=1e300), Motion(zoom=1e-300), Motion(rotate_x=90, translate_z=-1e9)]
for border in ("reflect", "replicate", "wrap", "noise"):
    for motion in motions:
        out = warp_image(image, motion_matrix(128, 96, motion), border=border, rng=np.random.default_rng(1))
        assert out.shape == image.shape and out.dtype == np.uint8
print("all warped")
"""


def test_degenerate_motions_warp_in_bounded_time():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", WARP_SCRIPT], env=env, capture_output=True, text=True,
                          timeout=DEADLINE_S)
    assert done.returncode == 0, done.stderr
    assert "all warped" in done.stdout


@pytest.mark.parametrize("motion", [Motion(center_x=1e308, zoom=1.1), Motion(translate_x=float("inf")),
                                    Motion(zoom=float("nan"))])
def test_a_motion_that_overflows_is_refused_clearly(motion):
    with pytest.raises(ValueError, match="too large to compute"):
        motion_matrix(64, 48, motion)


def test_an_overflowing_transform_centre_in_a_render_names_its_frame(tmp_path):
    manifest = make_manifest(4, fps=10, zoom=1.1, transform_center_x=lambda f: 1e308 if f == 2 else 0.5)
    settings = RenderSettings(output="out.mp4", output_dir=tmp_path, size=(32, 32), overwrite=True)
    with pytest.raises(RenderError) as caught:
        render(manifest, settings, DryRunBackend(), init_image=textured(32, 32))
    assert caught.value.frame == 2 and "too large to compute" in str(caught.value)


def test_the_direct_and_folded_warps_agree(monkeypatch):
    """(Cubic is left out: OpenCV 5's warpPerspective changed its cubic sampling near a mirrored border.)"""
    y, x = np.mgrid[0:48, 0:64]
    smooth = np.stack([x * 4, y * 5, (x + y) * 2], axis=2).astype(np.uint8)
    for border in ("reflect", "wrap", "replicate"):
        for interpolation in ("linear", "lanczos"):
            matrix = motion_matrix(64, 48, Motion(rotate_x=30, rotate_y=-20, zoom=0.7))
            monkeypatch.setattr(warp, "DIRECT_REACH", 8.0)
            direct = warp_image(smooth, matrix, border=border, interpolation=interpolation)
            monkeypatch.setattr(warp, "DIRECT_REACH", -1.0)
            folded = warp_image(smooth, matrix, border=border, interpolation=interpolation)
            assert np.abs(direct.astype(int) - folded).max() <= 2, (border, interpolation)


SPIN_SCRIPT = """
import sys
import numpy as np
from lib_parseq.render import DryRunBackend, RenderSettings, render
frames = [{"frame": f, "rotation_3d_x": 180 * f / 30, "translation_x": 0} for f in range(31)]
manifest = {"options": {"output_fps": 10}, "rendered_frames": frames}
image = (np.random.default_rng(0).random((64, 64, 3)) * 255).astype(np.uint8)
settings = RenderSettings(output="spin.mp4", output_dir=sys.argv[1], size=(64, 64), overwrite=True)
result = render(manifest, settings, DryRunBackend(), init_image=image)
assert result.frames_written == 31, result
print("spun")
"""


def test_a_spin_through_edge_on_renders(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", SPIN_SCRIPT, str(tmp_path)], env=env, capture_output=True,
                          text=True, timeout=DEADLINE_S)
    assert done.returncode == 0, done.stderr
    assert "spun" in done.stdout
