"""Reading render inputs: the manifest's frames and options, and an init image from a file or array."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from lib_parseq.errors import RenderError

# Init images up to PIL's own decompression-bomb threshold (about 89 megapixels, 268 MB as RGB).
MAX_IMAGE_PIXELS = 89_478_485


def manifest_frames(manifest: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """``rendered_frames`` as a list where element i is frame i (contiguous from 0, or a RenderError).

    The entries are the manifest's own objects (read, never modified).
    """
    frames = manifest.get("rendered_frames") if isinstance(manifest, Mapping) else None
    if not isinstance(frames, list) or not frames:
        raise RenderError("the manifest has no rendered_frames to render", path="$.rendered_frames")
    if all(isinstance(entry, Mapping) and _is_number(entry.get("frame", position), position)
           for position, entry in enumerate(frames)):
        return frames  # already frame i at position i: no copy (the manifest may hold 100,000 frames)
    by_number: dict[int, dict[str, Any]] = {}
    for position, entry in enumerate(frames):
        if not isinstance(entry, Mapping):
            raise RenderError("each rendered frame must be an object", path=f"$.rendered_frames[{position}]")
        number = entry.get("frame", position)
        if isinstance(number, bool) or not isinstance(number, (int, float)) or number != int(number):
            raise RenderError(f"frame number {number!r} is not a whole number",
                              path=f"$.rendered_frames[{position}].frame")
        by_number[int(number)] = entry
    missing = [n for n in range(len(by_number)) if n not in by_number]
    if missing or min(by_number) != 0:
        first_gap = missing[0] if missing else 0
        raise RenderError(f"rendered_frames must hold frames 0..{len(by_number) - 1} without gaps; "
                          f"frame {first_gap} is missing", path="$.rendered_frames")
    return [by_number[n] for n in range(len(by_number))]


def _is_number(value: Any, expected: int) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and value == expected


def option_number(options: Mapping[str, Any], key: str) -> float | None:
    """A numeric option (numbers or numeric strings; blank, missing or non-finite → None)."""
    value = options.get(key)
    if isinstance(value, bool):
        return float(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def option_flag(options: Mapping[str, Any], key: str) -> bool:
    value = options.get(key)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _check_pixels(path: Path, width: int, height: int) -> None:
    """Refuse an image too large to decode before decoding it (a small file can claim a huge size)."""
    if width * height > MAX_IMAGE_PIXELS:
        raise RenderError(f"init image {path} has more than the limit of {MAX_IMAGE_PIXELS:,} pixels "
                          f"({width}x{height})")


def load_image(image: np.ndarray | str | Path) -> np.ndarray:
    """An init image as uint8 RGB (H, W, 3): from an array (grey/RGBA accepted) or any file PIL reads,
    turned upright by its EXIF orientation as every image viewer shows it."""
    if isinstance(image, (str, Path)):
        path = Path(image)
        if not path.is_file():
            raise RenderError(f"init image not found: {path}")
        from PIL import Image, ImageOps, UnidentifiedImageError

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(path) as opened:
                    _check_pixels(path, *opened.size)
                    array = np.asarray(ImageOps.exif_transpose(opened).convert("RGB"))
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise RenderError(f"init image {path} has more than the limit of {MAX_IMAGE_PIXELS:,} pixels") from None
        except (UnidentifiedImageError, OSError) as exc:
            raise RenderError(f"cannot read init image {path}: {exc}") from exc
        return np.ascontiguousarray(array)
    array = np.asarray(image)
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] not in (3, 4) or array.shape[0] < 1 or array.shape[1] < 1:
        raise RenderError(f"init image must be an RGB array (H, W, 3), got shape {array.shape}")
    if array.dtype != np.uint8:
        raise RenderError(f"init image must be uint8, got {array.dtype}")
    return np.ascontiguousarray(array[:, :, :3])
