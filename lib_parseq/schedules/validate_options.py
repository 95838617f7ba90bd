"""Checks of the document's settings: known top-level keys and the ``options`` (frame rates, bpm, cadence,
prompt blending)."""

from __future__ import annotations

import math
from collections.abc import Mapping

from lib_parseq.schedules.validate_fields import is_legacy
from lib_parseq.schedules.validate_problems import Collector, as_number, describe, json_path

# Frame rates a render accepts (output and input video): past these ffmpeg fails late or runs out of memory.
MIN_FPS, MAX_FPS = 0.1, 1000.0

_KNOWN_TOP_LEVEL = {
    "meta", "options", "managedFields", "displayedFields", "keyframes", "prompts", "timeSeries",
    "keyframeLock", "reverseRender", "rendered_frames", "rendered_frames_meta",
    # Parseq app UI state that sometimes ends up in exports; harmless.
    "graphData", "sparklineData",
}
_KNOWN_OPTIONS = {"output_fps", "bpm", "cadence", "input_fps", "cc_window_width", "cc_window_slide_rate",
                  "cc_use_input", "prompt_blending", "blend_method", "genesis"}
PROMPT_BLENDING_CHOICES = {"prompt_blending": ("composable", "embedding"), "blend_method": ("lerp", "slerp"),
                           "genesis": ("successive", "fixed", "embryo")}
"""Prompt travel options (composable prompts or blended encoded prompts; what each frame starts from)."""


def check_top_level_keys(obj: Mapping, out: Collector) -> None:
    for key in obj:
        if key not in _KNOWN_TOP_LEVEL:
            out.warning(json_path((key,)), "unknown field; kept as is but not used")


def check_options(obj: Mapping, out: Collector, skip: set[str]) -> None:
    options = obj.get("options")
    if "options" not in obj:
        out.warning("$.options", "missing; Parseq's defaults are used (output_fps 20, bpm 140)")
        return
    if not isinstance(options, Mapping):
        return
    for key in options:
        if key not in _KNOWN_OPTIONS:
            out.warning(json_path(("options", key)), "unknown option; kept as is but not used")
    for key, label, default in (("output_fps", "No output_fps found", 20), ("bpm", "No bpm found", 140)):
        path = json_path(("options", key))
        if path in skip or out.has_error_at(path):
            continue
        if key not in options:
            out.warning(path, f"missing; the default {default} is used")
            continue
        value = options[key]
        if key == "output_fps" and value in ("", None) and is_legacy(obj):
            continue  # the 2022 app fell back to input_fps, then 20
        number = as_number(value)
        if number is None or not number > 0 or not math.isfinite(number):
            out.error(path, f"{label}: it must be a number above 0, not {describe(value)}")
        elif key == "output_fps" and not MIN_FPS <= number <= MAX_FPS:
            out.error(path, fps_range_message(number))
        elif number > 1000:
            out.warning(path, f"{describe(value)} is unusually large")
    _check_numeric_option(options, "cadence", out, skip, minimum=1, whole=True)
    _check_numeric_option(options, "input_fps", out, skip, minimum=0, allow_blank=True)
    input_fps = as_number(options.get("input_fps"))
    if input_fps and input_fps > 0 and not MIN_FPS <= input_fps <= MAX_FPS:
        out.error(json_path(("options", "input_fps")), fps_range_message(input_fps))
    _check_numeric_option(options, "cc_window_width", out, skip, minimum=-1, whole=True)
    _check_numeric_option(options, "cc_window_slide_rate", out, skip, minimum=0)
    for key, choices in PROMPT_BLENDING_CHOICES.items():
        if key in options and options[key] not in choices:
            out.error(json_path(("options", key)), f"must be one of {', '.join(choices)}, not {describe(options[key])}")


def fps_range_message(fps: float) -> str:
    """The one message for a frame rate outside what a render accepts."""
    return f"{fps:g} fps is outside the usable range {MIN_FPS:g} to {MAX_FPS:g} fps"


def _check_numeric_option(options: Mapping, key: str, out: Collector, skip: set[str], *, minimum: float,
                          whole: bool = False, allow_blank: bool = False) -> None:
    path = json_path(("options", key))
    if key not in options or path in skip or out.has_error_at(path):
        return
    value = options[key]
    if allow_blank and (value == "" or value is None):
        return
    number = as_number(value)
    if number is None:
        out.error(path, f"must be a number, not {describe(value)}")
    elif number < minimum:
        out.error(path, f"must be at least {minimum:g}, not {describe(value)}")
    elif whole and not float(number).is_integer():
        out.error(path, f"must be a whole number, not {describe(value)}")
