"""Init masks for the img2img script: which part of each frame img2img may change (Deforum's "use mask").

A mask comes from the init image's alpha channel, an uploaded mask image, or a mask video (one mask frame
per render frame; the last one holds when the video is shorter). It is handed to A1111 the way its
inpainting takes one — ``p.image_mask`` (white = regenerate), ``p.mask_blur_x/y`` and
``p.inpainting_mask_invert`` — so A1111 blurs, inverts and pastes the unmasked input back itself.
``overlay`` additionally puts the *original* init image back outside the mask after each frame, so in a
loopback the unmasked area stays exactly the init instead of drifting with the camera. No A1111 import: the
backend calls ``apply``/``overlay`` around ``process_images``.
"""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from lib_parseq.errors import RenderError
from lib_parseq.frames import fit_to_size
from lib_parseq.frames.masks import alpha_mask, blur_mask, composite, greyscale, invert_mask

MASK_SOURCES = ("none", "init alpha", "mask image", "mask video")


@dataclass(frozen=True)
class MaskOptions:
    """The script's mask controls."""

    source: str = "none"
    image: Any = None
    video: str = ""
    invert: bool = False
    blur: int = 4
    overlay: bool = False


class FrameMasks:
    """Per-frame img2img masks at the output size; ``close()`` ends a mask video's reader."""

    def __init__(self, options: MaskOptions, init_image: Image.Image | None, width: int, height: int) -> None:
        if options.source not in MASK_SOURCES:
            raise RenderError(f"unknown mask source {options.source!r}; expected one of {', '.join(MASK_SOURCES)}")
        self.options = options
        self.width, self.height = width, height
        self.fixed: np.ndarray | None = None
        self.init = None if init_image is None else fit_to_size(np.asarray(init_image.convert("RGB")), width, height)
        self._reader = None
        self._frames: Iterator[np.ndarray] | None = None
        self._last: np.ndarray | None = None
        self._position = -1
        if options.source == "init alpha":
            if init_image is None or init_image.mode not in ("RGBA", "LA", "PA"):
                raise RenderError("the mask source is the init image's alpha, but the init image has no alpha channel")
            self.fixed = self._sized(alpha_mask(np.asarray(init_image.convert("RGBA"))))
        elif options.source == "mask image":
            if options.image is None:
                raise RenderError("the mask source is a mask image, but none was given")
            self.fixed = self._sized(np.asarray(_as_image(options.image).convert("L")))
        elif options.source == "mask video":
            self._open_video(options.video)

    @property
    def active(self) -> bool:
        return self.options.source != "none"

    def _sized(self, mask: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(fit_to_size(np.repeat(mask[:, :, None], 3, axis=2), self.width, self.height)[:, :, 0])

    def _open_video(self, path_text: str) -> None:
        from lib_parseq.video import VideoReader, probe_video

        path = Path(path_text.strip()) if path_text and path_text.strip() else None
        if path is None or not path.is_file():
            raise RenderError(f"mask video {path_text!r} does not exist", path=path_text or None)
        self._reader = VideoReader(probe_video(path))
        self._frames = iter(self._reader.__enter__())

    def mask_for(self, frame: int) -> np.ndarray | None:
        """The mask of ``frame`` (greyscale uint8, white = regenerate, before inversion), or None."""
        if self.fixed is not None or self._frames is None:
            return self.fixed
        while self._position < frame:
            try:
                self._last = self._sized(greyscale(next(self._frames)))
            except StopIteration:
                break
            self._position += 1
        return self._last

    def apply(self, p: Any, frame: int) -> np.ndarray | None:
        """Set the frame's mask on ``p`` as A1111's img2img takes it; returns the mask (None: no mask)."""
        mask = self.mask_for(frame)
        if mask is None:
            return None
        p.image_mask = Image.fromarray(mask, mode="L")
        p.mask_blur_x = p.mask_blur_y = max(int(self.options.blur), 0)
        p.inpainting_mask_invert = 1 if self.options.invert else 0
        return mask

    def overlay(self, output: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
        """With ``overlay`` on: the output inside the (inverted, blurred) mask, the original init outside."""
        if not self.options.overlay or mask is None or self.init is None:
            return output
        region = invert_mask(mask) if self.options.invert else mask
        region = blur_mask(region, self.options.blur / 2)
        init = self.init if self.init.shape == output.shape else fit_to_size(self.init, output.shape[1], output.shape[0])
        return composite(output, init, fit_to_size(np.repeat(region[:, :, None], 3, axis=2),
                                                   output.shape[1], output.shape[0])[:, :, 0])

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None


def _as_image(value: Any) -> Image.Image:
    """The mask control's value as an image: a PIL image or array from the UI, gradio's file dict, or the base64
    text (optionally a ``data:image/...;base64,`` URL) that API callers put in ``script_args``, which A1111 hands
    to the script undecoded. Text is never taken as a file path."""
    if isinstance(value, Image.Image):
        return value
    if isinstance(value, np.ndarray):
        return Image.fromarray(value)
    if isinstance(value, str):
        return _decode_base64_image(value)
    if isinstance(value, dict) and "name" in value:
        return Image.open(value["name"])
    return Image.open(str(value.name))


def _decode_base64_image(text: str) -> Image.Image:
    payload = text.split(",", 1)[1] if text.startswith("data:") else text
    try:
        image = Image.open(io.BytesIO(base64.b64decode(payload, validate=True)))
        image.load()
    except (binascii.Error, ValueError, OSError) as exc:
        raise RenderError(f"the mask image is not a base64-encoded image ({exc})", field="mask image") from None
    return image
