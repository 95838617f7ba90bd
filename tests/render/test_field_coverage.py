"""No silently ignored field: each vocabulary field is rendered (and changing it changes the render) or is
listed in the README as compile/export only, with the reason."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from motion_helpers import moving_square_frames, texture, write_video
from render_helpers import make_manifest

from lib_parseq.render import DryRunBackend, RenderSettings, frame_params, render
from lib_parseq.render.coverage import EXPORT_ONLY_FIELDS, RENDERED_FIELDS, uncovered_fields
from lib_parseq.render.settings import HybridSettings
from lib_parseq.render.state import frame_file, read_png

README = Path(__file__).resolve().parents[2] / "README.md"
FLOW = HybridSettings(motion="optical_flow")
BLEND = HybridSettings(composite="normal", mask="blend", mask_auto_contrast=True)

# field: (base value, changed value, other fields, settings, hybrid video?)
IMAGE_FIELDS = {
    "noise": (0.0, 0.3, {}, {}, False),
    "contrast": (1.0, 1.4, {}, {}, False),
    "angle": (0.0, 8.0, {}, {}, False),
    "zoom": (1.0, 1.1, {}, {}, False),
    "transform_center_x": (0.5, 0.1, {"zoom": 1.2}, {}, False),
    "transform_center_y": (0.5, 0.1, {"zoom": 1.2}, {}, False),
    "translation_x": (0.0, 5.0, {}, {}, False),
    "translation_y": (0.0, 5.0, {}, {}, False),
    "translation_z": (0.0, 20.0, {}, {}, False),
    "rotation_3d_x": (0.0, 6.0, {}, {}, False),
    "rotation_3d_y": (0.0, 6.0, {}, {}, False),
    "rotation_3d_z": (0.0, 6.0, {}, {}, False),
    "fov": (40.0, 100.0, {"rotation_3d_y": 10.0}, {}, False),
    "perspective_flip_theta": (0.0, 10.0, {}, {}, False),
    "perspective_flip_phi": (0.0, 10.0, {}, {}, False),
    "perspective_flip_gamma": (0.0, 10.0, {}, {}, False),
    "perspective_flip_fv": (50.0, 120.0, {"perspective_flip_theta": 10.0}, {}, False),
    "antiblur_amount": (0.0, 0.6, {}, {}, False),
    "antiblur_kernel": (3.0, 9.0, {"antiblur_amount": 0.6}, {}, False),
    "antiblur_sigma": (0.5, 3.0, {"antiblur_amount": 0.6}, {}, False),
    "antiblur_threshold": (0.0, 30.0, {"antiblur_amount": 0.6}, {}, False),
    "loopback_frames": (1.0, 3.0, {"angle": lambda f: 5.0 * f, "loopback_decay": 0.5}, {}, False),
    "loopback_decay": (0.2, 0.8, {"angle": lambda f: 5.0 * f, "loopback_frames": 3.0}, {}, False),
    "hybrid_comp_alpha": (0.0, 0.7, {}, {"hybrid": BLEND}, True),
    "hybrid_comp_mask_blend_alpha": (0.2, 0.9, {}, {"hybrid": HybridSettings(composite="normal", mask="blend")},
                                     True),
    "hybrid_comp_mask_contrast": (1.0, 2.5, {}, {"hybrid": HybridSettings(composite="normal", mask="blend")},
                                  True),
    "hybrid_comp_mask_auto_contrast_cutoff_low": (0.0, 30.0, {}, {"hybrid": BLEND}, True),
    "hybrid_comp_mask_auto_contrast_cutoff_high": (100.0, 60.0, {}, {"hybrid": BLEND}, True),
    "hybrid_flow_factor": (1.0, 3.0, {}, {"hybrid": FLOW}, True),
    "cadence_flow_factor": (0.0, 1.0, {}, {"cadence": 3, "cadence_flow": "dis_medium", "hybrid": FLOW}, True),
}
LEGACY_IMAGE_FIELDS = {"panx": 4.0, "pany": 4.0, "rotx": 5.0, "roty": 5.0, "rotz": 5.0, "zoom": 10.0}
BACKEND_FIELDS = {"seed": (5, 6), "scale": (7, 9), "strength": (0.6, 0.3), "denoise": (0.4, 0.7),
                  "noise_shift": (1.0, 0.2)}


def test_every_vocabulary_field_is_rendered_or_export_only():
    assert uncovered_fields() == []
    assert not set(RENDERED_FIELDS) & set(EXPORT_ONLY_FIELDS)


def test_the_readme_lists_every_export_only_field_with_its_reason():
    text = README.read_text()
    section = text[text.index("**Compile/export-only fields.**"):]
    for name in EXPORT_ONLY_FIELDS:
        assert re.search(rf"`{re.escape(name)}`", section), f"README does not list {name}"


def test_every_rendered_field_is_tested_here():
    tested = {*IMAGE_FIELDS, *LEGACY_IMAGE_FIELDS, *BACKEND_FIELDS}
    untested = {f for f in RENDERED_FIELDS if f not in tested and not f.startswith("prompt_weight_")}
    assert untested == set()


@pytest.fixture(scope="module")
def guide(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_video(tmp_path_factory.mktemp("guide") / "guide.mp4", moving_square_frames(4, 64, (3, 2), 20))


def last_frame(folder: Path, manifest: dict, settings: dict, video: Path | None, legacy: bool = False) -> np.ndarray:
    """The last frame rendered (frame 2 under cadence 3: an in-between)."""
    options = RenderSettings(output="o.mp4", output_dir=folder, preset="ultrafast", save_frames=folder / "f",
                             vocabulary="legacy" if legacy else "modern", border="replicate", **settings)
    render(manifest, options, DryRunBackend(), init_image=texture(64, 64, seed=1, smooth=1.0), video_path=video)
    last = 2 if settings.get("cadence") == 3 else len(manifest["rendered_frames"]) - 1
    return read_png(frame_file(folder / "f", last))


@pytest.mark.parametrize("field", sorted(IMAGE_FIELDS))
def test_changing_a_rendered_field_changes_the_frames(tmp_path, guide, field):
    base, changed, others, settings, hybrid = IMAGE_FIELDS[field]
    video = guide if hybrid else None
    frames = [last_frame(tmp_path / str(i), make_manifest(4, **others, **{field: value}), settings, video)
              for i, value in enumerate((base, changed))]
    assert np.abs(frames[0].astype(int) - frames[1]).mean() > 0.5


@pytest.mark.parametrize("field", sorted(LEGACY_IMAGE_FIELDS))
def test_changing_a_legacy_motion_field_changes_the_frames(tmp_path, field):
    frames = [last_frame(tmp_path / str(i), make_manifest(3, **{field: value}), {}, None, legacy=True)
              for i, value in enumerate((0.0, LEGACY_IMAGE_FIELDS[field]))]
    assert np.abs(frames[0].astype(int) - frames[1]).mean() > 0.5


@pytest.mark.parametrize("field", sorted(BACKEND_FIELDS))
def test_backend_fields_reach_the_frame_parameters(field):
    first, second = (frame_params({"frame": 0, field: value}) for value in BACKEND_FIELDS[field])
    assert first != second
