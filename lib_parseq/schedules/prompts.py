"""Prompts: the document's prompt settings (all saved formats) and the per-frame ``deforum_prompt`` (spec §6.4).

A frame's prompt is built from the prompts active on it: the common prompt is applied to each, a weight
is chosen from its overlap settings, every ``${…}`` is evaluated, ``posneg`` moves are resolved, and the
results are joined with ``AND`` / ``--neg`` the way Deforum's composable-diffusion parser expects.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lib_parseq.errors import ParseqError
from lib_parseq.language.values import to_fixed, to_precision

PROMPT_FORMAT = "v2"
COMMON_POSITIONS = ("append", "prepend", "template")
TEMPLATE_PLACEHOLDER = "[prompt]"
MOVE_START = "__PARSEQ_MOVE__"
MOVE_END = "__PARSEQ_END_MOVE__"

_EXPANSION = re.compile(r"\$\{(.*?)\}", re.DOTALL)
_MOVE = re.compile(re.escape(MOVE_START) + "(.*?)" + re.escape(MOVE_END), re.DOTALL)
# The characters JavaScript's String.prototype.trim removes.
JS_WHITESPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"

PromptEvaluator = Callable[[str, int, "str | None"], "float | str"]
"""``(expression text, frame, prompt type 'positive'/'negative'/None) -> number or string``."""


def _default_overlap() -> dict[str, Any]:
    return {"inFrames": 0, "outFrames": 0, "type": "none", "custom": "prompt_weight_1"}


def _prompt_json(raw: Mapping[str, Any], index: int, last_frame: int) -> dict[str, Any]:
    """One prompt with every key the app writes, missing ones filled with the app's defaults."""
    overlap = dict(_default_overlap())
    if isinstance(raw.get("overlap"), Mapping):
        overlap.update(raw["overlap"])
    prompt = {
        "name": f"Prompt {index}",
        "positive": "",
        "negative": "",
        "allFrames": False,
        "from": 0,
        "to": last_frame,
    }
    prompt.update({key: value for key, value in raw.items() if key != "overlap"})
    prompt["overlap"] = overlap
    return prompt


def _common_json(raw: Any, last_frame: int) -> dict[str, Any]:
    base = {"name": "Common", "positive": "", "negative": "", "allFrames": True, "from": 0, "to": last_frame}
    if isinstance(raw, Mapping):
        base.update({key: value for key, value in raw.items() if key != "overlap"})
    base["overlap"] = dict(_default_overlap())
    if isinstance(raw, Mapping) and isinstance(raw.get("overlap"), Mapping):
        base["overlap"].update(raw["overlap"])
    return base


def normalise_prompts(raw: Any, last_frame: int) -> dict[str, Any]:
    """Convert any saved prompt format to the v2 object the app writes (Parseq's ``convertPrompts``).

    ``{positive, negative}`` (2022 and early 2023) becomes one prompt over all frames; a bare list of prompts
    becomes ``promptList``; a v2 object gets its missing keys. A document with no prompts at all gets
    prompts disabled, so the manifest has no ``deforum_prompt`` and Deforum keeps its own prompts.
    """
    if raw is None:
        return {
            "format": PROMPT_FORMAT,
            "enabled": False,
            "commonPrompt": _common_json(None, last_frame),
            "commonPromptPos": "append",
            "promptList": [],
        }
    if isinstance(raw, list):
        enabled = raw[0].get("enabled", True) if raw and isinstance(raw[0], Mapping) else True
        items = raw
        common: Any = None
        position = "append"
    elif "promptList" in raw or raw.get("format") == PROMPT_FORMAT:
        enabled = raw.get("enabled", True)
        items = raw.get("promptList") or []
        common = raw.get("commonPrompt")
        position = raw.get("commonPromptPos") or "append"
    else:
        enabled = True
        items = [
            {
                "name": "Prompt 1",
                "positive": raw.get("positive", ""),
                "negative": raw.get("negative", ""),
                "allFrames": True,
                "from": 0,
                "to": last_frame,
            }
        ]
        common = None
        position = "append"
    return {
        "format": PROMPT_FORMAT,
        "enabled": enabled,
        "commonPrompt": _common_json(common, last_frame),
        "commonPromptPos": position,
        "promptList": [_prompt_json(item, i + 1, last_frame) for i, item in enumerate(items)],
    }


@dataclass(frozen=True)
class Prompt:
    """One entry of ``promptList``, with its 1-based position (used in error locations)."""

    number: int
    positive: str
    negative: str
    all_frames: bool
    start: int
    end: int
    overlap_type: str
    in_frames: float
    out_frames: float
    custom: str

    def is_active(self, frame: int) -> bool:
        return self.all_frames or self.start <= frame <= self.end


