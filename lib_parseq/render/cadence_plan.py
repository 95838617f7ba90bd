"""Planning diffusion cadence: which frames of a render the backend makes.

The cadence comes from the CLI or the script (``settings.cadence``, a whole number) when given; else from
the manifest: its ``cadence`` column where the frames have one (a keyframed cadence; a frame without the key
takes ``options.cadence``, a null counts as 1), else ``options.cadence`` (missing, blank or not above 0: 1,
as the compiler reads it). The diffused frames are then exactly the language's ``is_generation`` frames
(``lib_parseq.language.cadence.generation_flags``, the one function both call), plus the range's first frame
when a partial render starts between two. Vid2vid diffuses every frame.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from lib_parseq.language.cadence import CADENCE_FIELD, generation_flags
from lib_parseq.render.inputs import option_number


@dataclass(frozen=True)
class DiffusedFrames:
    """The frames the backend makes in a render of ``start``..``end``−1 (sorted; ``start`` always one)."""

    frames: np.ndarray
    start: int
    end: int

    def __contains__(self, frame: int) -> bool:
        return frame in self._members

    @cached_property
    def _members(self) -> frozenset[int]:
        """The frames as a set: the render asks about every frame, and a set answers without a NumPy call."""
        return frozenset(self.frames.tolist())

    def after(self, frame: int) -> int | None:
        """The first diffused frame after ``frame``, or None when the range has no more."""
        index = int(np.searchsorted(self.frames, frame, side="right"))
        return int(self.frames[index]) if index < len(self.frames) else None

    def at_or_before(self, frame: int) -> int:
        """The latest diffused frame at or before ``frame`` (the range's first frame at the earliest)."""
        index = int(np.searchsorted(self.frames, frame, side="right")) - 1
        return int(self.frames[max(index, 0)])

    @property
    def every_frame(self) -> bool:
        return len(self.frames) == self.end - self.start

    def as_list(self) -> list[int]:
        return self.frames.tolist()

    def digest(self) -> str:
        """A short fingerprint of the frames (a resume must diffuse the same ones)."""
        return hashlib.sha256(self.frames.astype(np.int64).tobytes()).hexdigest()[:16]


def manifest_cadence(frames: Sequence[Mapping[str, Any]], options: Mapping[str, Any],
                     override: int | None = None) -> float | np.ndarray:
    """The cadence a render follows: a number (constant) or one value per manifest frame (keyframed)."""
    if override is not None:
        return float(override)
    constant = option_number(options, "cadence")
    constant = constant if constant is not None and constant > 0 else 1.0
    if not any(CADENCE_FIELD in frame for frame in frames):
        return constant
    return np.array([_cadence_value(frame, constant) for frame in frames], dtype=np.float64)


def _cadence_value(frame: Mapping[str, Any], constant: float) -> float:
    if CADENCE_FIELD not in frame:
        return constant
    value = option_number(frame, CADENCE_FIELD)
    return np.nan if value is None else value


def plan_diffused(cadence: float | np.ndarray, start: int, end: int, *, every_frame: bool = False) -> DiffusedFrames:
    """The frames the backend makes in ``start``..``end``−1 under ``cadence`` (all of them if ``every_frame``)."""
    if every_frame:
        return DiffusedFrames(np.arange(start, end, dtype=np.int64), start, end)
    flags = generation_flags(np.arange(end, dtype=np.float64), cadence)[start:] == 1.0
    flags[0] = True
    return DiffusedFrames(np.flatnonzero(flags).astype(np.int64) + start, start, end)


def describe_cadence(cadence: float | np.ndarray) -> str:
    """``cadence 3``, or ``a keyframed cadence`` (for messages)."""
    return f"cadence {cadence:g}" if np.ndim(cadence) == 0 else "a keyframed cadence"
