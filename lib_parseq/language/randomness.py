"""Deterministic random streams (spec §8.4): a PCG64 generator keyed by the text of a seed.

The same seed text gives the same stream on every run, process and platform. Unseeded calls use a key
derived from the render's ``random_seed`` and the call site, or fresh OS entropy when there is none.
"""

from __future__ import annotations

import hashlib

import numpy as np


def generator_for(key: str) -> np.random.Generator:
    """A PCG64 generator whose state depends only on ``key``."""
    digest = hashlib.sha256(("parseq:" + key).encode("utf-8")).digest()
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int.from_bytes(digest, "little"))))


def unseeded_key(random_seed: int | str | None, field: str, declared_at: int | None, line: int, column: int) -> str | None:
    """The key for a call without ``seed``: derived from the render seed and the call site, None when unseeded."""
    if random_seed is None:
        return None
    return f"render:{random_seed}|field:{field}|keyframe:{declared_at}|at:{line}:{column}"


def fresh_generator(key: str | None) -> np.random.Generator:
    """``generator_for(key)``, or a non-deterministic generator when ``key`` is None."""
    return generator_for(key) if key is not None else np.random.default_rng()
