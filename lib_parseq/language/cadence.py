"""Which frames diffusion cadence generates: one rule for the language's ``is_generation`` and the renderer.

A constant cadence c (the document's ``options.cadence``) generates the frames where ``f rem c`` is ±0
(Parseq's rule). A keyframed cadence (a field named ``cadence``, one value per frame) is walked from frame 0:
after a generated frame f the next one is ``f + round(cadence(f))`` (half up; NaN or below 1 counts as 1);
past the last frame the last value holds. For a constant whole cadence both rules give the same frames.
"""

from __future__ import annotations

import numpy as np

from lib_parseq.language.values import js_remainder_array

CADENCE_FIELD = "cadence"
"""The field that keyframes the cadence (it overrides ``options.cadence`` where a document has it)."""


def cadence_steps(cadence: np.ndarray | float) -> np.ndarray:
    """Whole steps from cadence values: rounded half up, at least 1 (NaN counts as 1, infinity stays)."""
    with np.errstate(invalid="ignore"):
        steps = np.floor(np.asarray(cadence, dtype=np.float64) + 0.5)
    return np.where(np.isnan(steps) | (steps < 1), 1.0, steps)


def generated_frames(cadence: np.ndarray) -> np.ndarray:
    """The frames 0..n−1 a keyframed cadence (n values) generates, in order.

    Vectorised by pointer doubling: ``jump`` maps each frame to its 2ᵏ-th successor, so the walk's frames
    double in number at each of the log₂ n rounds (frame n stands for "past the end").
    """
    count = len(cadence)
    if count == 0:
        return np.empty(0, dtype=np.int64)
    steps = np.minimum(cadence_steps(cadence), count).astype(np.int64)
    jump = np.append(np.minimum(np.arange(count) + steps, count), count)
    reached = np.zeros(1, dtype=np.int64)
    while reached[-1] < count:
        reached = np.concatenate([reached, jump[reached]])
        jump = jump[jump]
    return reached[reached < count]


def generation_flags(frames: np.ndarray, cadence: float | np.ndarray) -> np.ndarray:
    """1.0 at each of ``frames`` that the cadence generates, else 0.0.

    ``cadence`` is the constant cadence (a number) or the keyframed one (one value per frame from 0).
    Frames that are negative or not whole are generated only under a constant cadence, as Parseq's rule has it.
    """
    frames = np.asarray(frames, dtype=np.float64)
    if np.ndim(cadence) == 0:
        with np.errstate(all="ignore"):
            return (js_remainder_array(frames, np.full(frames.shape, float(cadence))) == 0).astype(np.float64)
    schedule = np.asarray(cadence, dtype=np.float64)
    count = len(schedule)
    generated = generated_frames(schedule)
    flags = np.zeros(frames.shape, dtype=bool)
    if count == 0:
        return flags.astype(np.float64)
    whole = np.isfinite(frames) & (frames >= 0) & (frames == np.floor(frames))
    inside = whole & (frames < count)
    mask = np.zeros(count, dtype=bool)
    mask[generated] = True
    flags[inside] = mask[frames[inside].astype(np.int64)]
    beyond = whole & (frames >= count)
    if beyond.any():
        first_beyond = generated[-1] + cadence_steps(schedule[generated[-1]])
        step = cadence_steps(schedule[-1])
        later = frames[beyond]
        with np.errstate(all="ignore"):
            flags[beyond] = (later >= first_beyond) & (np.fmod(later - first_beyond, step) == 0)
    return flags.astype(np.float64)
