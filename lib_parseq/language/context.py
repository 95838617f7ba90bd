"""What an expression is evaluated against: timing, keyframes, time series, and the per-field frame arrays.

``FieldContext`` builds every per-frame array of a field (f, k, active keyframe, L, C, P, S, beats...) once,
lazily, for all of the field's frames; ``Frames`` is the subset of frames one evaluation covers (an index
into those arrays), so ``if`` branches and error-bisection just take sub-sets.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lib_parseq.errors import EvalError
from lib_parseq.language import curves
from lib_parseq.language.keyframe_info import InfoMatcher


@dataclass(frozen=True)
class Timing:
    """Document options the language reads: frames per second, beats per minute, cadence, and whether
    positional oscillator arguments follow the 2022 app's order (``legacy_positional``, spec §5.2).
    ``cadence_schedule``: the ``cadence`` field's values per frame where the document keyframes it
    (``is_generation`` then follows it; ``lib_parseq.language.cadence``)."""

    fps: float
    bpm: float
    cadence: float = 1
    legacy_positional: bool = False
    cadence_schedule: tuple[float, ...] | None = None

    @property
    def frames_per_beat(self) -> float:
        return (self.fps * 60) / self.bpm


@dataclass(frozen=True)
class KeyframeInfo:
    """One document keyframe's frame and its ``info`` label (None when it has none)."""

    frame: int
    info: str | None = None


@dataclass(frozen=True)
class TimeSeries:
    """A named series of samples (xs sorted); ``in_milliseconds``: xs are ms, else frames."""

    alias: str
    xs: Sequence[float]
    ys: Sequence[float]
    in_milliseconds: bool = False

    def at(self, t: np.ndarray, linear: np.ndarray | None = None) -> np.ndarray:
        """The series at times ``t``: step (last sample with x <= t) or, where ``linear``, interpolated."""
        xs = np.asarray(self.xs, dtype=np.float64)
        ys = np.asarray(self.ys, dtype=np.float64)
        if len(xs) == 0:
            return np.zeros(len(t))
        idx = np.clip(np.searchsorted(xs, t, side="right") - 1, 0, len(xs) - 1)
        out = ys[idx]
        out = np.where(t < xs[0], ys[0], out)
        if linear is not None and linear.any():
            with np.errstate(all="ignore"):
                lerp = np.interp(t, xs, ys)
            out = np.where(linear, lerp, out)
        return out


@dataclass(frozen=True)
class FieldProgram:
    """One field to evaluate: its defined keyframes (incl. bookends), its ``_i`` declarations and its default."""

    name: str
    frame_count: int
    defined: Sequence[tuple[int, float]]
    interpolations: Sequence[tuple[int, str]] = ()
    default: float = 0.0


@dataclass(frozen=True)
class FieldValues:
    """A field's results: ``raw`` (object array when strings occur) and ``values`` (stored float64)."""

    raw: np.ndarray
    values: np.ndarray


@dataclass
class EvalState:
    """Per-declaration state: random/noise/vibe/recompute_if memory per call site, reset at each ``_i``."""

    field: str
    declared_at: int | None
    random_seed: Any = None
    sites: dict = field(default_factory=dict)

    def site(self, node) -> dict:
        found = self.sites.get(node)
        if found is None:
            found = self.sites[node] = {}
        return found


class NotInPrompt(EvalError):
    """A keyframe-value variable or function used where no keyframe values exist (in a prompt)."""


BUILTIN_CONSTANTS = {
    "PI": math.pi, "E": math.e, "SQRT2": math.sqrt(2), "SQRT1_2": math.sqrt(0.5),
    "LN2": math.log(2), "LN10": math.log(10), "LOG2E": 1 / math.log(2), "LOG10E": 1 / math.log(10),
}
_ALIASES = {
    "prev_keyframe": "active_keyframe",
    "prev_keyframe_value": "active_keyframe_value",
    "S": "active_keyframe_value",
    "final_frame": "last_frame",
}
BUILTIN_VARIABLES = frozenset({
    "f", "k", "active_keyframe", "next_keyframe", "active_keyframe_value", "next_keyframe_value",
    "L", "C", "P", "b", "wb", "s", "fps", "bpm", "cadence", "last_frame", *BUILTIN_CONSTANTS, *_ALIASES,
})
_KEYFRAME_VALUE_VARIABLES = frozenset({"active_keyframe_value", "next_keyframe_value", "L", "C", "P"})
CONTEXT_VARIABLES = frozenset({"prev_computed_value"})


