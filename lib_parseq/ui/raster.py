"""A small palette raster for charts: coverage layers drawn with OpenCV and Pillow, combined into one "P" image.

Each kind of ink (text and frames, grid, the series line, keyframe marks) is drawn into its own 8-bit
coverage layer (antialiased), and the layers are combined with NumPy into palette indices: a ramp of 16
shades from white to each ink's colour. A palette picture is a third of an RGB one, so encoding it as PNG
(what gradio sends to the browser) costs a fraction; and nothing here builds axes objects per redraw.
"""

from __future__ import annotations

import importlib.util
import math
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

SHADES = 16
BACKGROUND = (255, 255, 255)
INK = (51, 51, 51)
GRID = (231, 231, 231)
LINE = (59, 130, 246)
MARK = (239, 68, 68)
_SUBPIXEL_BITS = 4
_FONT_LOCK = threading.Lock()


def _ramp(colour: tuple[int, int, int]) -> list[int]:
    """``SHADES`` colours from just above the background to ``colour`` (coverage 1/16 .. 16/16)."""
    steps = np.arange(1, SHADES + 1)[:, None] / SHADES
    shades = np.asarray(BACKGROUND) * (1 - steps) + np.asarray(colour) * steps
    return np.rint(shades).astype(np.uint8).ravel().tolist()


PALETTE = [*BACKGROUND, *GRID, *_ramp(INK), *_ramp(LINE), *_ramp(MARK)]
"""Index 0 background, 1 grid, then the ink, line and mark ramps of ``SHADES`` entries each."""
_INK_START, _LINE_START, _MARK_START = 2, 2 + SHADES, 2 + 2 * SHADES


@lru_cache(maxsize=8)
def font(size: int):
    """DejaVu Sans (matplotlib ships it) at ``size`` pixels, or Pillow's built-in font when it is missing."""
    from PIL import ImageFont

    spec = importlib.util.find_spec("matplotlib")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default()


def text_width(text: str, size: int) -> int:
    """The width in pixels of ``text`` in ``font(size)``."""
    return _glyphs(text, size, "la", 255)[0].shape[1]


