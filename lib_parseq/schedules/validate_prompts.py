"""Checks of the prompts: a list of prompts, the 2022 {positive, negative} shape, or the v2 prompt settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lib_parseq.schedules.validate_problems import Collector, as_number, describe, is_whole, json_path

_KNOWN_PROMPT_KEYS = {"name", "positive", "negative", "allFrames", "from", "to", "enabled", "overlap"}
_KNOWN_PROMPTS_V2_KEYS = {"format", "enabled", "promptList", "commonPrompt", "commonPromptPos"}


def _check_prompt(prompt: Any, parts: tuple, out: Collector) -> None:
    if not isinstance(prompt, Mapping):
        out.error(json_path(parts), f"must be a prompt object with positive and negative texts, not {describe(prompt)}")
        return
    path = json_path(parts)
    for key in prompt:
        if key not in _KNOWN_PROMPT_KEYS:
            out.warning(json_path(parts + (key,)), "unknown prompt setting; kept as is but not used")
    if "positive" not in prompt:
        out.error(json_path(parts + ("positive",)), "is missing")
    for key in ("name", "positive", "negative"):
        if key in prompt and prompt[key] is not None and not isinstance(prompt[key], str):
            if key == "name" and isinstance(prompt[key], int | float) and not isinstance(prompt[key], bool):
                continue
            out.error(json_path(parts + (key,)), f"must be text, not {describe(prompt[key])}")
    for key in ("allFrames", "enabled"):
        if key in prompt and not isinstance(prompt[key], bool):
            out.error(json_path(parts + (key,)), f"must be true or false, not {describe(prompt[key])}")
    if prompt.get("allFrames") is not True:
        bounds = {}
        for key in ("from", "to"):
            value = prompt.get(key)
            if key not in prompt:
                out.error(json_path(parts + (key,)), "is missing (needed unless allFrames is true)")
            elif not is_whole(value):
                out.error(json_path(parts + (key,)), f"must be a whole frame number, not {describe(value)}")
            elif value < 0:
                out.error(json_path(parts + (key,)), f"must not be negative, not {describe(value)}")
            else:
                bounds[key] = value
        if len(bounds) == 2 and bounds["from"] > bounds["to"]:
            out.warning(path, f"from ({bounds['from']}) is after to ({bounds['to']}), so this prompt is never active")
    overlap = prompt.get("overlap")
    if "overlap" in prompt and overlap is not None:
        if not isinstance(overlap, Mapping):
            out.error(json_path(parts + ("overlap",)), f"must be an object {{type, inFrames, outFrames, custom}}, "
                                                      f"not {describe(overlap)}")
            return
        kind = overlap.get("type", "none")
        if kind not in ("none", "linear", "custom"):
            out.error(json_path(parts + ("overlap", "type")),
                      f'must be one of "none", "linear", "custom", not {describe(kind)}')
        for key in ("inFrames", "outFrames"):
            if key in overlap:
                number = as_number(overlap[key])
                if number is None or isinstance(overlap[key], str):
                    out.error(json_path(parts + ("overlap", key)),
                              f"must be a number of frames, not {describe(overlap[key])}")
                elif number < 0:
                    out.error(json_path(parts + ("overlap", key)), f"must not be negative, not {describe(overlap[key])}")
        if kind == "custom" and not isinstance(overlap.get("custom"), str):
            out.error(json_path(parts + ("overlap", "custom")),
                      f"must be an expression (text) when the overlap type is custom, not {describe(overlap.get('custom'))}")


def check_prompts(obj: Mapping, out: Collector) -> None:
    if "prompts" not in obj:
        return
    prompts = obj["prompts"]
    if isinstance(prompts, list):
        if not prompts:
            out.warning("$.prompts", "is an empty list, so every frame has an empty prompt")
        for index, prompt in enumerate(prompts):
            _check_prompt(prompt, ("prompts", index), out)
        return
    if not isinstance(prompts, Mapping):
        return
    if "promptList" not in prompts and ("positive" in prompts or "negative" in prompts):
        # Legacy (2022) shape: {positive, negative}, one prompt for every frame.
        for key in ("positive", "negative"):
            if key in prompts and not isinstance(prompts[key], str):
                out.error(json_path(("prompts", key)), f"must be text, not {describe(prompts[key])}")
        return
    for key in prompts:
        if key not in _KNOWN_PROMPTS_V2_KEYS:
            out.warning(json_path(("prompts", key)), "unknown prompts setting; kept as is but not used")
    if "format" in prompts and prompts["format"] != "v2":
        out.warning("$.prompts.format", f'is {describe(prompts["format"])}; only "v2" is known, read as v2')
    if "enabled" in prompts and not isinstance(prompts["enabled"], bool):
        out.error("$.prompts.enabled", f"must be true or false, not {describe(prompts['enabled'])}")
    pos = prompts.get("commonPromptPos", "append")
    if pos not in ("append", "prepend", "template"):
        out.error("$.prompts.commonPromptPos", f'must be one of "append", "prepend", "template", not {describe(pos)}')
    if "promptList" not in prompts:
        out.error("$.prompts.promptList", "is missing")
    elif not isinstance(prompts["promptList"], list):
        out.error("$.prompts.promptList", f"must be a list of prompts, not {describe(prompts['promptList'])}")
    else:
        for index, prompt in enumerate(prompts["promptList"]):
            _check_prompt(prompt, ("prompts", "promptList", index), out)
    if "commonPrompt" in prompts and prompts["commonPrompt"] is not None:
        _check_prompt(prompts["commonPrompt"], ("prompts", "commonPrompt"), out)