class FieldContext:
    """The per-frame arrays of one field over frames ``start .. start+count-1``, each computed once on demand."""

    def __init__(
        self,
        *,
        name: str,
        start: int,
        count: int,
        defined: Sequence[tuple[int, float]],
        timing: Timing,
        keyframes: Sequence[KeyframeInfo],
        other_fields: Mapping[str, np.ndarray],
        time_series: Mapping[str, TimeSeries],
        default: float = 0.0,
        random_seed: Any = None,
        prompt_type: str | None = None,
        in_prompt: bool = False,
    ) -> None:
        self.name = name
        self.start = start
        self.count = count
        self.timing = timing
        self.keyframes = sorted(keyframes, key=lambda kf: kf.frame)
        self.other_fields = other_fields
        self.time_series = time_series
        self.default = default
        self.random_seed = random_seed
        self.prompt_type = prompt_type
        self.in_prompt = in_prompt
        self.frames = np.arange(start, start + count, dtype=np.float64)
        pairs = sorted((int(fr), float(v)) for fr, v in defined)
        if in_prompt:
            pairs = [(kf.frame, math.nan) for kf in self.keyframes]
        if not pairs:
            pairs = [(0, 0.0)]
        self.dk_frames = np.array([p[0] for p in pairs], dtype=np.float64)
        self.dk_values = np.array([p[1] for p in pairs], dtype=np.float64)
        self.raw: np.ndarray | None = None  # this field's raw results so far (sequential evaluation)
        self._arrays: dict[str, np.ndarray] = {}
        self.bindings: dict = {}  # (call node, function name) -> argument binding
        self._info_matcher: InfoMatcher | None = None

    def info_matcher(self) -> InfoMatcher:
        """The keyframe-label matcher of ``info_match*`` (its patterns and time budget are shared by the field)."""
        if self._info_matcher is None:
            self._info_matcher = InfoMatcher([kf.info for kf in self.keyframes])
        return self._info_matcher

    def array(self, name: str) -> np.ndarray:
        """The whole-field array of a built-in variable (``name`` must be in BUILTIN_VARIABLES)."""
        name = _ALIASES.get(name, name)
        found = self._arrays.get(name)
        if found is None:
            if self.in_prompt and name in _KEYFRAME_VALUE_VARIABLES:
                raise NotInPrompt(f"'{name}' is not available in prompts (prompts have no keyframe values)")
            found = self._arrays[name] = self._compute(name)
        return found

    def polynomial_at(self, pos: np.ndarray) -> np.ndarray:
        """``P`` at the given positions only (it costs O(knots²) per frame), remembering what was computed."""
        if self.in_prompt:
            self.array("P")
        if "P" not in self._arrays:
            self._arrays["P"] = np.full(self.count, np.nan)
            self._polynomial_done = np.zeros(self.count, dtype=bool)
        missing = pos[~self._polynomial_done[pos]]
        if len(missing):
            self._arrays["P"][missing] = curves.polynomial(self.dk_frames, self.dk_values, self.frames[missing])
            self._polynomial_done[missing] = True
        return self._arrays["P"][pos]

    def _compute(self, name: str) -> np.ndarray:
        f = self.frames
        t = self.timing
        xs, ys = self.dk_frames, self.dk_values
        if name == "f":
            return f
        if name in BUILTIN_CONSTANTS:
            return np.full(self.count, BUILTIN_CONSTANTS[name])
        if name == "active_keyframe":
            if self.in_prompt:
                return f
            idx = curves.step_index(xs, f)
            return np.where(idx >= 0, xs[np.maximum(idx, 0)], 0.0)
        if name == "k":
            return f - self.array("active_keyframe")
        if name == "next_keyframe":
            return xs[np.minimum(np.searchsorted(xs, f, side="right"), len(xs) - 1)]
        if name == "active_keyframe_value":
            return ys[np.maximum(curves.step_index(xs, f), 0)]
        if name == "next_keyframe_value":
            return ys[np.minimum(np.searchsorted(xs, f, side="right"), len(xs) - 1)]
        if name == "L":
            return curves.linear(xs, ys, f)
        if name == "C":
            return curves.cubic(xs, ys, f)
        if name == "P":
            return curves.polynomial(xs, ys, f)
        if name == "b":
            return f / t.frames_per_beat
        if name == "wb":
            return np.floor(self.array("b"))
        if name == "s":
            return f / t.fps
        if name in ("fps", "bpm", "cadence"):
            return np.full(self.count, float(getattr(t, name)))
        if name == "last_frame":
            last = max((kf.frame for kf in self.keyframes), default=0)
            return np.full(self.count, float(last))
        raise KeyError(name)


class Frames:
    """The frames one evaluation covers: positions into a FieldContext's arrays, plus the declaration's state."""

    __slots__ = ("ctx", "pos", "state", "n")

    def __init__(self, ctx: FieldContext, pos: np.ndarray, state: EvalState) -> None:
        self.ctx = ctx
        self.pos = pos
        self.state = state
        self.n = len(pos)

    def var(self, name: str) -> np.ndarray:
        if name == "P":
            return self.ctx.polynomial_at(self.pos)
        return self.ctx.array(name)[self.pos]

    @property
    def f(self) -> np.ndarray:
        return self.ctx.frames[self.pos]

    def field_at_frames(self, source: Any) -> np.ndarray:
        """Another field's stored values at these frames: an array is indexed by frame (NaN past its end);
        a scalar (a prompt evaluated at one frame) is the value at every frame."""
        values = np.asarray(source, dtype=np.float64)
        if values.ndim == 0:
            return np.full(self.n, float(values))
        idx = self.f.astype(np.int64)
        inside = idx < len(values)
        if not inside.any():
            return np.full(self.n, np.nan)
        return np.where(inside, values[np.where(inside, idx, 0)], np.nan)

    def frame_at(self, i: int) -> int:
        return int(self.ctx.frames[self.pos[i]])

    def sub(self, mask: np.ndarray) -> Frames:
        return Frames(self.ctx, self.pos[mask], self.state)
