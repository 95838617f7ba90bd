"""Loading a diffusers image-to-image pipeline for the render: device, dtype, scheduler, clear errors.

A model is a local diffusers folder (``model_index.json``), a single-file checkpoint (``.safetensors`` /
``.ckpt``, loaded with ``from_single_file``; SDXL is recognised by its second text encoder's weights), or a
Hugging Face model ID (needs the internet, or the hub cache). Whatever goes wrong while loading becomes one
RenderError that names the model and says what to do.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from diffusers import (
    AutoPipelineForImage2Image,
    AutoPipelineForText2Image,
    StableDiffusionImg2ImgPipeline,
    StableDiffusionXLImg2ImgPipeline,
)
from diffusers.utils import deprecation_utils
from diffusers.utils import logging as diffusers_logging
from transformers.utils import logging as transformers_logging

from lib_parseq.backends.diffusers_options import DiffusersOptions
from lib_parseq.errors import RenderError

# diffusers renamed from_pretrained's ``torch_dtype`` to ``dtype`` (the old name warns); use what it reads.
DTYPE_KEYWORD = "dtype" if hasattr(deprecation_utils, "_TORCH_DTYPE_DEPRECATION_MESSAGE") else "torch_dtype"
SINGLE_FILE_SUFFIXES = (".safetensors", ".ckpt", ".pt", ".pth", ".bin")
SDXL_KEY_PREFIX = "conditioner.embedders.1."
SCHEDULER_ALIASES = {
    "ddim": "DDIMScheduler",
    "ddpm": "DDPMScheduler",
    "pndm": "PNDMScheduler",
    "lms": "LMSDiscreteScheduler",
    "euler": "EulerDiscreteScheduler",
    "euler_a": "EulerAncestralDiscreteScheduler",
    "heun": "HeunDiscreteScheduler",
    "dpm++2m": "DPMSolverMultistepScheduler",
    "dpm++sde": "DPMSolverSinglestepScheduler",
    "unipc": "UniPCMultistepScheduler",
    "lcm": "LCMScheduler",
}


def resolve_device(name: str) -> str:
    """``auto`` → cuda when available, else Apple's mps, else cpu; an unavailable explicit device is an error."""
    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if name == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if (name == "cuda" and not cuda) or (name == "mps" and not mps):
        raise RenderError(f"device {name} is not available on this machine (use --device auto or cpu)")
    return name


