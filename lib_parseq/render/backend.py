"""The diffusion step of the render loop, as an interface: a backend turns the prepared frame into the output.

The A1111 backend (``lib_parseq.backends.a1111``) calls img2img; ``DryRunBackend`` is Parseq's "dry run": it
returns the prepared input unchanged, so the whole pipeline (warp, blend, colour, video) runs without a model.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from lib_parseq.render.params import FrameParams


@runtime_checkable
class Backend(Protocol):
    """Generates one output frame from the prepared input frame and that frame's parameters."""

    def generate(self, image: np.ndarray, params: FrameParams) -> np.ndarray:
        """Return the output image: uint8 RGB (H, W, 3); any size (the loop resizes to the output size)."""
        ...

    def should_stop(self) -> bool:
        """True when the user asked to stop; the loop finishes the current frame and closes the video."""
        ...


class DryRunBackend:
    """Returns the prepared input unchanged (no diffusion). ``stop()`` requests a clean stop."""

    def __init__(self) -> None:
        self._stop = False

    def generate(self, image: np.ndarray, params: FrameParams) -> np.ndarray:
        return image

    def stop(self) -> None:
        self._stop = True

    def should_stop(self) -> bool:
        return self._stop
