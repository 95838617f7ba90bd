"""Line charts of compiled fields: one small chart per field, keyframes marked, drawn fast enough to redraw live.

A screen cannot show more points than it has pixels, so long series are reduced before drawing to the
minimum and maximum of each pixel-wide bucket (an envelope that keeps every spike visible). Drawing uses
matplotlib's object API (no pyplot global state). Building axes and ticks costs more than drawing lines, so
one figure per chart count is kept and only its data is replaced on each redraw (under a lock, since
gradio runs handlers in threads).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

X_UNITS = ("frames", "seconds", "beats")
DISPLAY_POINTS = 1200
_WIDTH_INCHES = 9.0
_HEIGHT_PER_CHART = 1.55
_DPI = 90
_LINE_COLOUR = "#3b82f6"
_MARK_COLOUR = "#ef4444"


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


class _Canvas:
    """A figure with ``rows`` stacked axes, kept between redraws: creating axes and ticks costs more than drawing."""

    def __init__(self, rows: int) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        height = 0.6 + _HEIGHT_PER_CHART * rows
        self.figure = Figure(figsize=(_WIDTH_INCHES, height), dpi=_DPI)
        self.canvas = FigureCanvasAgg(self.figure)
        self.axes = list(self.figure.subplots(rows, 1, sharex=True, squeeze=False)[:, 0])
        self.lines = []
        self.marks = []
        for axes in self.axes:
            (line,) = axes.plot([], [], color=_LINE_COLOUR, linewidth=1.2)
            (marks,) = axes.plot([], [], linestyle="none", marker="o", markersize=4.5, color=_MARK_COLOUR)
            self.lines.append(line)
            self.marks.append(marks)
            axes.tick_params(labelsize=8)
            axes.grid(True, alpha=0.3)
            axes.margins(x=0.01, y=0.12)
        self.labels: list = []
        self.figure.subplots_adjust(left=0.17, right=0.98, top=1 - 0.25 / height, bottom=0.45 / height, hspace=0.18)
        self.lock = threading.Lock()


_CANVASES: dict[int, _Canvas] = {}
_CANVASES_LOCK = threading.Lock()


def _canvas(rows: int) -> _Canvas:
    with _CANVASES_LOCK:
        if rows not in _CANVASES:
            _CANVASES[rows] = _Canvas(rows)
        return _CANVASES[rows]


def draw_charts(
    series: Sequence[FieldSeries],
    *,
    unit: str = "frames",
    fps: float = 20.0,
    bpm: float = 140.0,
    max_points: int | None = DISPLAY_POINTS,
    info_labels: Mapping[int, str] | None = None,
) -> np.ndarray:
    """Draw one chart per field, stacked with a shared x axis; returns the picture as an RGB uint8 array.

    ``max_points=None`` draws every frame (the slow baseline the benchmark compares against).
    """
    board = _canvas(max(len(series), 1))
    with board.lock:
        for label in board.labels:
            label.remove()
        board.labels = []
        if not series:
            board.lines[0].set_data([], [])
            board.marks[0].set_data([], [])
            board.axes[0].set_ylabel("")
            board.labels.append(
                board.axes[0].text(0.5, 0.5, "No fields shown: choose fields above.", ha="center", va="center",
                                   transform=board.axes[0].transAxes)
            )
        for axes, line, marks, field in zip(board.axes, board.lines, board.marks, series, strict=False):
            values = np.asarray(field.values, dtype=np.float64)
            if max_points is None:
                frames, shown = np.arange(values.size, dtype=np.float64), values
            else:
                frames, shown = envelope(values, max_points)
            line.set_data(frames_to_x(frames, unit, fps, bpm), shown)
            frames_marked = np.asarray([f for f in field.keyframe_frames if 0 <= f < values.size], dtype=np.int64)
            marks.set_data(frames_to_x(frames_marked, unit, fps, bpm), values[frames_marked])
            axes.set_ylabel(field.name, fontsize=9, rotation=0, ha="right", va="center")
            axes.relim()
            axes.autoscale_view()
        if info_labels and series:
            top = board.axes[0]
            for frame, label in info_labels.items():
                if label:
                    x = float(frames_to_x(np.asarray([frame]), unit, fps, bpm)[0])
                    board.labels.append(
                        top.annotate(label, (x, 1.0), xycoords=("data", "axes fraction"), fontsize=7,
                                     color="#6b7280", xytext=(2, 2), textcoords="offset points")
                    )
        board.axes[-1].set_xlabel(unit, fontsize=9)
        board.canvas.draw()
        return np.asarray(board.canvas.buffer_rgba())[:, :, :3].copy()
