"""Line charts of compiled fields: one small chart per field, keyframes marked, drawn fast enough to redraw live.

A screen cannot show more points than it has pixels, so long series are reduced before drawing to the
minimum and maximum of each pixel-wide bucket (an envelope that keeps every spike visible). The picture is
drawn directly (``lib_parseq.ui.raster``: OpenCV lines, Pillow text, a palette image) rather than through
matplotlib, whose axes and tick-label layout cost several times the whole edit's budget on every redraw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from lib_parseq.ui.raster import PaletteCanvas, nice_ticks, text_width, tick_label

X_UNITS = ("frames", "seconds", "beats")
DISPLAY_POINTS = 1200
WIDTH = 810
PANEL_HEIGHT = 120
_TOP, _BOTTOM, _GAP, _LEFT, _RIGHT = 24, 40, 20, 140, 796
_TICK_SIZE, _LABEL_SIZE, _INFO_SIZE = 10, 11, 9
_X_MARGIN, _Y_MARGIN = 0.01, 0.12


@dataclass(frozen=True)
class FieldSeries:
    """One field's values at every frame, and the frames of the keyframes that give it a value."""

    name: str
    values: np.ndarray
    keyframe_frames: Sequence[int]


def frames_to_x(frames: np.ndarray, unit: str, fps: float, bpm: float) -> np.ndarray:
    """Frame numbers in the chosen x unit: frames, seconds (f / fps) or beats (f / (fps·60 / bpm))."""
    frames = np.asarray(frames, dtype=np.float64)
    if unit == "frames":
        return frames
    if unit == "seconds":
        return frames / fps
    if unit == "beats":
        return frames / (fps * 60.0 / bpm)
    raise ValueError(f"x axis unit must be one of {', '.join(X_UNITS)}, not {unit!r}")


