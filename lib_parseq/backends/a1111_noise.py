"""Noise drift inside A1111 (``noise_shift``, see ``lib_parseq.render.noise_drift``).

A1111 1.10 draws a frame's initial noise with ``p.rng`` (``modules.rng.ImageRNG``: seed, variation seed and
strength, times the img2img noise multiplier), then calls every always-on script's
``process_before_every_sampling(p, x=init_latent, noise=x, c=…, uc=…)`` and only then hands that same tensor
to the sampler. ``scripts/parseq_noise.py`` is an always-on script without controls that forwards the hook
here; while a Parseq frame with drift is sampled the noise is overwritten in place with the drifted noise.
Forge calls the same hook with the same tensor, so it works there too. The later per-step noise of ancestral
samplers still comes from ``p.rng``: only the starting noise drifts.

To rebuild the chain on resume, a frame's fresh noise is redrawn with the same public ``ImageRNG``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from modules import rng

from lib_parseq.backends.a1111_mapping import Overrides, UiValues, processing_fields
from lib_parseq.errors import RenderError
from lib_parseq.render.noise_drift import NoiseDrift, drifts, noise_shift
from lib_parseq.render.params import FrameParams, frame_params


class A1111NoiseDrift:
    """The drift of one render: ``apply(p, noise)`` rewrites the noise of the frame being sampled."""

    def __init__(self, p: Any, params: dict[int, FrameParams], diffused: list[int], *, start: int,
                 overrides: Overrides, ui: UiValues) -> None:
        self.p = p
        self.params = params
        self.start = start
        self.overrides = overrides
        self.ui = ui
        self.frame: int | None = None
        self.drifted: int | None = None
        self.error: Exception | None = None
        self.shape: tuple[int, ...] | None = None
        self.drift = NoiseDrift(diffused, lambda f: noise_shift(self.params[f]), self._fresh)

    def _fresh(self, frame: int) -> np.ndarray:
        """Frame ``frame``'s noise as A1111 draws it before any script touches it."""
        fields = processing_fields(self.params[frame], frame - self.start, self.overrides, self.ui)
        generator = rng.ImageRNG(self.shape, [int(fields["seed"])], subseeds=[int(fields["subseed"])],
                                 subseed_strength=fields["subseed_strength"],
                                 seed_resize_from_h=self.p.seed_resize_from_h,
                                 seed_resize_from_w=self.p.seed_resize_from_w)
        noise = _numpy(generator.next())[0]
        multiplier = getattr(self.p, "initial_noise_multiplier", 1.0)
        return noise * multiplier if multiplier != 1.0 else noise

    def apply(self, p: Any, noise: Any) -> None:
        if p is not self.p or self.frame is None or noise is None:
            return
        try:
            fresh = _numpy(noise)
            self.shape = tuple(fresh.shape[1:])
            _write(noise, self.drift.noise(self.frame, fresh[0])[None])
            self.drifted = self.frame
        except Exception as exc:  # noqa: BLE001 - A1111 would only log it: kept for check() to raise
            self.error = exc

    def check(self, frame: int) -> None:
        """After the frame sampled: its noise was drifted, else one clear error (A1111 only logs hook errors)."""
        if self.error is not None:
            error, self.error = self.error, None
            raise RenderError(f"noise drift failed: {type(error).__name__}: {error}", frame=frame) from error
        if self.drifted != frame:
            raise RenderError("noise drift: the webui did not hand the initial noise to the \"Parseq noise drift\" "
                              "always-on script (process_before_every_sampling); is scripts/parseq_noise.py loaded?",
                              frame=frame)


def drift_for_render(p: Any, manifest: dict[str, Any], diffused: list[int], *, start: int, overrides: Overrides,
                     ui: UiValues) -> A1111NoiseDrift | None:
    """The render's drift, or None when no diffused frame sets a ``noise_shift`` below 1."""
    entries = manifest.get("rendered_frames") or []
    params = {f: frame_params(entries[f], f) for f in diffused if f < len(entries)}
    if not drifts(params.values()):
        return None
    return A1111NoiseDrift(p, params, diffused, start=start, overrides=overrides, ui=ui)


_active: A1111NoiseDrift | None = None


@contextmanager
def sampling(drift: A1111NoiseDrift | None, frame: int) -> Iterator[None]:
    """While ``frame`` is sampled, the hook drifts its noise (nothing happens without a drift)."""
    global _active
    if drift is None:
        yield
        return
    drift.frame, _active = frame, drift
    try:
        yield
    finally:
        drift.frame, _active = None, None


def before_every_sampling(p: Any, noise: Any) -> None:
    """The always-on script's ``process_before_every_sampling``: drift the noise of the frame being sampled."""
    if _active is not None:
        _active.apply(p, noise)


def _numpy(tensor: Any) -> np.ndarray:
    if hasattr(tensor, "detach"):
        return tensor.detach().to("cpu").double().numpy()
    return np.asarray(tensor, dtype=np.float64)


def _write(target: Any, values: np.ndarray) -> None:
    """Overwrite ``target`` (a torch tensor or a NumPy array) in place, keeping its dtype and device."""
    if hasattr(target, "copy_"):
        import torch

        target.copy_(torch.from_numpy(np.ascontiguousarray(values)).to(device=target.device, dtype=target.dtype))
    else:
        target[...] = values.astype(target.dtype)