@lru_cache(maxsize=4096)
def _glyphs_cached(text: str, size: int, anchor: str, shade: int) -> tuple[np.ndarray, int, int]:
    from PIL import ImageDraw, ImageFont

    face = font(size)
    if not isinstance(face, ImageFont.FreeTypeFont):  # Pillow's bitmap font takes no anchor: place its box
        left, top, right, bottom = face.getbbox(text)
        width, height = right - left, bottom - top
        x = {"l": 0, "m": -(width // 2), "r": -width}[anchor[0]]
        y = {"t": 0, "m": -(height // 2)}.get(anchor[1], -height)
        patch = Image.new("L", (max(width, 1), max(height, 1)), 0)
        ImageDraw.Draw(patch).text((-left, -top), text, fill=shade, font=face)
        return np.asarray(patch), x, y
    left, top, right, bottom = face.getbbox(text, anchor=anchor)
    patch = Image.new("L", (max(right - left, 1), max(bottom - top, 1)), 0)
    ImageDraw.Draw(patch).text((-left, -top), text, fill=shade, font=face, anchor=anchor)
    return np.asarray(patch), int(left), int(top)


def _glyphs(text: str, size: int, anchor: str, shade: int) -> tuple[np.ndarray, int, int]:
    """``text`` rendered once (coverage patch, and its offset from the anchor point); labels repeat between
    redraws, and laying out text costs far more than copying it."""
    with _FONT_LOCK:  # FreeType faces are not safe to use from two threads at once
        return _glyphs_cached(text, size, anchor, shade)


class PaletteCanvas:
    """Coverage layers of one picture, combined by ``image()`` into a palette PIL image."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.ink = np.zeros((height, width), np.uint8)
        self.grid = np.zeros((height, width), bool)
        self.line = np.zeros((height, width), np.uint8)
        self.mark = np.zeros((height, width), np.uint8)

    def rectangle(self, left: int, top: int, right: int, bottom: int) -> None:
        """A one-pixel frame, corners inclusive."""
        self.ink[top, left : right + 1] = 255
        self.ink[bottom, left : right + 1] = 255
        self.ink[top : bottom + 1, left] = 255
        self.ink[top : bottom + 1, right] = 255

    def grid_lines(self, xs: list[int], ys: list[int], left: int, top: int, right: int, bottom: int) -> None:
        """Vertical lines at ``xs`` and horizontal ones at ``ys``, within the box."""
        for x in xs:
            self.grid[top : bottom + 1, x] = True
        for y in ys:
            self.grid[y, left : right + 1] = True

    def tick(self, x0: int, y0: int, x1: int, y1: int) -> None:
        """A short straight ink stroke (tick marks): horizontal or vertical."""
        self.ink[min(y0, y1) : max(y0, y1) + 1, min(x0, x1) : max(x0, x1) + 1] = 255

    def text(self, position: tuple[float, float], text: str, size: int, anchor: str, shade: int = 255) -> None:
        """Antialiased text in the ink layer; ``anchor`` as Pillow's (``"rm"``: right, middle)."""
        if not text:
            return
        patch, left, top = _glyphs(text, size, anchor, shade)
        x, y = int(round(position[0])) + left, int(round(position[1])) + top
        x0, y0 = max(x, 0), max(y, 0)
        x1, y1 = min(x + patch.shape[1], self.width), min(y + patch.shape[0], self.height)
        if x0 >= x1 or y0 >= y1:
            return
        region = self.ink[y0:y1, x0:x1]
        np.maximum(region, patch[y0 - y : y1 - y, x0 - x : x1 - x], out=region)

    def polyline(self, xs: np.ndarray, ys: np.ndarray, thickness: int = 1) -> None:
        """An antialiased line through the points, broken where a coordinate is not finite."""
        import cv2

        finite = np.isfinite(xs) & np.isfinite(ys)
        points = np.rint(np.stack([xs, ys], axis=1) * (1 << _SUBPIXEL_BITS))
        runs = _finite_runs(finite)
        curves = [points[start:stop].astype(np.int32) for start, stop in runs if stop - start >= 2]
        if curves:
            cv2.polylines(self.line, curves, False, 255, thickness, cv2.LINE_AA, _SUBPIXEL_BITS)

    def dots(self, xs: np.ndarray, ys: np.ndarray, radius: int = 3) -> None:
        """Filled antialiased discs at the finite points."""
        import cv2

        scale = 1 << _SUBPIXEL_BITS
        for x, y in zip(xs.tolist(), ys.tolist(), strict=True):
            if math.isfinite(x) and math.isfinite(y):
                cv2.circle(self.mark, (round(x * scale), round(y * scale)), radius * scale, 255, -1, cv2.LINE_AA,
                           _SUBPIXEL_BITS)

    def image(self):
        """The layers combined (marks over the line over ink over grid) as a palette PIL image.

        Each layer's coverage maps (one table look-up) to an index in its ramp, and the ramps lie in order of
        precedence, so the largest index wins; uncovered pixels map to 0.
        """
        import cv2

        index = self.grid.view(np.uint8).copy()
        for layer, lookup in ((self.ink, _INK_SHADES), (self.line, _LINE_SHADES), (self.mark, _MARK_SHADES)):
            np.maximum(index, cv2.LUT(layer, lookup), out=index)
        picture = Image.frombytes("P", (self.width, self.height), index.tobytes())
        picture.putpalette(PALETTE)
        picture.__class__ = QuickPngImage
        return picture


def _shades(start: int) -> np.ndarray:
    """Coverage 0..255 to the palette index of its shade in the ramp beginning at ``start`` (0 stays 0)."""
    coverage = np.arange(256)
    shades = (start - 1 + (coverage * SHADES + 255) // 256).astype(np.uint8)
    shades[0] = 0
    return shades


_INK_SHADES, _LINE_SHADES, _MARK_SHADES = _shades(_INK_START), _shades(_LINE_START), _shades(_MARK_START)


class QuickPngImage(Image.Image):
    """A Pillow image that is written as PNG with zlib's fastest level unless told otherwise.

    gradio encodes a returned picture itself (``save(..., "PNG")``) with Pillow's default level 6; for a
    chart that is several times slower than level 1 for a file about a third larger, and gradio offers no
    option for it, so the picture carries its own default.
    """

    def save(self, fp, format=None, **params):  # noqa: A002 - Pillow's parameter name
        named = format or (str(fp) if isinstance(fp, (str, Path)) else "")
        if str(named).lower().endswith("png"):
            params.setdefault("compress_level", 1)
        return super().save(fp, format, **params)


def _finite_runs(finite: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of True in ``finite``."""
    edges = np.diff(np.concatenate([[0], finite.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True))


def nice_ticks(low: float, high: float, most: int) -> list[float]:
    """At most about ``most`` round values (steps of 1, 2, 2.5 or 5 times a power of ten) in [low, high]."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low] if math.isfinite(low) else []
    raw = (high - low) / max(most, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9)
    last = math.floor(high / step + 1e-9)
    return [round(k * step, 12) for k in range(first, last + 1)]


def tick_label(value: float, ticks: list[float]) -> str:
    """``value`` with as many decimals as the ticks' step needs (``-0`` written ``0``)."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else abs(value) or 1.0
    largest = max(abs(t) for t in ticks) if ticks else abs(value)
    if largest >= 1e6 or (largest and largest < 1e-4):
        return f"{value:.3g}"
    decimals = next((d for d in range(12) if abs(round(step, d) - step) <= step * 1e-6), 12)
    text = f"{value:.{decimals}f}"
    return "0" if float(text) == 0 else text