def envelope(values: np.ndarray, max_points: int = DISPLAY_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Reduce a series to at most about ``max_points`` (frame, value) points, keeping each bucket's min and max.

    Returns (frames, values) to draw in place of the full series. Series that already fit are returned
    whole. NaN values stay NaN (matplotlib leaves a gap), so a broken field is not drawn as if it were fine.
    """
    values = np.asarray(values, dtype=np.float64)
    count = values.size
    if count <= max_points:
        return np.arange(count, dtype=np.float64), values
    buckets = max(max_points // 2, 1)
    size = -(-count // buckets)
    padded = np.full(buckets * size, np.nan)
    padded[:count] = values
    blocks = padded.reshape(buckets, size)
    all_nan = np.all(np.isnan(blocks), axis=1)
    safe = np.where(np.isnan(blocks), np.inf, blocks)
    low_index = np.argmin(safe, axis=1)
    high_index = np.argmax(np.where(np.isnan(blocks), -np.inf, blocks), axis=1)
    first_index = np.minimum(low_index, high_index)
    second_index = np.maximum(low_index, high_index)
    starts = np.arange(buckets) * size
    frames = np.empty(buckets * 2)
    frames[0::2] = starts + first_index
    frames[1::2] = starts + second_index
    reduced = np.empty(buckets * 2)
    reduced[0::2] = blocks[np.arange(buckets), first_index]
    reduced[1::2] = blocks[np.arange(buckets), second_index]
    reduced[np.repeat(all_nan, 2)] = np.nan
    keep = frames < count
    return frames[keep], reduced[keep]


def chart_height(rows: int) -> int:
    """The picture's height in pixels for ``rows`` stacked charts."""
    return _TOP + _BOTTOM + rows * PANEL_HEIGHT + (rows - 1) * _GAP


def _limits(values: np.ndarray, margin: float) -> tuple[float, float]:
    """The finite values' range widened by ``margin`` of itself (a flat or empty series gets a small band)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    if high - low <= 1e-12 * max(1.0, abs(high)):
        half = max(abs(high) * 0.05, 0.05)
        return low - half, high + half
    pad = (high - low) * margin
    return low - pad, high + pad


def _to_pixels(values: np.ndarray, low: float, high: float, first: float, last: float) -> np.ndarray:
    """Map values in [low, high] onto pixel coordinates [first, last] (NaN stays NaN)."""
    with np.errstate(invalid="ignore"):
        return first + (np.asarray(values, dtype=np.float64) - low) * ((last - first) / (high - low))


def draw_charts(
    series: Sequence[FieldSeries],
    *,
    unit: str = "frames",
    fps: float = 20.0,
    bpm: float = 140.0,
    max_points: int | None = DISPLAY_POINTS,
    info_labels: Mapping[int, str] | None = None,
):
    """Draw one chart per field, stacked with a shared x axis; returns the picture as a palette PIL image.

    ``max_points=None`` draws every frame instead of the per-pixel envelope.
    """
    rows = max(len(series), 1)
    canvas = PaletteCanvas(WIDTH, chart_height(rows))
    longest = max((np.asarray(field.values).size for field in series), default=0)
    x_low, x_high = _limits(frames_to_x(np.array([0.0, max(longest - 1, 0)]), unit, fps, bpm), _X_MARGIN)
    x_ticks = nice_ticks(x_low, x_high, 9)
    x_pixels = [int(round(x)) for x in _to_pixels(np.asarray(x_ticks), x_low, x_high, _LEFT, _RIGHT)]
    panels = [(_TOP + row * (PANEL_HEIGHT + _GAP), _TOP + row * (PANEL_HEIGHT + _GAP) + PANEL_HEIGHT - 1)
              for row in range(rows)]
    for top, bottom in panels:
        canvas.rectangle(_LEFT, top, _RIGHT, bottom)
    if not series:
        top, bottom = panels[0]
        canvas.text(((_LEFT + _RIGHT) / 2, (top + bottom) / 2), "No fields shown: choose fields above.", _LABEL_SIZE, "mm")
    for (top, bottom), field in zip(panels, series, strict=False):
        _draw_field(canvas, field, top, bottom, (x_low, x_high, x_pixels), unit, fps, bpm, max_points)
    last_bottom = panels[-1][1]
    for x, tick in zip(x_pixels, x_ticks, strict=True):
        canvas.tick(x, last_bottom, x, last_bottom + 3)
        canvas.text((x, last_bottom + 5), tick_label(tick, x_ticks), _TICK_SIZE, "mt")
    canvas.text(((_LEFT + _RIGHT) / 2, last_bottom + 22), unit, _LABEL_SIZE, "mt")
    if info_labels and series:
        for frame, label in info_labels.items():
            x = float(_to_pixels(frames_to_x(np.asarray([frame]), unit, fps, bpm), x_low, x_high, _LEFT, _RIGHT)[0])
            if label and _LEFT <= x <= _RIGHT:
                canvas.text((x + 2, panels[0][0] - 2), label, _INFO_SIZE, "lb", shade=150)
    return canvas.image()


def _draw_field(canvas: PaletteCanvas, field: FieldSeries, top: int, bottom: int, x_axis: tuple,
                unit: str, fps: float, bpm: float, max_points: int | None) -> None:
    """One panel: grid, y ticks and labels, the field's name, its line and its keyframe marks."""
    x_low, x_high, x_pixels = x_axis
    values = np.asarray(field.values, dtype=np.float64)
    y_low, y_high = _limits(values, _Y_MARGIN)
    y_ticks = nice_ticks(y_low, y_high, 4)
    y_pixels = [int(round(y)) for y in _to_pixels(np.asarray(y_ticks), y_low, y_high, bottom, top)]
    canvas.grid_lines(x_pixels, y_pixels, _LEFT + 1, top + 1, _RIGHT - 1, bottom - 1)
    labels = [tick_label(tick, y_ticks) for tick in y_ticks]
    for y, label in zip(y_pixels, labels, strict=True):
        canvas.tick(_LEFT - 3, y, _LEFT, y)
        canvas.text((_LEFT - 5, y), label, _TICK_SIZE, "rm")
    widest = max((text_width(label, _TICK_SIZE) for label in labels), default=0)
    canvas.text((_LEFT - 12 - widest, (top + bottom) / 2), field.name, _LABEL_SIZE, "rm")
    if max_points is None:
        frames, shown = np.arange(values.size, dtype=np.float64), values
    else:
        frames, shown = envelope(values, max_points)
    xs = _to_pixels(frames_to_x(frames, unit, fps, bpm), x_low, x_high, _LEFT, _RIGHT)
    canvas.polyline(xs, _to_pixels(np.where(np.isfinite(shown), shown, np.nan), y_low, y_high, bottom, top))
    marked = np.asarray([f for f in field.keyframe_frames if 0 <= f < values.size], dtype=np.int64)
    canvas.dots(_to_pixels(frames_to_x(marked, unit, fps, bpm), x_low, x_high, _LEFT, _RIGHT),
                _to_pixels(values[marked], y_low, y_high, bottom, top))
