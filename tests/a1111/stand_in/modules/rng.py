"""A1111's ``modules.rng``: ``ImageRNG`` (each image's initial noise from its seed, slerped towards its variation
seed's by ``subseed_strength``; later ``next()`` calls continue the seed's generator, as the ancestral samplers
ask) and ``slerp`` — same names, signatures and arithmetic, with NumPy in place of torch (the stand-in has no
torch): ``randn(seed, shape)`` is ``default_rng(seed).standard_normal(shape)`` in float32, whatever
``opts.randn_source`` says."""

from __future__ import annotations

import numpy as np

from modules import shared


def randn(seed, shape, generator=None):
    return (generator or np.random.default_rng(int(seed) & 0xFFFFFFFF)).standard_normal(shape).astype(np.float32)


def randn_without_seed(shape, generator=None):
    return generator.standard_normal(shape).astype(np.float32)


def create_generator(seed):
    return np.random.default_rng(int(seed) & 0xFFFFFFFF)


def slerp(val, low, high):
    """A1111's: norms and dot over dim 1 (of a (C, H, W) noise: per channel and column)."""
    low_norm = low / np.linalg.norm(low, axis=1, keepdims=True)
    high_norm = high / np.linalg.norm(high, axis=1, keepdims=True)
    dot = (low_norm * high_norm).sum(1)
    if dot.mean() > 0.9995:
        return low * val + high * (1 - val)
    omega = np.arccos(dot)
    so = np.sin(omega)
    return (np.expand_dims(np.sin((1.0 - val) * omega) / so, 1) * low
            + np.expand_dims(np.sin(val * omega) / so, 1) * high).astype(low.dtype)


class ImageRNG:
    def __init__(self, shape, seeds, subseeds=None, subseed_strength=0.0, seed_resize_from_h=0, seed_resize_from_w=0):
        self.shape = tuple(map(int, shape))
        self.seeds = seeds
        self.subseeds = subseeds
        self.subseed_strength = subseed_strength
        self.seed_resize_from_h = seed_resize_from_h
        self.seed_resize_from_w = seed_resize_from_w
        self.generators = [create_generator(seed) for seed in seeds]
        self.is_first = True

    def first(self):
        noise_shape = self.shape if self.seed_resize_from_h <= 0 or self.seed_resize_from_w <= 0 else (
            self.shape[0], int(self.seed_resize_from_h) // 8, int(self.seed_resize_from_w // 8))
        xs = []
        for i, (seed, generator) in enumerate(zip(self.seeds, self.generators, strict=True)):
            subnoise = None
            if self.subseeds is not None and self.subseed_strength != 0:
                subseed = 0 if i >= len(self.subseeds) else self.subseeds[i]
                subnoise = randn(subseed, noise_shape)
            if noise_shape != self.shape:
                noise = randn(seed, noise_shape)
            else:
                noise = randn(seed, self.shape, generator=generator)
            if subnoise is not None:
                noise = slerp(self.subseed_strength, noise, subnoise)
            if noise_shape != self.shape:
                x = randn(seed, self.shape, generator=generator)
                dx = (self.shape[2] - noise_shape[2]) // 2
                dy = (self.shape[1] - noise_shape[1]) // 2
                w = noise_shape[2] if dx >= 0 else noise_shape[2] + 2 * dx
                h = noise_shape[1] if dy >= 0 else noise_shape[1] + 2 * dy
                tx, ty = max(dx, 0), max(dy, 0)
                dx, dy = max(-dx, 0), max(-dy, 0)
                x[:, ty:ty + h, tx:tx + w] = noise[:, dy:dy + h, dx:dx + w]
                noise = x
            xs.append(noise)
        eta_noise_seed_delta = shared.opts.eta_noise_seed_delta or 0
        if eta_noise_seed_delta:
            self.generators = [create_generator(seed + eta_noise_seed_delta) for seed in self.seeds]
        return np.stack(xs)

    def next(self):
        if self.is_first:
            self.is_first = False
            return self.first()
        return np.stack([randn_without_seed(self.shape, generator=generator) for generator in self.generators])