@dataclass(frozen=True)
class PromptSettings:
    """The prompt section of a document, ready for assembly."""

    enabled: bool
    prompts: tuple[Prompt, ...]
    common_positive: str
    common_negative: str
    common_position: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PromptSettings:
        """Read a normalised v2 prompt object (see ``normalise_prompts``)."""
        prompts = []
        for number, item in enumerate(data["promptList"], start=1):
            overlap = item["overlap"]
            prompts.append(
                Prompt(
                    number=number,
                    positive=_text(item.get("positive")),
                    negative=_text(item.get("negative")),
                    all_frames=bool(item.get("allFrames")),
                    start=_number(item.get("from"), 0),
                    end=_number(item.get("to"), 0),
                    overlap_type=str(overlap.get("type", "none")),
                    in_frames=_number(overlap.get("inFrames"), 0),
                    out_frames=_number(overlap.get("outFrames"), 0),
                    custom=_text(overlap.get("custom")),
                )
            )
        common = data["commonPrompt"]
        return cls(
            enabled=data.get("enabled") is not False,
            prompts=tuple(prompts),
            common_positive=_text(common.get("positive")),
            common_negative=_text(common.get("negative")),
            common_position=str(data.get("commonPromptPos") or "append"),
        )


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _number(value: Any, default: float) -> Any:
    if isinstance(value, bool) or value is None:
        return default
    if isinstance(value, (int, float)):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def js_trim(text: str) -> str:
    """JavaScript ``String.prototype.trim``."""
    return text.strip(JS_WHITESPACE)


def apply_common(text: str, common: str, position: str) -> str:
    """Combine one prompt text with the common prompt (literal ``[prompt]`` substitution for templates)."""
    if position == "prepend":
        return js_trim(common + " " + text)
    if position == "template":
        return text if js_trim(common) == "" else common.replace(TEMPLATE_PLACEHOLDER, text)
    return js_trim(text + " " + common)


def overlap_weight(prompt: Prompt, frame: int, last_frame: int) -> str:
    """The weight text of an active prompt: a linear fade ratio, a ``${custom}`` expression, or ``"1"``."""
    if prompt.overlap_type == "linear":
        start = 0 if prompt.all_frames else prompt.start
        end = last_frame if prompt.all_frames else prompt.end
        if prompt.in_frames and frame < start + prompt.in_frames:
            return to_precision((frame - start) / prompt.in_frames, 4)
        if prompt.out_frames and frame > end - prompt.out_frames:
            return to_precision(1 - (frame - (end - prompt.out_frames)) / prompt.out_frames, 4)
        return "1"
    if prompt.overlap_type == "custom":
        return "${" + prompt.custom + "}"
    return "1"


def expand(text: str, frame: int, prompt_type: str | None, evaluate: PromptEvaluator) -> str:
    """Replace every ``${…}`` by its value (numbers with ``toFixed(5)``), then newlines by spaces."""
    if "${" in text:

        def substitute(match: re.Match[str]) -> str:
            result = evaluate(match.group(1), frame, prompt_type)
            return result if isinstance(result, str) else to_fixed(float(result), 5)

        text = _EXPANSION.sub(substitute, text)
    return text.replace("\n", " ")


def resolve_moves(positive: str, negative: str) -> tuple[str, str]:
    """Move ``posneg`` terms marked for the other side: positive → negative first, then negative → positive."""
    if MOVE_START not in positive and MOVE_START not in negative:
        return positive, negative
    moved_out = _MOVE.findall(positive)
    positive = _MOVE.sub("", positive)
    for term in moved_out:
        negative = " " + term + " " + negative
    moved_in = _MOVE.findall(negative)
    negative = _MOVE.sub("", negative)
    for term in moved_in:
        positive = " " + term + " " + positive
    return positive, negative


def join_prompts(parts: Sequence[tuple[str, str, str]]) -> str:
    """``deforum_prompt`` from the active prompts' (positive, negative, weight), weighted only when several."""
    if not parts:
        return ""
    weighted = len(parts) > 1
    positive = " AND ".join(pos + (": " + weight if weighted else "") for pos, _, weight in parts)
    negative = " AND ".join(neg + (": " + weight if weighted else "") for _, neg, weight in parts)
    return positive + " --neg " + negative if negative != "" else positive


def _located(error: ParseqError, prompt: Prompt, part: str, frame: int) -> ParseqError:
    return error.located(field=f"prompt {prompt.number} {part}", frame=frame)


def assemble_prompts(
    settings: PromptSettings, frame_count: int, last_frame: int, evaluate: PromptEvaluator
) -> list[str] | None:
    """``deforum_prompt`` for frames ``0..frame_count-1``, or None when prompts are disabled."""
    if not settings.enabled:
        return None
    prepared = [
        (
            prompt,
            apply_common(prompt.positive, settings.common_positive, settings.common_position),
            apply_common(prompt.negative, settings.common_negative, settings.common_position),
        )
        for prompt in settings.prompts
    ]
    constant_cache: dict[str, str] = {}

    def expand_part(prompt: Prompt, part: str, text: str, frame: int, prompt_type: str | None) -> str:
        if "${" not in text:
            cached = constant_cache.get(text)
            if cached is None:
                cached = constant_cache[text] = text.replace("\n", " ")
            return cached
        try:
            return expand(text, frame, prompt_type, evaluate)
        except ParseqError as error:
            raise _located(error, prompt, part, frame) from None

    rendered = []
    for frame in range(frame_count):
        parts = []
        for prompt, positive, negative in prepared:
            if not prompt.is_active(frame):
                continue
            pos = expand_part(prompt, "positive", positive, frame, "positive")
            neg = expand_part(prompt, "negative", negative, frame, "negative")
            weight = expand_part(prompt, "weight", overlap_weight(prompt, frame, last_frame), frame, None)
            pos, neg = resolve_moves(pos, neg)
            parts.append((pos, neg, weight))
        rendered.append(join_prompts(parts))
    return rendered