def resolve_dtype(name: str, device: str) -> torch.dtype:
    """``auto`` → float16 on a GPU, float32 on the CPU (where half precision is slow or unsupported)."""
    if name == "auto":
        return torch.float32 if device == "cpu" else torch.float16
    return {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[name]


def load_pipeline(options: DiffusersOptions) -> Any:
    """The image-to-image pipeline of ``options.model`` on its device, scheduler set, progress bars off (the
    render shows its own; loading bars would bury a load error's one line)."""
    diffusers_logging.disable_progress_bar()
    transformers_logging.disable_progress_bar()
    device = resolve_device(options.device)
    dtype = resolve_dtype(options.dtype, device)
    source = Path(options.model).expanduser()
    if source.is_file():
        pipe = _load_single_file(source, dtype, options.model_config)
    elif source.is_dir():
        pipe = _load_folder(source, dtype)
    elif _looks_like_path(options.model):
        raise RenderError(f"model {options.model} does not exist: give a diffusers model folder (with "
                          "model_index.json), a .safetensors/.ckpt checkpoint file, or a Hugging Face model ID")
    else:
        pipe = _load_hub_id(options.model, dtype)
    if options.scheduler:
        pipe.scheduler = make_scheduler(pipe.scheduler, options.scheduler)
    pipe.set_progress_bar_config(disable=True)
    try:
        return pipe.to(device)
    except torch.cuda.OutOfMemoryError as exc:
        raise RenderError(f"the model {options.model} does not fit in {device} memory ({_reason(exc)}); "
                          "try --dtype float16 or a smaller model") from exc


def text_to_image(pipe: Any) -> Any:
    """The text-to-image pipeline sharing ``pipe``'s components (for frames at denoise 1)."""
    text_pipe = AutoPipelineForText2Image.from_pipe(pipe)
    text_pipe.set_progress_bar_config(disable=True)
    return text_pipe


def make_scheduler(current: Any, name: str) -> Any:
    """A scheduler of class ``name`` (or a short alias) configured like ``current``."""
    wanted = SCHEDULER_ALIASES.get(name.lower(), name)
    compatible = {cls.__name__: cls for cls in current.compatibles}
    compatible.setdefault(type(current).__name__, type(current))
    by_lower = {key.lower(): cls for key, cls in compatible.items()}
    cls = by_lower.get(wanted.lower()) or by_lower.get(wanted.lower() + "scheduler")
    if cls is None:
        choices = ", ".join(sorted(compatible))
        raise RenderError(f"unknown or incompatible scheduler {name!r} for this model; choose one of {choices} "
                          f"(or a short name: {', '.join(SCHEDULER_ALIASES)})")
    return cls.from_config(current.config)


def _reason(exc: BaseException) -> str:
    """An exception as one line: its type and the first line of its message (library errors run long)."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"


def _looks_like_path(model: str) -> bool:
    parts = model.replace("\\", "/").split("/")
    return (model.startswith((".", "/", "~")) or "\\" in model or len(parts) != 2 or Path(model).suffix.lower()
            in SINGLE_FILE_SUFFIXES)


def _load_folder(folder: Path, dtype: torch.dtype) -> Any:
    index = folder / "model_index.json"
    if not index.is_file():
        raise RenderError(f"{folder} is not a diffusers model folder: it has no model_index.json (a single-file "
                          "checkpoint is given as the .safetensors/.ckpt file itself)")
    try:
        class_name = json.loads(index.read_text(encoding="utf-8")).get("_class_name", "?")
    except (OSError, ValueError, AttributeError) as exc:
        raise RenderError(f"{index} cannot be read: {exc}") from exc
    try:
        return AutoPipelineForImage2Image.from_pretrained(str(folder), local_files_only=True, **{DTYPE_KEYWORD: dtype})
    except ValueError as exc:
        if "AutoPipeline" in str(exc) or "can't find" in str(exc).lower() or "not supported" in str(exc).lower():
            raise RenderError(f"unsupported pipeline {class_name} in {folder}: the diffusers backend needs a "
                              "model AutoPipelineForImage2Image can load (Stable Diffusion 1.x/2.x, SDXL, "
                              f"SDXL-Turbo, ...): {_reason(exc)}") from exc
        raise RenderError(f"cannot load the model in {folder}: {_reason(exc)}") from exc
    except Exception as exc:  # noqa: BLE001 - a broken model folder fails in many ways; say which folder
        raise RenderError(f"cannot load the model in {folder} ({class_name}): {_reason(exc)}") from exc


def _load_hub_id(model_id: str, dtype: torch.dtype) -> Any:
    try:
        return AutoPipelineForImage2Image.from_pretrained(model_id, **{DTYPE_KEYWORD: dtype})
    except ValueError as exc:
        raise RenderError(f"unsupported pipeline for {model_id}: {_reason(exc)}") from exc
    except Exception as exc:  # noqa: BLE001 - network, hub and format errors all mean "not available"
        raise RenderError(f"cannot load model {model_id}: not a local folder or file, and the Hugging Face hub "
                          f"did not provide it ({_reason(exc)}); without internet, download it "
                          "elsewhere and give its folder") from exc


def _is_sdxl_checkpoint(path: Path) -> bool:
    if path.suffix.lower() != ".safetensors":
        return False
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as handle:
        return any(key.startswith(SDXL_KEY_PREFIX) for key in handle.keys())


def _load_single_file(path: Path, dtype: torch.dtype, config: str | None) -> Any:
    if path.suffix.lower() not in SINGLE_FILE_SUFFIXES:
        raise RenderError(f"{path} is not a checkpoint file: expected one of {', '.join(SINGLE_FILE_SUFFIXES)} "
                          "or a diffusers model folder")
    if config and _looks_like_path(config) and not (Path(config).expanduser() / "model_index.json").is_file():
        raise RenderError(f"--model-config {config} is not a diffusers model folder (with model_index.json): give "
                          "the folder of a model of the checkpoint's architecture, e.g. stable-diffusion-v1-5")
    try:
        cls = StableDiffusionXLImg2ImgPipeline if _is_sdxl_checkpoint(path) else StableDiffusionImg2ImgPipeline
        extra = {"config": config} if config else {}
        return cls.from_single_file(str(path), **{DTYPE_KEYWORD: dtype}, **extra)
    except Exception as exc:  # noqa: BLE001 - a checkpoint is an untrusted file that fails in many ways
        hint = "" if config else " (without internet, also give --model-config: a diffusers folder of the same " \
                                 "architecture, whose configs describe the checkpoint)"
        raise RenderError(f"cannot load the checkpoint {path}: {_reason(exc)}{hint}") from exc
