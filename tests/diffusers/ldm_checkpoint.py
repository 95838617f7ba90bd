"""Save a diffusers Stable Diffusion 1.x pipeline as one original-layout checkpoint (what A1111 and civitai use).

The tests need a single-file ``.safetensors`` to load through ``--model FILE``, and no hub to download one from,
so they write one from the tiny pipeline: every weight renamed from diffusers' layout to the original
(CompVis/LDM) one: ``model.diffusion_model.*`` (input/middle/output blocks), ``first_stage_model.*`` (the VAE's
encoder.down/mid and decoder.up, numbered from the bottom) and ``cond_stage_model.transformer.text_model.*`` (the
CLIP text model). Loading it back with diffusers' own converter and comparing renders checks the
renaming.
"""

from __future__ import annotations

import re
from pathlib import Path

import torch
from safetensors.torch import save_file

RESNET_NAMES = (("norm1", "in_layers.0"), ("conv1", "in_layers.2"), ("time_emb_proj", "emb_layers.1"),
                ("norm2", "out_layers.0"), ("conv2", "out_layers.3"), ("conv_shortcut", "skip_connection"))
UNET_TOP = {"time_embedding.linear_1": "time_embed.0", "time_embedding.linear_2": "time_embed.2",
            "conv_in": "input_blocks.0.0", "conv_norm_out": "out.0", "conv_out": "out.2"}
VAE_ATTENTION = (("group_norm", "norm"), ("to_q", "q"), ("to_k", "k"), ("to_v", "v"), ("to_out.0", "proj_out"))


def _resnet(rest: str) -> str:
    for new, old in RESNET_NAMES:
        if rest.startswith(new + "."):
            return old + rest[len(new):]
    return rest


def unet_key(key: str, layers: int, attended: set[int]) -> str:
    """One UNet weight's original name (``layers`` resnets per down block, as in the config; ``attended``: the
    up blocks with attention, whose upsampler comes third in its output block)."""
    for new, old in UNET_TOP.items():
        if key.startswith(new + "."):
            return old + key[len(new):]
    if match := re.match(r"down_blocks\.(\d+)\.(resnets|attentions)\.(\d+)\.(.*)", key):
        block, kind, layer, rest = int(match[1]), match[2], int(match[3]), match[4]
        index = 1 + block * (layers + 1) + layer
        return f"input_blocks.{index}.0.{_resnet(rest)}" if kind == "resnets" else f"input_blocks.{index}.1.{rest}"
    if match := re.match(r"down_blocks\.(\d+)\.downsamplers\.0\.conv\.(.*)", key):
        return f"input_blocks.{1 + int(match[1]) * (layers + 1) + layers}.0.op.{match[2]}"
    if match := re.match(r"mid_block\.(resnets|attentions)\.(\d+)\.(.*)", key):
        kind, layer, rest = match[1], int(match[2]), match[3]
        return f"middle_block.{2 * layer}.{_resnet(rest)}" if kind == "resnets" else f"middle_block.1.{rest}"
    if match := re.match(r"up_blocks\.(\d+)\.(resnets|attentions)\.(\d+)\.(.*)", key):
        block, kind, layer, rest = int(match[1]), match[2], int(match[3]), match[4]
        index = block * (layers + 1) + layer
        return f"output_blocks.{index}.0.{_resnet(rest)}" if kind == "resnets" else f"output_blocks.{index}.1.{rest}"
    if match := re.match(r"up_blocks\.(\d+)\.upsamplers\.0\.(.*)", key):
        block = int(match[1])
        return f"output_blocks.{block * (layers + 1) + layers}.{2 if block in attended else 1}.{match[2]}"
    raise KeyError(f"no original name for UNet weight {key}")


def vae_key(key: str, blocks: int) -> str:
    """One VAE weight's original name (``blocks`` down/up blocks; the decoder's are numbered from the bottom)."""
    key = key.replace("conv_norm_out", "norm_out").replace("conv_shortcut", "nin_shortcut")
    if match := re.match(r"(encoder|decoder)\.mid_block\.resnets\.(\d+)\.(.*)", key):
        return f"{match[1]}.mid.block_{int(match[2]) + 1}.{match[3]}"
    if match := re.match(r"(encoder|decoder)\.mid_block\.attentions\.0\.(.*)", key):
        rest = match[2]
        for new, old in VAE_ATTENTION:
            if rest.startswith(new + "."):
                rest = old + rest[len(new):]
        return f"{match[1]}.mid.attn_1.{rest}"
    if match := re.match(r"encoder\.down_blocks\.(\d+)\.resnets\.(.*)", key):
        return f"encoder.down.{match[1]}.block.{match[2]}"
    if match := re.match(r"encoder\.down_blocks\.(\d+)\.downsamplers\.0\.(.*)", key):
        return f"encoder.down.{match[1]}.downsample.{match[2]}"
    if match := re.match(r"decoder\.up_blocks\.(\d+)\.resnets\.(.*)", key):
        return f"decoder.up.{blocks - 1 - int(match[1])}.block.{match[2]}"
    if match := re.match(r"decoder\.up_blocks\.(\d+)\.upsamplers\.0\.(.*)", key):
        return f"decoder.up.{blocks - 1 - int(match[1])}.upsample.{match[2]}"
    return key


def save_single_file(pipe, path: Path) -> Path:
    """Write ``pipe``'s UNet, VAE and text encoder as one original-layout ``.safetensors``; returns the path."""
    layers = pipe.unet.config.layers_per_block
    blocks = len(pipe.vae.config.down_block_types)
    unet = pipe.unet.state_dict()
    attended = {int(key.split(".")[1]) for key in unet if re.match(r"up_blocks\.\d+\.attentions\.", key)}
    weights: dict[str, torch.Tensor] = {}
    for key, value in unet.items():
        weights[f"model.diffusion_model.{unet_key(key, layers, attended)}"] = value
    for key, value in pipe.vae.state_dict().items():
        weights[f"first_stage_model.{vae_key(key, blocks)}"] = value
    for key, value in pipe.text_encoder.state_dict().items():  # transformers ≥ 5.6 dropped the text_model level
        weights[f"cond_stage_model.transformer.{key if key.startswith('text_model.') else 'text_model.' + key}"] = value
    save_file({key: value.contiguous() for key, value in weights.items()}, str(path))
    return path
