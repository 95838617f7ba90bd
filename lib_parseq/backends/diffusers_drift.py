"""Noise drift for the diffusers backend (``noise_shift``, see ``lib_parseq.render.noise_drift``).

A frame's fresh noise is ``diffusers_noise.frame_noise`` of its seeds (CPU, float32, independent of batch and
device); the drifted noise replaces it where the backend feeds noise to the pipeline (the scheduler's
``add_noise`` in img2img, ``latents`` at denoise 1). Every frame's noise is a function of the seeds and shifts
of the frames before it, so frames may still be batched, and a resumed render rebuilds the chain.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch

from lib_parseq.backends.diffusers_noise import frame_noise, resolve_seed
from lib_parseq.render.noise_drift import NoiseDrift, drifts, noise_shift
from lib_parseq.render.params import FrameParams


def frame_seeds(params: FrameParams) -> tuple[int, int, float]:
    """(seed, subseed, subseed strength) as the backend uses them: −1 draws a seed, a random seed has no variation."""
    seed = resolve_seed(params.seed)
    strength = params.subseed_strength if params.seed != -1 else 0.0
    subseed = resolve_seed(params.subseed) if strength > 0 else seed
    return seed, subseed, strength


class DiffusersNoiseDrift:
    """The drifted noise of a render's diffused frames, given each one's ``FrameParams``."""

    def __init__(self, params: Mapping[int, FrameParams]) -> None:
        self.params = dict(params)
        self.shape: tuple[int, ...] = ()
        self.drift = NoiseDrift(sorted(self.params), lambda f: noise_shift(self.params[f]), self._fresh)

    def _fresh(self, frame: int):
        return frame_noise(*frame_seeds(self.params[frame]), self.shape).double().numpy()

    def noise(self, frame: int, seed: int, subseed: int, strength: float, shape: tuple[int, ...]) -> torch.Tensor:
        """Frame ``frame``'s initial noise of ``shape`` (float32, CPU)."""
        fresh = frame_noise(seed, subseed, strength, shape)
        if frame not in self.params:
            return fresh
        if shape != self.shape:
            self.shape = tuple(shape)
            self.drift = NoiseDrift(self.drift.frames, self.drift.shift_of, self._fresh)
        return torch.from_numpy(self.drift.noise(frame, fresh.double().numpy())).to(torch.float32)


def drift_for_frames(entries: Sequence[Mapping], frames: Sequence[int]) -> DiffusersNoiseDrift | None:
    """The drift of these diffused frames of a manifest, or None when none sets a ``noise_shift`` below 1."""
    from lib_parseq.render.params import frame_params

    params = {f: frame_params(entries[f], f) for f in frames}
    return DiffusersNoiseDrift(params) if drifts(params.values()) else None
