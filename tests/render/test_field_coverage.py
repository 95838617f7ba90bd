"""No silently ignored field: each vocabulary field, each other column a compiled manifest's frames hold and
each option is rendered (changing it changes a dry-run frame, the backend's parameters or the video) or is
listed in the README as compile/export only, with the reason."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from motion_helpers import moving_square_frames, texture, write_video
from render_helpers import decode_frames, make_manifest

from lib_parseq.render import DryRunBackend, RenderSettings, render
from lib_parseq.render.coverage import (
    EXPORT_ONLY_COLUMNS,
    EXPORT_ONLY_FIELDS,
    EXPORT_ONLY_OPTIONS,
    RENDERED_COLUMNS,
    RENDERED_FIELDS,
    RENDERED_OPTIONS,
    coverage_name,
    uncovered_fields,
)
from lib_parseq.render.settings import HybridSettings
from lib_parseq.render.state import frame_file, read_png
from lib_parseq.schedules import compile_document
from lib_parseq.schedules.fields import LEGACY_FIELDS, MODERN_FIELDS

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
BACKEND_COLUMNS = {"subseed": (3, 4), "subseed_strength": (0.2, 0.5), "deforum_prompt": ("a --neg b", "c --neg b"),
                   "positive_prompt": ("a", "c"), "negative_prompt": ("b", "d")}


def test_every_vocabulary_field_is_rendered_or_export_only():
    assert uncovered_fields() == []
    assert not set(RENDERED_FIELDS) & set(EXPORT_ONLY_FIELDS)


def compiled_manifests() -> list[dict]:
    """A modern and a 2022 document compiled with their whole vocabularies, prompts and a keyframed cadence."""
    prompts = {"positive": "a cat", "negative": "a dog"}
    modern = {"options": {"output_fps": 20}, "prompts": prompts,
              "keyframes": [{"frame": 0, "cadence": 2}, {"frame": 3}]}
    legacy = {"options": {"output_fps": 20}, "prompts": [{**prompts, "allFrames": True}],
              "keyframes": [{"frame": 0, "panx": 1}, {"frame": 3}]}
    return [compile_document(document) for document in (modern, legacy)]


def test_every_column_and_option_of_a_compiled_manifest_is_rendered_or_export_only():
    manifests = compiled_manifests()
    columns = {coverage_name(name) for manifest in manifests for frame in manifest["rendered_frames"]
               for name in frame}
    options = {name for manifest in manifests for name in manifest["options"]}
    assert {coverage_name(f) for f in (*MODERN_FIELDS, *LEGACY_FIELDS)} <= columns  # the whole vocabulary
    assert {"cadence", "deforum_prompt", "<field>_delta", "<field>_pc"} <= columns
    rendered, export_only = {*RENDERED_FIELDS, *RENDERED_COLUMNS}, {*EXPORT_ONLY_FIELDS, *EXPORT_ONLY_COLUMNS}
    assert columns - rendered - export_only == set()
    assert options - set(RENDERED_OPTIONS) - set(EXPORT_ONLY_OPTIONS) == set()
    assert not rendered & export_only and not set(RENDERED_OPTIONS) & set(EXPORT_ONLY_OPTIONS)


def test_the_readme_lists_every_export_only_field_column_and_option_with_its_reason():
    text = README.read_text()
    section = text[text.index("**Compile/export-only fields.**"):]
    section = section[:section.index("\n\n", section.index("| Field |"))]
    for name in (*EXPORT_ONLY_FIELDS, *EXPORT_ONLY_COLUMNS, *(f"options.{o}" for o in EXPORT_ONLY_OPTIONS)):
        row = next((line for line in section.splitlines() if f"`{name}`" in line), None)
        assert row is not None, f"README does not list {name}"
        assert len(row.rsplit("|", 2)[-2].strip()) > 20, f"README gives no reason for {name}"


def test_every_rendered_field_column_and_option_is_tested_here():
    tested = {*IMAGE_FIELDS, *LEGACY_IMAGE_FIELDS, *BACKEND_FIELDS, *(f"prompt_weight_{i}" for i in range(1, 9)),
              *BACKEND_COLUMNS, "cadence", "frame"}
    assert set(RENDERED_FIELDS) | set(RENDERED_COLUMNS) <= tested
    assert set(RENDERED_OPTIONS) == set(OPTION_CHANGES)


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


class Recording(DryRunBackend):
    """The dry run, remembering the parameters of each call."""

    def __init__(self) -> None:
        super().__init__()
        self.params = []

    def generate(self, image, params):
        self.params.append(params)
        return image


def backend_calls(folder: Path, manifest: dict, **settings) -> list:
    backend = Recording()
    render(manifest, RenderSettings(output="o.mp4", output_dir=folder, preset="ultrafast", **settings), backend,
           init_image=texture(32, 32, seed=2))
    return backend.params


@pytest.mark.parametrize("field", sorted({**BACKEND_FIELDS, **BACKEND_COLUMNS}))
def test_backend_fields_and_columns_reach_the_backends_parameters(tmp_path, field):
    values = {**BACKEND_FIELDS, **BACKEND_COLUMNS}[field]
    seen = [backend_calls(tmp_path / str(i), make_manifest(2, **{field: value}))[1]
            for i, value in enumerate(values)]
    assert seen[0] != seen[1]


@pytest.mark.parametrize("weight", range(1, 9))
def test_prompt_weights_reach_the_backends_prompt_through_the_compiled_prompt(tmp_path, weight):
    name = f"prompt_weight_{weight}"
    prompts = []
    for value in (0.5, 1.5):
        document = {"options": {"output_fps": 10}, "prompts": {"positive": f"(cat:${{{name}}})", "negative": ""},
                    "keyframes": [{"frame": 0, name: value}, {"frame": 1}]}
        prompts.append(backend_calls(tmp_path / str(value), compile_document(document))[0].prompt)
    assert prompts == ["(cat:0.50000)", "(cat:1.50000)"]


def test_the_cadence_column_decides_which_frames_the_backend_makes(tmp_path):
    calls = [[p.frame for p in backend_calls(tmp_path / str(c), make_manifest(6, cadence=c))] for c in (1, 3)]
    assert calls == [[0, 1, 2, 3, 4, 5], [0, 3]]


def test_the_frame_column_orders_the_frames(tmp_path):
    manifest = make_manifest(2, seed=lambda f: 10 + f)
    swapped = make_manifest(2, seed=lambda f: 10 + f)
    swapped["rendered_frames"][0]["frame"], swapped["rendered_frames"][1]["frame"] = 1, 0
    seeds = [[p.seed for p in backend_calls(tmp_path / name, m)] for name, m in (("a", manifest), ("b", swapped))]
    assert seeds == [[10, 11], [11, 10]]


class Cooling(DryRunBackend):
    """Shifts every output's colours, so colour coherence has something to pull back."""

    def generate(self, image, params):
        return np.clip(image.astype(int) + [-14, 2, 16], 0, 255).astype(np.uint8)


