"""Per-frame initial noise from a seed and a fractional-seed subseed, as A1111 makes it.

Each frame's noise is drawn on the CPU from its own seed (so a frame's image does not depend on the device,
the batch it is in, or the frames around it). A frame with ``subseed_strength`` s > 0 takes the spherical
interpolation (slerp) from its seed's noise towards its subseed's noise by s: Parseq's fractional seed 12.25
is seed 12, subseed 13, strength 0.25, so a fractional seed schedule morphs smoothly between two seeds.
"""

from __future__ import annotations

import random

import torch

SEED_MODULUS = 2**32
PARALLEL_DOT = 0.9995


def resolve_seed(seed: int) -> int:
    """The seed to use: −1 draws a random one (A1111's meaning); others are taken modulo 2³²."""
    return random.randrange(SEED_MODULUS) if seed == -1 else seed % SEED_MODULUS


def seeded_noise(seed: int, shape: tuple[int, ...]) -> torch.Tensor:
    """Standard normal noise of ``shape`` (float32, CPU) drawn from ``seed`` alone."""
    generator = torch.Generator(device="cpu").manual_seed(int(seed))
    return torch.randn(shape, generator=generator, dtype=torch.float32)


def slerp(amount: float, start: torch.Tensor, end: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation from ``start`` (amount 0) to ``end`` (amount 1), over the whole tensor.

    Nearly parallel inputs fall back to linear interpolation (the spherical formula divides by sin(angle)).
    """
    a, b = start.flatten().double(), end.flatten().double()
    cos_angle = torch.dot(a / a.norm(), b / b.norm()).clamp(-1.0, 1.0)
    if cos_angle > PARALLEL_DOT:
        mixed = (1.0 - amount) * a + amount * b
    else:
        angle = torch.arccos(cos_angle)
        mixed = (torch.sin((1.0 - amount) * angle) * a + torch.sin(amount * angle) * b) / torch.sin(angle)
    return mixed.to(start.dtype).reshape(start.shape)


def frame_noise(seed: int, subseed: int, subseed_strength: float, shape: tuple[int, ...]) -> torch.Tensor:
    """One frame's initial noise: its seed's, slerped towards its subseed's by ``subseed_strength``."""
    noise = seeded_noise(seed, shape)
    if subseed_strength <= 0:
        return noise
    return slerp(float(subseed_strength), noise, seeded_noise(subseed, shape))
