"""Checks of the frames: a document's keyframes (distinct, from 0, under the cap) and their cells, and a
manifest's rendered frames (contiguous from 0, numbers only)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from lib_parseq.schedules.validate_fields import TEXT_KEYS_IN_FRAMES
from lib_parseq.schedules.validate_problems import (
    Collector,
    describe,
    is_whole,
    json_path,
    numeric_text_value,
)


def check_keyframes(obj: Mapping, out: Collector, skip: set[str], max_frames: int) -> None:
    if "keyframes" not in obj:
        out.error("$.keyframes", "No keyframes found.")
        return
    keyframes = obj["keyframes"]
    if not isinstance(keyframes, list):
        return
    if not keyframes:
        out.error("$.keyframes", "No keyframes found.")
        return
    if len(keyframes) < 2:
        out.error("$.keyframes", f"There must be at least 2 keyframes to render (found {len(keyframes)}).")

    frames: dict[int, int] = {}
    lowest: tuple[int, int] | None = None
    highest: tuple[int, int] | None = None
    for index, keyframe in enumerate(keyframes):
        if not isinstance(keyframe, Mapping):
            continue
        frame_path = json_path(("keyframes", index, "frame"))
        frame = keyframe.get("frame")
        if frame_path not in skip and not out.has_error_at(frame_path) and is_whole(frame):
            frame = int(frame)
            if frame < 0:
                out.error(frame_path, f"must not be negative, not {frame}")
            elif frame in frames:
                out.error(frame_path, f"frame {frame} is used by more than one keyframe "
                                      f"(also $.keyframes[{frames[frame]}])")
            else:
                frames[frame] = index
                if lowest is None or frame < lowest[0]:
                    lowest = (frame, index)
                if highest is None or frame > highest[0]:
                    highest = (frame, index)
        _check_cells(keyframe, index, out, skip)
    if lowest is not None and lowest[0] != 0 and not any(
        is_whole(k.get("frame")) and k.get("frame") < 0 for k in keyframes if isinstance(k, Mapping)
    ):
        out.error(json_path(("keyframes", lowest[1], "frame")),
                  f"the first keyframe must be at frame 0, but the earliest is at frame {lowest[0]}")
    if highest is not None and highest[0] + 1 > max_frames:
        out.error(json_path(("keyframes", highest[1], "frame")),
                  f"the last keyframe (frame {describe(highest[0])}) is past the limit: "
                  f"a render may have at most {max_frames:,} frames")


def _check_cells(keyframe: Mapping, index: int, out: Collector, skip: set[str]) -> None:
    for key, value in keyframe.items():
        if key in ("frame", "info"):
            continue
        path = json_path(("keyframes", index, key))
        if path in skip or out.has_error_at(path):
            continue
        if key.endswith("_i"):
            if isinstance(value, str) and len(value) > 100_000:
                out.error(path, f"the expression is {len(value):,} characters long; the limit here is 100,000")
            elif isinstance(value, bool | int | float):
                meaning = "no interpolation" if not value else f'the expression "{describe(value)}"'
                out.warning(path, f"{describe(value)} is not an expression (text); read as Parseq does: {meaning}")
            continue
        if not isinstance(key, str) or not key:
            out.warning(path, "a field with an empty name is ignored")
            continue
        if isinstance(value, bool):
            out.warning(path, f"{describe(value)} is not a number, so this keyframe has no {key} value "
                              f"(Parseq read it as {int(value)})")
        elif isinstance(value, str) and re.fullmatch(r"\s*[+-]?Infinity\s*", value):
            out.error(path, f"{describe(value)} is not a finite number")
        elif isinstance(value, str) and value != "" and numeric_text_value(value) is None:
            out.warning(path, f"{describe(value)} is not a number, so this keyframe has no {key} value "
                              f"(an expression belongs in {key}_i)")
        elif isinstance(value, str) and value != "":
            number = numeric_text_value(value)
            if number is not None and not math.isfinite(number):
                out.error(path, f"{describe(value)} is too large")


def check_rendered_frames(obj: Mapping, out: Collector, skip: set[str], max_frames: int) -> None:
    if "rendered_frames" not in obj:
        hint = " (this looks like a keyframe document: compile it first)" if "keyframes" in obj else ""
        out.error("$.rendered_frames", f"is missing, so this is not a rendered Parseq manifest{hint}")
        return
    frames = obj["rendered_frames"]
    if not isinstance(frames, list):
        return
    if not frames:
        out.error("$.rendered_frames", "is empty: there are no frames to render")
        return
    if len(frames) > max_frames:
        out.error("$.rendered_frames", f"has {len(frames):,} frames, more than the limit of {max_frames:,}")
    seen: dict[int, int] = {}
    expected = 0
    for index, frame_obj in enumerate(frames):
        if not isinstance(frame_obj, Mapping):
            expected += 1
            continue
        path = json_path(("rendered_frames", index, "frame"))
        frame = frame_obj.get("frame")
        if path not in skip and not out.has_error_at(path) and is_whole(frame):
            frame = int(frame)
            if frame in seen:
                out.error(path, f"frame {frame} appears more than once (also $.rendered_frames[{seen[frame]}])")
            elif frame < 0:
                out.error(path, f"must not be negative, not {frame}")
            elif frame != expected:
                if frame > expected:
                    missing = f"frame {expected}" if frame == expected + 1 else f"frames {expected}–{frame - 1}"
                    out.error(path, f"frames must be contiguous from 0, but {missing} "
                                    f"{'is' if frame == expected + 1 else 'are'} missing before frame {frame}")
                else:
                    out.error(path, f"frame {frame} is out of order (expected frame {expected} here)")
            if frame >= 0:
                seen.setdefault(frame, index)
                expected = max(expected, frame) + 1
            continue
        expected += 1
    for index, frame_obj in enumerate(frames):
        if not isinstance(frame_obj, Mapping):
            continue
        for key, value in frame_obj.items():
            if key == "frame" or key in TEXT_KEYS_IN_FRAMES:
                continue
            path = json_path(("rendered_frames", index, key))
            if path in skip or out.has_error_at(path):
                continue
            if isinstance(value, str):
                out.error(path, f"must be a number, not {describe(value)}")
            elif value is None:
                out.warning(path, "is null (NaN in Parseq): no usable value on this frame")
