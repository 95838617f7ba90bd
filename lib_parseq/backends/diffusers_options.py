"""The diffusers backend's settings and its install check, importable without torch or diffusers.

The CLI and the standalone tab read these to offer ``--backend diffusers`` whether or not the optional
dependency is installed; only ``diffusers_pipeline``/``diffusers_backend`` import torch and diffusers.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass

from lib_parseq.errors import RenderError

REQUIRED_MODULES = ("torch", "diffusers", "transformers")
INSTALL_HINT = ('pip install "sd-webui-parseq[diffusers]" (from a checkout: pip install ".[diffusers]"), '
                "or pip install torch diffusers transformers accelerate")
DEVICES = ("auto", "cuda", "mps", "cpu")
DTYPES = ("auto", "float32", "float16", "bfloat16")


@dataclass(frozen=True)
class DiffusersOptions:
    """How to load and run the pipeline. ``model`` is a local folder, a single-file checkpoint or a hub ID.

    ``steps`` applies where the manifest has no ``steps`` field; ``scheduler`` replaces the model's own
    (a class name such as ``EulerDiscreteScheduler`` or a short name such as ``euler``); ``batch`` is the most
    frames per pipeline call (vid2vid without loopback blending only). ``model_config`` is the diffusers
    folder (or hub ID) whose configs describe a single-file checkpoint, for machines without internet.
    ``exact_batches`` makes a batched frame bit-for-bit a one-frame call's (None: on the CPU only; see
    ``diffusers_exact``).
    """

    model: str
    steps: int = 20
    scheduler: str | None = None
    dtype: str = "auto"
    device: str = "auto"
    batch: int = 1
    model_config: str | None = None
    exact_batches: bool | None = None

    def __post_init__(self) -> None:
        if not self.model or not str(self.model).strip():
            raise RenderError("the diffusers backend needs a model: a local folder, a .safetensors/.ckpt file "
                              "or a Hugging Face model ID (--model)")
        if self.steps < 1:
            raise RenderError(f"steps must be at least 1, got {self.steps}")
        if self.batch < 1:
            raise RenderError(f"batch must be at least 1, got {self.batch}")
        if self.device not in DEVICES:
            raise RenderError(f"unknown device {self.device!r}; expected one of {', '.join(DEVICES)}")
        if self.dtype not in DTYPES:
            raise RenderError(f"unknown dtype {self.dtype!r}; expected one of {', '.join(DTYPES)}")


def missing_modules() -> list[str]:
    """The modules of the optional dependency that are not installed."""
    return [name for name in REQUIRED_MODULES if importlib.util.find_spec(name) is None]


def require_diffusers() -> None:
    """Raise one clear RenderError saying what to install when the optional dependency is missing.

    Also keeps transformers and diffusers to errors on the console (unless the user set their verbosity):
    their import-time notes about optional packages (torchvision...) are not the render's business.
    """
    missing = missing_modules()
    if missing:
        raise RenderError(f"the diffusers backend needs {', '.join(missing)}, which are not installed: "
                          f"{INSTALL_HINT}")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("DIFFUSERS_VERBOSITY", "error")
