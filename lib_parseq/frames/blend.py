"""History blending: mix earlier outputs into the current input with a geometric decay.

With decay ``d`` and history ``h1`` (most recent) … ``hk``, the blend is
``input·(1−d) + h1·d(1−d) + h2·d²(1−d) + … + hk·dᵏ``: the 2022 script's recursive pairwise blend
``blend([x, *rest]) = x·(1−d) + blend(rest)·d``, folded from the oldest frame with ``cv2.addWeighted`` (no
recursion, no float copies of whole frames). ``FrameHistory`` keeps only the most recent outputs (a bounded
deque), so memory does not grow with the length of the render.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence

import cv2
import numpy as np


def blend_weights(count: int, decay: float) -> list[float]:
    """Weights of ``[input, h1, …, h(count−1)]``; they sum to 1. ``decay`` is clamped to [0, 1]."""
    d = min(max(float(decay), 0.0), 1.0)
    if count <= 1:
        return [1.0]
    weights = [(1.0 - d) * d**i for i in range(count - 1)]
    weights.append(d ** (count - 1))
    return weights


def blend_frames(frames: Sequence[np.ndarray], decay: float) -> np.ndarray:
    """Blend ``[input, most recent, …, oldest]`` with geometric decay; a single frame is returned as is."""
    if len(frames) == 1:
        return frames[0]
    d = min(max(float(decay), 0.0), 1.0)
    blended = frames[-1]
    for frame in reversed(frames[:-1]):
        blended = cv2.addWeighted(frame, 1.0 - d, blended, d, 0.0)
    return blended


class FrameHistory:
    """The last ``capacity`` outputs, most recent first."""

    def __init__(self, capacity: int) -> None:
        self.capacity = max(int(capacity), 1)
        self._frames: deque[np.ndarray] = deque(maxlen=self.capacity)

    def push(self, frame: np.ndarray) -> None:
        self._frames.appendleft(frame)

    def recent(self, count: int, *, skip: int = 0) -> list[np.ndarray]:
        """Up to ``count`` outputs, most recent first, after skipping the ``skip`` most recent."""
        frames = list(self._frames)
        return frames[skip : skip + max(count, 0)]

    def latest(self) -> np.ndarray | None:
        return self._frames[0] if self._frames else None

    def __len__(self) -> int:
        return len(self._frames)

    def __iter__(self) -> Iterator[np.ndarray]:
        return iter(self._frames)
