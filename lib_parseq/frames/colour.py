"""Colour correction: match a frame's LAB (or HSV, or RGB) histogram to a target built from a sliding window of outputs.

Matching is one per-channel cumulative-distribution mapping turned into a uint8 lookup table, applied with
``cv2.LUT`` — the same mapping as ``skimage.exposure.match_histograms`` on uint8 data, at a fraction of the
cost. The target is the pooled histogram of the window's frames (the sum of their histograms), so a window
never needs the frames themselves: ``ColourWindow`` keeps one 3×256 histogram per output only while it can
still enter the window, and a running sum of those inside it.

Window rule (the 2022 options): at frame ``f`` the window ends at output ``round(f·slide_rate)`` (exclusive,
half rounding up) and covers ``width`` outputs before that; ``width = -1`` covers every output since the
first; ``0`` turns correction off. ``use_input`` adds the first input frame to the target.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

import cv2
import numpy as np

LEVELS = 256
_LEVELS = np.arange(LEVELS, dtype=np.float64)  # each level as a float, for the matching table
COLOUR_SPACES = ("lab", "hsv", "rgb")
_TO_SPACE = {"lab": cv2.COLOR_RGB2LAB, "hsv": cv2.COLOR_RGB2HSV_FULL}
_FROM_SPACE = {"lab": cv2.COLOR_LAB2RGB, "hsv": cv2.COLOR_HSV2RGB_FULL}


def to_space(image: np.ndarray, space: str) -> np.ndarray:
    """An RGB uint8 image in 8-bit ``space`` ("lab", "hsv" with hue over 0..255, or "rgb" as is)."""
    if space not in COLOUR_SPACES:
        raise ValueError(f"unknown colour space {space!r}; expected one of {', '.join(COLOUR_SPACES)}")
    return image if space == "rgb" else cv2.cvtColor(image, _TO_SPACE[space])


def from_space(image: np.ndarray, space: str) -> np.ndarray:
    return image if space == "rgb" else cv2.cvtColor(image, _FROM_SPACE[space])


def colour_histogram(image: np.ndarray, space: str = "lab", *, stride: int = 1) -> np.ndarray:
    """Per-channel histograms (3, 256) int64 of an RGB uint8 image converted to 8-bit ``space``.

    ``stride`` > 1 samples every stride-th pixel in each direction (a window target is a distribution, so
    a quarter of the pixels describes it as well at a quarter of the cost).
    """
    return channel_histograms(to_space(every_nth_pixel(image, stride), space))


def every_nth_pixel(image: np.ndarray, stride: int) -> np.ndarray:
    """``image[::stride, ::stride]`` as a contiguous array. Where the stride divides both sides, OpenCV's
    nearest-neighbour resize picks exactly those pixels, five times faster than NumPy's strided copy."""
    if stride <= 1:
        return image
    height, width = image.shape[:2]
    if height % stride == 0 and width % stride == 0:
        return cv2.resize(image, (width // stride, height // stride), interpolation=cv2.INTER_NEAREST)
    return np.ascontiguousarray(image[::stride, ::stride])


def lab_histogram(image: np.ndarray, *, stride: int = 1) -> np.ndarray:
    """``colour_histogram`` in LAB."""
    return colour_histogram(image, "lab", stride=stride)


def channel_histograms(image: np.ndarray) -> np.ndarray:
    """Per-channel histograms (C, 256) int64 of a uint8 image."""
    return np.stack(
        [cv2.calcHist([image], [c], None, [LEVELS], [0, LEVELS]).ravel() for c in range(image.shape[2])]
    ).astype(np.int64)


def matching_lut(source_hist: np.ndarray, target_hist: np.ndarray) -> np.ndarray:
    """A (1, 256, C) uint8 table mapping each source level to the target level of equal quantile."""
    source = source_hist.astype(np.float64)
    target = target_hist.astype(np.float64)
    source_totals, target_totals = source.sum(axis=1), target.sum(axis=1)
    source_quantiles = np.cumsum(source, axis=1) / np.where(source_totals > 0, source_totals, 1.0)[:, None]
    mapped = np.empty_like(source)
    for c in range(source.shape[0]):  # the target's levels differ by channel: only those present count
        if source_totals[c] <= 0 or target_totals[c] <= 0:
            mapped[c] = _LEVELS
            continue
        present = target[c] > 0
        mapped[c] = np.interp(source_quantiles[c], np.cumsum(target[c][present]) / target_totals[c], _LEVELS[present])
    return np.ascontiguousarray(np.clip(np.rint(mapped), 0, LEVELS - 1).astype(np.uint8).T[None])


def match_histogram(image: np.ndarray, target_hist: np.ndarray, space: str = "lab") -> np.ndarray:
    """Return ``image`` (RGB uint8) with its ``space`` histogram matched to ``target_hist`` (3, 256)."""
    converted = to_space(image, space)
    table = matching_lut(channel_histograms(converted), target_hist)
    return from_space(cv2.LUT(converted, table), space)


def match_lab_histogram(image: np.ndarray, target_hist: np.ndarray) -> np.ndarray:
    """``match_histogram`` in LAB."""
    return match_histogram(image, target_hist, "lab")


def to_greyscale(image: np.ndarray) -> np.ndarray:
    """The image's luma (ITU-R BT.601, as OpenCV) in all three channels: Deforum's "force greyscale"."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    return cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB)


def window_end(frame_index: int, slide_rate: float) -> int:
    """The exclusive end of the colour window at output ``frame_index`` (never past the outputs made)."""
    return max(0, min(frame_index, math.floor(frame_index * slide_rate + 0.5)))


class ColourWindow:
    """The colour-correction target over a sliding window of outputs, in memory bounded by the window.

    Call ``target(i)`` before output ``i`` is made (``None`` = no correction), then ``add(histogram)``
    with that output's ``lab_histogram``. Outputs are numbered from 0 in the order they are added.
    """

    def __init__(self, width: int, slide_rate: float = 1.0, input_hist: np.ndarray | None = None) -> None:
        self.width = int(width)
        self.slide_rate = float(slide_rate)
        self.input_hist = input_hist
        self.added = 0
        self.start = 0
        self.end = 0
        self.total = np.zeros((3, LEVELS), np.int64)
        self.inside: deque[np.ndarray] = deque()
        self.pending: deque[np.ndarray] = deque()

    @property
    def enabled(self) -> bool:
        return self.width != 0

    def add(self, histogram: np.ndarray) -> None:
        if self.enabled:
            self.pending.append(histogram.astype(np.int32))
        self.added += 1

    def target(self, index: int) -> np.ndarray | None:
        """The pooled histogram for output ``index`` (outputs ``0..index-1`` must have been added)."""
        if not self.enabled:
            return None
        end = window_end(index, self.slide_rate)
        while self.end < end and self.pending:
            histogram = self.pending.popleft()
            self.total += histogram
            self.end += 1
            if self.width > 0:
                self.inside.append(histogram)
        if self.width > 0:
            while self.end - self.start > self.width:
                self.total -= self.inside.popleft()
                self.start += 1
        total = self.total if self.input_hist is None else self.total + self.input_hist
        return total if total[0].sum() > 0 else None

    def state(self) -> dict[str, np.ndarray]:
        """Arrays that, with the histograms of outputs ``end..added-1`` (:meth:`pending_snapshot`), restore this
        window exactly (for resuming a render). Their size is bounded by the window, not the render."""
        empty = np.zeros((0, 3, LEVELS), np.int32)
        return {
            "counters": np.array([self.added, self.start, self.end], np.int64),
            "total": self.total.copy(),
            "inside": np.stack(list(self.inside)) if self.inside else empty,
        }

    def pending_snapshot(self) -> Callable[[int], np.ndarray]:
        """A function of ``first`` giving the histograms of outputs ``first..added-1`` not yet in the window, as
        the window is now. With a slide rate below 1 the window lags the outputs, so outputs wait a long time; a
        checkpoint appends only the rows added since the last one. Callable later from another thread (the
        frame store writes checkpoints while the render goes on): it copies references to the rows, not rows."""
        rows, added, end = list(self.pending), self.added, self.end

        def since(first: int) -> np.ndarray:
            count = min(added - max(first, end), len(rows))
            if count <= 0:
                return np.zeros((0, 3, LEVELS), np.int32)
            return np.stack(rows[-count:])

        return since

    def restore(self, state: dict[str, np.ndarray]) -> None:
        """Restore from :meth:`state` plus ``state["pending"]``: the histograms of outputs ``end..added-1``."""
        self.added, self.start, self.end = (int(v) for v in state["counters"])
        self.total = state["total"].astype(np.int64)
        self.inside = deque(h for h in state["inside"])
        self.pending = deque(h for h in state.get("pending", ()))
