"""Other model layouts a user brings: an SDXL folder and a single-file checkpoint, loaded through ``--model``."""

from __future__ import annotations

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



def test_an_sdxl_folder_loads_as_the_sdxl_img2img_pipeline(tiny_sdxl_model):
    from lib_parseq.backends.diffusers_options import DiffusersOptions
    from lib_parseq.backends.diffusers_pipeline import load_pipeline

    pipe = load_pipeline(DiffusersOptions(model=str(tiny_sdxl_model), device="cpu"))
    assert type(pipe).__name__ == "StableDiffusionXLImg2ImgPipeline"
    assert type(pipe.text_encoder_2).__name__ == "CLIPTextModelWithProjection"


def test_an_sdxl_model_renders_loopback_and_batched_vid2vid_exactly(tmp_path, tiny_sdxl_model, parseq_cli):
    data = manifest(3, deforum_prompt=lambda f: f"red cat: 0.7 AND blue dog: 0.{f + 1}")  # pooled embeds blended
    loop = render_cli(parseq_cli, tiny_sdxl_model, tmp_path / "loop", data)
    manifest_path, image = write_inputs(tmp_path / "dry", data)
    code, err = parseq_cli("render", manifest_path, "--init", image, "-o", tmp_path / "dry" / "out.mp4",
                           "--dry-run", "--quiet", "--save-frames", tmp_path / "dry" / "frames")
    assert code == 0, err
    dry = frame_pngs(tmp_path / "dry" / "frames")
    assert len(loop) == 3 and all(np.abs(a.astype(int) - b.astype(int)).mean() > 5 for a, b in zip(loop, dry, strict=True))
    video = make_video(tmp_path / "in.mp4", 3)
    one = render_cli(parseq_cli, tiny_sdxl_model, tmp_path / "one", data, video=video)
    three = render_cli(parseq_cli, tiny_sdxl_model, tmp_path / "three", data, "--batch", "3", video=video)
    assert len(one) == 3 and all(np.array_equal(a, b) for a, b in zip(one, three, strict=True))


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory, tiny_model):
    """The tiny SD model as one original-layout .safetensors file (as A1111 users keep their models)."""
    from diffusers import StableDiffusionPipeline
    from ldm_checkpoint import save_single_file

    pipe = StableDiffusionPipeline.from_pretrained(str(tiny_model))
    return save_single_file(pipe, tmp_path_factory.mktemp("single") / "tiny.safetensors")


def test_a_single_file_checkpoint_renders_the_frames_its_folder_does(tmp_path, tiny_model, checkpoint, parseq_cli):
    data = manifest(3)
    from_file = render_cli(parseq_cli, checkpoint, tmp_path / "file", data, "--model-config", tiny_model)
    from_folder = render_cli(parseq_cli, tiny_model, tmp_path / "folder", data)
    assert len(from_file) == 3 and all(np.array_equal(a, b) for a, b in zip(from_file, from_folder, strict=True))


def test_a_single_file_checkpoint_without_its_configs_offline_says_to_give_them(tmp_path, checkpoint, parseq_cli,
                                                                                 monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    manifest_path, image = write_inputs(tmp_path, manifest(2))
    code, err = parseq_cli("render", manifest_path, "--init", image, "-o", tmp_path / "out.mp4", "--model",
                           checkpoint, *COMMON)
    assert code == 2 and f"cannot load the checkpoint {checkpoint}" in err and "--model-config" in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "out.mp4").exists()
