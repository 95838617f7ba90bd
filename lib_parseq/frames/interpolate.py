"""Weighted blends of same-shaped arrays (encoded prompts, noise): linear, and spherical per vector.

``lerp_blend`` is the weighted mean. ``slerp_blend`` treats the last axis as vectors (one per token of an
encoded prompt): directions travel along the great circle, lengths are interpolated linearly, so a blend
half way between two embeddings keeps their typical norm instead of shrinking towards the origin as a
linear blend of dissimilar vectors does. More than two arrays are folded in one at a time with the running
weight, which for two arrays is exactly the pairwise slerp.

Weights are normalised by their sum; a zero sum (all prompts at weight 0) falls back to equal weights.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

BLEND_METHODS = ("lerp", "slerp")
PARALLEL_DOT = 0.9995  # directions closer than this are lerped (slerp's sin θ → 0)


def normalised_weights(weights: Sequence[float]) -> np.ndarray:
    """The weights divided by their sum (equal weights when the sum is 0 or not finite)."""
    w = np.asarray(weights, dtype=np.float64)
    total = w.sum()
    if not np.isfinite(total) or total == 0:
        return np.full(len(w), 1.0 / len(w))
    return w / total


def lerp_blend(arrays: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    """The weighted mean of same-shaped arrays (float64)."""
    _check(arrays, weights)
    w = normalised_weights(weights)
    out = np.zeros(np.shape(arrays[0]), dtype=np.float64)
    for array, weight in zip(arrays, w, strict=True):
        out += weight * np.asarray(array, dtype=np.float64)
    return out


def slerp(a: np.ndarray, b: np.ndarray, t: float | np.ndarray) -> np.ndarray:
    """Spherical interpolation from ``a`` (t=0) to ``b`` (t=1) of the vectors on the last axis, with the
    vector lengths interpolated linearly. Nearly parallel or zero vectors are interpolated linearly."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    norm_a = np.linalg.norm(a, axis=-1, keepdims=True)
    norm_b = np.linalg.norm(b, axis=-1, keepdims=True)
    degenerate = (norm_a == 0) | (norm_b == 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        unit_a = np.where(degenerate, 0.0, a / np.where(norm_a == 0, 1.0, norm_a))
        unit_b = np.where(degenerate, 0.0, b / np.where(norm_b == 0, 1.0, norm_b))
        dot = np.clip(np.sum(unit_a * unit_b, axis=-1, keepdims=True), -1.0, 1.0)
        theta = np.arccos(dot)
        sin_theta = np.sin(theta)
        linear = degenerate | (dot > PARALLEL_DOT)
        safe_sin = np.where(linear, 1.0, sin_theta)
        direction = (np.sin((1 - t) * theta) * unit_a + np.sin(t * theta) * unit_b) / safe_sin
        length = (1 - t) * norm_a + t * norm_b
        spherical = direction * length
    return np.where(linear, (1 - t) * a + t * b, spherical)


def slerp_blend(arrays: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    """The weighted spherical blend of same-shaped arrays, vectors on the last axis (see the module docstring)."""
    _check(arrays, weights)
    w = normalised_weights(weights)
    out = np.asarray(arrays[0], dtype=np.float64)
    running = w[0]
    for array, weight in zip(arrays[1:], w[1:], strict=True):
        total = running + weight
        t = 0.5 if total == 0 else weight / total
        out = slerp(out, array, t)
        running = total
    return out


def pad_tokens(array: np.ndarray, length: int, filler: np.ndarray) -> np.ndarray:
    """``array`` (..., tokens, dim) lengthened to ``length`` tokens with whole copies of ``filler`` (tokens, dim),
    as A1111 pads a shorter prompt with its empty-prompt chunk; ``length - tokens`` must be a multiple of it."""
    array = np.asarray(array)
    missing = length - array.shape[-2]
    if missing < 0 or missing % filler.shape[-2]:
        raise ValueError(f"cannot pad {array.shape[-2]} tokens to {length} with chunks of {filler.shape[-2]}")
    if missing == 0:
        return array
    chunk = np.broadcast_to(filler, (*array.shape[:-2], *filler.shape[-2:]))
    return np.concatenate([array, *[chunk] * (missing // filler.shape[-2])], axis=-2)


def blend(arrays: Sequence[np.ndarray], weights: Sequence[float], method: str) -> np.ndarray:
    """``lerp_blend`` or ``slerp_blend`` by name."""
    if method == "lerp":
        return lerp_blend(arrays, weights)
    if method == "slerp":
        return slerp_blend(arrays, weights)
    raise ValueError(f"unknown blend method {method!r}; expected one of {', '.join(BLEND_METHODS)}")


def _check(arrays: Sequence[np.ndarray], weights: Sequence[float]) -> None:
    if not arrays or len(arrays) != len(weights):
        raise ValueError(f"need one weight per array, got {len(arrays)} arrays and {len(weights)} weights")
    shape = np.shape(arrays[0])
    if any(np.shape(a) != shape for a in arrays):
        raise ValueError(f"arrays to blend differ in shape: {[np.shape(a) for a in arrays]}")
