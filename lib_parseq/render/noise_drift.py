"""Noise drift (sd-variant-anim's): each diffused frame's initial noise leans on the previous diffused frame's.

A frame's noise is the spherical interpolation (slerp, over the whole tensor) from the previous diffused
frame's *drifted* noise towards the frame's own fresh noise (what its seed, variation seed and strength give)
by the frame's ``noise_shift``: 0 keeps the previous noise, 1 takes the fresh one (the default, and what a
frame without the field gets), 0.1 lets loopback drift slowly without the jump a new seed makes.

The drift is a pure function of the frames' fresh noises and shifts, so it needs no saved tensors: a resumed
render rebuilds the previous frame's noise from the seeds, walking back only to the last frame whose shift is
1 (the chain restarts there). A frame with a random seed (−1) breaks that: its fresh noise cannot be redrawn.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence

import numpy as np

from lib_parseq.render.params import FrameParams

NOISE_SHIFT = "noise_shift"
RECENT = 4
"""Drifted noises kept in memory: a batch asks for consecutive frames, a pipeline may ask twice for one."""
PARALLEL_COS = 0.9995
"""Above this cosine the two noises are nearly parallel: slerp divides by sin(angle), so lerp instead."""


def noise_shift(params: FrameParams) -> float:
    """The frame's ``noise_shift`` clamped to [0, 1]; 1 (fresh noise) when the manifest does not set it."""
    return float(min(max(params.values.get(NOISE_SHIFT, 1.0), 0.0), 1.0))


def drifts(frames: Sequence[FrameParams]) -> bool:
    """Whether any of these frames asks for drift (a ``noise_shift`` below 1)."""
    return any(noise_shift(params) < 1.0 for params in frames)


def slerp_noise(previous: np.ndarray, fresh: np.ndarray, shift: float) -> np.ndarray:
    """Slerp from ``previous`` (shift 0) to ``fresh`` (shift 1) over the whole tensor, in float64: the formula of
    A1111's and the diffusers backend's variation-seed slerp (unnormalised; exact on the sphere for equal norms,
    which independent noises of one shape nearly have)."""
    a = np.asarray(previous, dtype=np.float64)
    b = np.asarray(fresh, dtype=np.float64)
    if shift <= 0.0:
        return a.copy()
    if shift >= 1.0:
        return b.copy()
    norm_a, norm_b = np.linalg.norm(a), np.linalg.norm(b)
    if norm_a == 0.0 or norm_b == 0.0:
        return (1.0 - shift) * a + shift * b
    cos_angle = float(np.clip(np.vdot(a, b) / (norm_a * norm_b), -1.0, 1.0))
    if cos_angle > PARALLEL_COS:
        return (1.0 - shift) * a + shift * b
    angle = np.arccos(cos_angle)
    return (np.sin((1.0 - shift) * angle) * a + np.sin(shift * angle) * b) / np.sin(angle)


class NoiseDrift:
    """The drifted noise of a render's diffused ``frames`` (in render order), one frame at a time.

    ``shift_of(frame)`` gives a frame's ``noise_shift``; ``fresh_of(frame)`` redraws a frame's fresh noise
    (used only to rebuild the chain when the previous frame's noise is not in memory: on resume, or after a
    frame range starts mid-chain)."""

    def __init__(self, frames: Sequence[int], shift_of: Callable[[int], float],
                 fresh_of: Callable[[int], np.ndarray]) -> None:
        self.frames = list(frames)
        self.shift_of = shift_of
        self.fresh_of = fresh_of
        self.rebuilt = 0
        self._recent: dict[int, np.ndarray] = {}

    def _previous(self, frame: int) -> int | None:
        index = bisect.bisect_left(self.frames, frame)
        return self.frames[index - 1] if index > 0 else None

    def noise(self, frame: int, fresh: np.ndarray) -> np.ndarray:
        """Frame ``frame``'s initial noise (float64, ``fresh``'s shape), given its fresh noise."""
        shift = self.shift_of(frame)
        previous = self._previous(frame)
        if previous is None or shift >= 1.0:
            drifted = np.asarray(fresh, dtype=np.float64).copy()
        else:
            drifted = slerp_noise(self._noise_of(previous), fresh, shift)
        self._recent[frame] = drifted
        if len(self._recent) > RECENT:
            del self._recent[min(self._recent)]
        return drifted

    def _noise_of(self, frame: int) -> np.ndarray:
        if frame in self._recent:
            return self._recent[frame]
        chain = [frame]
        while self.shift_of(chain[-1]) < 1.0 and (before := self._previous(chain[-1])) is not None:
            chain.append(before)
        self.rebuilt += len(chain)
        noise = np.asarray(self.fresh_of(chain[-1]), dtype=np.float64)
        for step in reversed(chain[:-1]):
            noise = slerp_noise(noise, self.fresh_of(step), self.shift_of(step))
        return noise
