"""Colour coherence: which histogram each frame is matched to, in which colour space (Deforum's options).

Sources:

- ``window`` — the pooled histogram of a sliding window of recent outputs (``ColourWindow``; Parseq's own);
- ``first`` — one output: the first frame's, or with ``every`` = N > 0 the output of the latest frame that is
  a multiple of N (the sample is refreshed every Nth frame);
- ``video`` — the input video: the current frame's, or with ``every`` = N the latest multiple of N
  (Deforum's "Video Input" coherence with "every N frames").

``space`` is "lab" (Deforum's default), "hsv" or "rgb". ``state``/``restore`` keep everything a resumed
render needs in plain arrays.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lib_parseq.frames.colour import COLOUR_SPACES, LEVELS, ColourWindow, colour_histogram, match_histogram

COLOUR_SOURCES = ("window", "first", "video")
HISTOGRAM_STRIDE = 2


class ColourCoherence:
    """Per-frame colour targets. Call ``target(index, frame, video_frame)`` before a frame's output is made,
    ``add(output, frame)`` after. ``index`` counts outputs from 0; ``frame`` is the manifest frame number."""

    def __init__(self, window: ColourWindow, *, space: str = "lab", source: str = "window", every: int = 0,
                 enabled: bool | None = None) -> None:
        if space not in COLOUR_SPACES:
            raise ValueError(f"unknown colour space {space!r}; expected one of {', '.join(COLOUR_SPACES)}")
        if source not in COLOUR_SOURCES:
            raise ValueError(f"unknown colour source {source!r}; expected one of {', '.join(COLOUR_SOURCES)}")
        self.window = window
        self.space = space
        self.source = source
        self.every = max(int(every), 0)
        self._enabled = window.enabled if enabled is None else enabled
        self.reference: np.ndarray | None = None

    @property
    def enabled(self) -> bool:
        return self._enabled

    @property
    def input_hist(self) -> np.ndarray | None:
        return self.window.input_hist

    @input_hist.setter
    def input_hist(self, histogram: np.ndarray | None) -> None:
        self.window.input_hist = histogram

    def histogram(self, image: np.ndarray) -> np.ndarray:
        return colour_histogram(image, self.space, stride=HISTOGRAM_STRIDE)

    def _refreshes(self, frame: int) -> bool:
        if self.source == "video":
            return self.every <= 1 or frame % self.every == 0 or self.reference is None
        return self.reference is None or (self.every > 0 and frame % self.every == 0)

    def target(self, index: int, frame: int, video_frame: np.ndarray | None = None) -> np.ndarray | None:
        """The histogram to match this frame to, or None (off, or nothing to match yet)."""
        if not self.enabled:
            return None
        if self.source == "window":
            return self.window.target(index)
        if self.source == "video" and video_frame is not None and self._refreshes(frame):
            self.reference = self.histogram(video_frame)
        return self.reference

    def add(self, output: np.ndarray, frame: int) -> None:
        """Record a finished output (the window's histogram, or the "first" sample when it refreshes)."""
        if not self.enabled:
            return
        if self.source == "window":
            self.window.add(self.histogram(output))
        elif self.source == "first" and self._refreshes(frame):
            self.reference = self.histogram(output)

    def apply(self, image: np.ndarray, target: np.ndarray | None) -> np.ndarray:
        return image if target is None else match_histogram(image, target, self.space)

    def state(self) -> dict[str, np.ndarray]:
        state = self.window.state()
        state["reference"] = self.reference if self.reference is not None else np.zeros((0, LEVELS), np.int64)
        return state

    def pending_snapshot(self) -> Callable[[int], np.ndarray]:
        """The window's waiting histograms as they are now (see ``ColourWindow.pending_snapshot``)."""
        return self.window.pending_snapshot()

    def restore(self, state: dict[str, np.ndarray]) -> None:
        self.window.restore(state)
        reference = state.get("reference")
        self.reference = reference.astype(np.int64) if reference is not None and reference.size else None
