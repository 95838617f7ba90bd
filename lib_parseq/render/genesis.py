"""What each loopback frame starts from (prompt-travel's "genesis"): ``successive``, ``fixed`` or ``embryo``.

- ``successive`` (the default, Parseq's and Deforum's loopback): each frame is img2img of the previous output,
  moved by the camera step since then.
- ``fixed``: each frame is img2img of the same init image, moved by the frame's absolute camera position; no
  output is fed back. At denoise 1 that is text-to-image from each frame's noise: with embedding travel and
  ``noise_shift`` it is prompt-travel's fixed genesis and sd-variant-anim's in-betweens.
- ``embryo``: first one common image is made, the *embryo*: the middle frame of the render (its prompt blend,
  seed and denoise) diffused from the init image. Then each frame is img2img of the embryo at its own denoise,
  so every frame shares the embryo's composition and only the remaining steps follow the frame's conditioning.
  prompt-travel makes its embryo in latent space (the middle conditioning's latent after ``embryo_step``
  steps); here it is an image, and the frames' denoise plays the part of the steps left (a denoise of 0.5
  ≈ embryo_step = half the steps). The embryo is kept beside the checkpoints so a resumed render reuses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from lib_parseq.errors import RenderError
from lib_parseq.render.state import read_png, write_png
from lib_parseq.schedules.validate_options import PROMPT_BLENDING_CHOICES

GENESIS_MODES: tuple[str, ...] = PROMPT_BLENDING_CHOICES["genesis"]
SUCCESSIVE, FIXED, EMBRYO = GENESIS_MODES
EMBRYO_FILE = "embryo.png"


def resolve_genesis(chosen: str | None, options: Mapping[str, Any]) -> str:
    """The render's genesis: the setting, else the manifest's ``options.genesis``, else successive."""
    genesis = chosen if chosen is not None else options.get("genesis", SUCCESSIVE)
    if genesis not in GENESIS_MODES:
        raise RenderError(f"unknown genesis {genesis!r}; expected one of {', '.join(GENESIS_MODES)}")
    return genesis


def embryo_frame(start: int, end: int) -> int:
    """The frame whose parameters make the embryo: the middle of the render's range."""
    return (start + end - 1) // 2


def saved_embryo(work: Path) -> np.ndarray | None:
    """The embryo an earlier run of this render saved in its work folder, if any."""
    path = Path(work) / EMBRYO_FILE
    return read_png(path) if path.is_file() else None


def save_embryo(work: Path, image: np.ndarray) -> None:
    Path(work).mkdir(parents=True, exist_ok=True)
    write_png(str(work), EMBRYO_FILE, image)
