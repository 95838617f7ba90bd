"""The keyframe info functions (spec §5): ``info_match*``, keyframes whose info text matches a regex."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lib_parseq.language.functions_binding import STRING, Function, Param, Site
from lib_parseq.language.keyframe_info import PatternError


def _info_matcher(kind: str) -> Callable:
    def impl(site: Site, args: list[np.ndarray]) -> np.ndarray:
        default = args[1] if len(args) > 1 else None
        fr = site.fr
        t = fr.f
        matcher = fr.ctx.info_matcher()
        kf_frames = np.array([kf.frame for kf in fr.ctx.keyframes], dtype=np.float64)
        codes, patterns, first_use = _pattern_codes(args[0])
        hits = []
        for code, pattern in enumerate(patterns):
            try:
                hits.append(np.flatnonzero(matcher.matches(pattern)))
            except PatternError as exc:
                raise site.error(str(exc), first_use[code]) from None
        # Every matching keyframe index of every pattern on one sorted axis: code * stride + keyframe index.
        stride = len(kf_frames) + 1
        offsets = np.concatenate([[0], np.cumsum([len(h) for h in hits])]).astype(np.int64)
        hit_index = np.concatenate(hits).astype(np.int64) if hits else np.zeros(0, dtype=np.int64)
        hit_keys = np.repeat(np.arange(len(hits), dtype=np.int64) * stride, np.diff(offsets)) + hit_index
        active = np.searchsorted(kf_frames, t, side="right")  # keyframes at or before each frame
        pos = np.searchsorted(hit_keys, codes * stride + active, side="left")
        n_le = pos - offsets[codes]
        has_prev, has_next = n_le > 0, pos < offsets[codes + 1]
        last = len(hit_index) - 1
        prev_index = hit_index[np.clip(pos - 1, 0, last)] if len(hit_index) else np.zeros(len(t), dtype=np.int64)
        next_index = hit_index[np.clip(pos, 0, last)] if len(hit_index) else np.zeros(len(t), dtype=np.int64)
        prev = np.where(has_prev, kf_frames[prev_index] if len(kf_frames) else np.nan, np.nan)
        nxt = np.where(has_next, kf_frames[next_index] if len(kf_frames) else np.nan, np.nan)
        active_matches = has_prev & (prev_index == active - 1)
        return _info_result(kind, t, n_le, prev, nxt, active_matches, default)

    return impl


def _pattern_codes(patterns: np.ndarray) -> tuple[np.ndarray, list[str], list[int]]:
    """Each frame's pattern as a number, the distinct patterns in order of first use, and that first index."""
    numbers: dict[str, int] = {}
    first_use: list[int] = []
    codes = np.empty(len(patterns), dtype=np.int64)
    for index, pattern in enumerate(patterns.tolist()):
        code = numbers.get(pattern)
        if code is None:
            code = numbers[pattern] = len(numbers)
            first_use.append(index)
        codes[index] = code
    return codes, list(numbers), first_use


def _info_result(kind, t, n_le, prev, nxt, active_matches, d) -> np.ndarray:
    """One info_match* result for frames ``t``, given the previous/next matching keyframe frames (NaN: none)."""
    if kind == "info_match":
        return active_matches.astype(np.float64)
    if kind == "info_match_count":
        return n_le.astype(np.float64)
    has_prev, has_next = ~np.isnan(prev), ~np.isnan(nxt)
    with np.errstate(all="ignore"):
        if kind == "info_match_prev":
            return np.where(has_prev, prev, d)
        if kind == "info_match_next":
            return np.where(has_next, nxt, d)
        if kind == "info_match_gap":
            return np.where(has_prev & has_next, nxt - prev, d)
        if kind == "info_match_progress":
            return np.where(has_prev & has_next, (t - prev) / (nxt - prev), d)
        if kind == "info_match_since":
            return np.where(has_prev, t - prev, d)
        return np.where(has_next, nxt - t, d)


_REGEX = Param(("regex", "r"), STRING)
_MATCH_DEFAULT = Param(("default", "d"), default=-1.0)


def _definitions() -> list[Function]:
    fns: list[Function] = []
    fns.append(Function("info_match", "1 if the active keyframe's info matches the regex",
                        (_REGEX,), _info_matcher("info_match")))
    fns.append(Function("info_match_count", "number of keyframes so far whose info matches",
                        (_REGEX,), _info_matcher("info_match_count")))
    for name, kind, text in (
        ("info_match_prev", "info_match_prev", "frame of the last matching keyframe"),
        ("info_match_last", "info_match_prev", "frame of the last matching keyframe"),
        ("info_match_next", "info_match_next", "frame of the next matching keyframe"),
        ("info_match_gap", "info_match_gap", "frames between the last and next matching keyframes"),
        ("info_match_progress", "info_match_progress", "progress from the last to the next matching keyframe"),
        ("info_match_since", "info_match_since", "frames since the last matching keyframe"),
        ("info_match_until", "info_match_until", "frames until the next matching keyframe"),
    ):
        fns.append(Function(name, text, (_REGEX, _MATCH_DEFAULT), _info_matcher(kind)))
    return fns


DEFINITIONS: tuple[Function, ...] = tuple(_definitions())
