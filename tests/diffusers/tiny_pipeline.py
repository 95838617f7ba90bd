"""Tiny Stable Diffusion pipelines with random weights, built from configs and saved like a user's local model.

No machine in CI reaches a model hub, so the tests make their own: a small UNet, VAE and CLIP text encoder and a
CLIP tokenizer from a vocabulary and merges file written here. ``save_tiny_pipeline(folder)`` writes a diffusers
folder (``model_index.json`` + components) that ``--model FOLDER`` loads exactly as it would a downloaded model;
``save_tiny_sdxl_pipeline`` the same for SDXL's architecture (two text encoders, the second with a projection,
and a UNet conditioned on the pooled text and the image sizes: ``addition_embed_type="text_time"``).
"""

from __future__ import annotations

import json
import string
from pathlib import Path

import torch
from diffusers import (
    AutoencoderKL,
    DDIMScheduler,
    EulerDiscreteScheduler,
    StableDiffusionPipeline,
    StableDiffusionXLPipeline,
    UNet2DConditionModel,
)
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection, CLIPTokenizer

TOKEN_LENGTH = 16


def write_tokenizer_files(folder: Path) -> tuple[Path, Path]:
    """A character-level CLIP BPE vocabulary (every letter, digit and some punctuation) and an empty merge list."""
    symbols = list(string.ascii_lowercase + string.digits + ",.:;!?'-()")
    tokens = ["<|startoftext|>", "<|endoftext|>", "!"] + symbols + [s + "</w>" for s in symbols]
    vocab = {token: index for index, token in enumerate(dict.fromkeys(tokens))}
    vocab_file, merges_file = folder / "vocab.json", folder / "merges.txt"
    vocab_file.write_text(json.dumps(vocab), encoding="utf-8")
    merges_file.write_text("#version: 0.2\n", encoding="utf-8")
    return vocab_file, merges_file


UNET_BLOCKS = {"block_out_channels": (16, 32), "layers_per_block": 1, "sample_size": 16, "in_channels": 4,
               "out_channels": 4, "down_block_types": ("DownBlock2D", "CrossAttnDownBlock2D"),
               "up_block_types": ("CrossAttnUpBlock2D", "UpBlock2D"), "attention_head_dim": 4, "norm_num_groups": 8}
SDXL_TIME_EMBED = 8  # per number of the 6 size conditions (original size, crop corner, target size)


def tiny_vae() -> AutoencoderKL:
    return AutoencoderKL(
        block_out_channels=(16, 32), in_channels=3, out_channels=3, latent_channels=4, norm_num_groups=8,
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"), layers_per_block=1,
    )


def text_config(vocab_size: int, **extra) -> CLIPTextConfig:
    return CLIPTextConfig(bos_token_id=0, eos_token_id=1, pad_token_id=1, hidden_size=32, intermediate_size=37,
                          num_attention_heads=4, num_hidden_layers=2, vocab_size=vocab_size,
                          max_position_embeddings=TOKEN_LENGTH, **extra)


def build_tiny_pipeline(work: Path) -> StableDiffusionPipeline:
    """The pipeline, with weights drawn from a fixed seed (the same model every time)."""
    torch.manual_seed(0)
    unet = UNet2DConditionModel(cross_attention_dim=32, **UNET_BLOCKS)
    vae = tiny_vae()
    vocab_file, merges_file = write_tokenizer_files(work)
    tokenizer = CLIPTokenizer(str(vocab_file), str(merges_file), model_max_length=TOKEN_LENGTH)
    text_encoder = CLIPTextModel(text_config(len(tokenizer)))
    scheduler = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", clip_sample=False, steps_offset=1,
                              set_alpha_to_one=False)
    return StableDiffusionPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet,
                                   scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                   requires_safety_checker=False)


def save_tiny_pipeline(folder: Path) -> Path:
    """Build the tiny pipeline and save it as a diffusers model folder; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    build_tiny_pipeline(folder).save_pretrained(str(folder / "model"))
    return folder / "model"


def build_tiny_sdxl_pipeline(work: Path) -> StableDiffusionXLPipeline:
    """SDXL's architecture in miniature: the UNet attends to both encoders' hidden states side by side (32 + 32)
    and adds an embedding of the second encoder's pooled projection (32) and the 6 size conditions."""
    torch.manual_seed(0)
    vocab_file, merges_file = write_tokenizer_files(work)
    tokenizer = CLIPTokenizer(str(vocab_file), str(merges_file), model_max_length=TOKEN_LENGTH)
    projection = 32
    unet = UNet2DConditionModel(
        cross_attention_dim=64, addition_embed_type="text_time", addition_time_embed_dim=SDXL_TIME_EMBED,
        projection_class_embeddings_input_dim=projection + 6 * SDXL_TIME_EMBED, use_linear_projection=True,
        **UNET_BLOCKS,
    )
    scheduler = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                       steps_offset=1, timestep_spacing="leading")
    return StableDiffusionXLPipeline(
        vae=tiny_vae(), text_encoder=CLIPTextModel(text_config(len(tokenizer))),
        text_encoder_2=CLIPTextModelWithProjection(text_config(len(tokenizer), projection_dim=projection)),
        tokenizer=tokenizer, tokenizer_2=tokenizer, unet=unet, scheduler=scheduler, force_zeros_for_empty_prompt=True,
    )


def save_tiny_sdxl_pipeline(folder: Path) -> Path:
    """Build the tiny SDXL pipeline and save it as a diffusers model folder; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    build_tiny_sdxl_pipeline(folder).save_pretrained(str(folder / "sdxl"))
    return folder / "sdxl"