# option: (base value, changed value, other options); each render is 6 frames
OPTION_CHANGES = {
    "output_fps": (10, 24, {}),
    "cadence": (1, 3, {}),
    "cc_window_width": (0, 3, {}),
    "cc_window_slide_rate": (1, 0.3, {"cc_window_width": 2}),
    "cc_use_input": (False, True, {"cc_window_width": 2}),
}


@pytest.mark.parametrize("option", sorted(OPTION_CHANGES))
def test_changing_a_rendered_option_changes_the_video(tmp_path, option):
    base, changed, others = OPTION_CHANGES[option]
    videos = []
    for value in (base, changed):
        manifest = make_manifest(6, angle=lambda f: 4.0 * f)
        manifest["options"].update(others, **{option: value})
        folder = tmp_path / str(value)
        render(manifest, RenderSettings(output="o.mp4", output_dir=folder, preset="ultrafast", crf=0), Cooling(),
               init_image=texture(32, 32, seed=3))
        videos.append(decode_frames(folder / "o.mp4"))
    (meta_0, frames_0), (meta_1, frames_1) = videos
    differs = meta_0["fps"] != meta_1["fps"] or any(np.abs(a.astype(int) - b).mean() > 0.5
                                                      for a, b in zip(frames_0, frames_1, strict=True))
    assert differs
