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

import numpy as np

from lib_parseq.errors import ParseqError
from lib_parseq.language import parse
from lib_parseq.language.values import to_fixed_array, to_precision

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
BatchPromptEvaluator = Callable[[str, np.ndarray, "str | None"], "Sequence[float | str] | np.ndarray"]
"""``(expression text, strictly increasing frames, prompt type) -> one result per frame``; an error is a
ParseqError at the first failing frame in frame order (its ``frame`` set, or the first frame assumed)."""


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

    def active_frames(self, frame_count: int) -> np.ndarray:
        """Which of frames ``0..frame_count-1`` this prompt is active on (``from <= f <= to``, inclusive)."""
        if self.all_frames:
            return np.ones(frame_count, dtype=bool)
        frames = np.arange(frame_count)
        return (self.start <= frames) & (frames <= self.end)


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


def one_frame_at_a_time(evaluate: PromptEvaluator) -> BatchPromptEvaluator:
    """A batch evaluator that calls a one-frame evaluator at each frame in order (the reference path)."""

    def batch(text: str, frames: np.ndarray, prompt_type: str | None) -> list[float | str]:
        results = []
        for frame in frames.tolist():
            try:
                results.append(evaluate(text, frame, prompt_type))
            except ParseqError as error:
                raise error.located(frame=frame) from None
        return results

    return batch


def format_results(results: Sequence[float | str] | np.ndarray) -> list[str]:
    """Expression results as prompt text: strings as they are, numbers with JS ``toFixed(5)``."""
    values = np.asarray(results) if not isinstance(results, np.ndarray) else results
    if values.dtype != object and values.dtype.kind in "fiub":
        return to_fixed_array(values, 5)
    out = list(results)
    numeric = [i for i, value in enumerate(out) if not isinstance(value, str)]
    if numeric:
        for i, text in zip(numeric, to_fixed_array([float(out[i]) for i in numeric], 5), strict=True):
            out[i] = text
    return out


@dataclass
class _Template:
    """One prompt part (positive, negative or a custom weight) split at its ``${…}``: literals around expressions."""

    prompt: Prompt
    part: str
    prompt_type: str | None
    literals: list[str]
    expressions: list[str]
    columns: list[list[str | None]]


def _template(prompt: Prompt, part: str, text: str, prompt_type: str | None) -> _Template:
    pieces = _EXPANSION.split(text)
    return _Template(prompt, part, prompt_type, pieces[0::2], pieces[1::2], [])


def _shareable(text: str) -> bool:
    """Whether two uses of ``text`` at one frame give the same result (no random draws of their own)."""
    try:
        return not parse(text).stateful
    except ParseqError:
        return True


def _evaluate_templates(
    templates: list[tuple[_Template, np.ndarray]], frame_count: int, evaluate: BatchPromptEvaluator
) -> None:
    """Fill each template's per-frame expression texts, evaluating each distinct ``${…}`` once.

    Each distinct (text, prompt type) is evaluated over the union of the frames where it is used. If any
    fail, the error raised is the one the frame-by-frame assembly meets first: the earliest frame, then
    prompt order, positive before negative before weight, left to right.
    """
    uses: dict[tuple, list[tuple[int, _Template, int, np.ndarray]]] = {}
    rank = 0
    for template, active in templates:
        for index, text in enumerate(template.expressions):
            key = (text, template.prompt_type) if _shareable(text) else (text, template.prompt_type, rank)
            uses.setdefault(key, []).append((rank, template, index, active))
            template.columns.append([])
            rank += 1
    failures: list[tuple[int, int, _Template, ParseqError]] = []
    for (text, prompt_type, *_), members in uses.items():
        frames = np.flatnonzero(np.logical_or.reduce([active for *_, active in members]))
        if len(frames) == 0:  # its prompt is never active: never evaluated, so never an error
            continue
        try:
            results = evaluate(text, frames, prompt_type)
        except ParseqError as error:
            frame = error.frame if error.frame is not None else int(frames[0])
            using = [(rank, template) for rank, template, _, active in members
                     if 0 <= frame < frame_count and active[frame]] or [members[0][:2]]
            first = min(using, key=lambda use: use[0])
            failures.append((frame, first[0], first[1], error))
            continue
        column = np.empty(frame_count, dtype=object)
        column[frames] = format_results(results)
        shared = column.tolist()
        for _, template, index, _ in members:
            template.columns[index] = shared
    if failures:
        frame, _, template, error = min(failures, key=lambda failure: (failure[0], failure[1]))
        raise error.located(field=f"prompt {template.prompt.number} {template.part}", frame=frame)


def _texts(template: _Template, active: np.ndarray, frame_count: int) -> list[str | None]:
    """The expanded text of a template at every frame (None where its prompt is inactive)."""
    if not template.expressions:
        return [template.literals[0].replace("\n", " ")] * frame_count
    out: list[str | None] = [None] * frame_count
    literals, columns = template.literals, template.columns
    if len(columns) == 1:
        before, after = literals
        column = columns[0]
        for frame in np.flatnonzero(active).tolist():
            out[frame] = (before + column[frame] + after).replace("\n", " ")
        return out
    for frame in np.flatnonzero(active).tolist():
        pieces = [literals[0]]
        for column, literal in zip(columns, literals[1:], strict=True):
            pieces.append(column[frame])
            pieces.append(literal)
        out[frame] = "".join(pieces).replace("\n", " ")
    return out


def _prompt_texts(settings: PromptSettings, prompt: Prompt, last_frame: int) -> dict[str, str]:
    """The texts of one prompt that ``${…}`` are expanded in: positive and negative with the common prompt
    applied, and the custom weight."""
    texts = {
        "positive": apply_common(prompt.positive, settings.common_positive, settings.common_position),
        "negative": apply_common(prompt.negative, settings.common_negative, settings.common_position),
    }
    if prompt.overlap_type == "custom":
        texts["weight"] = overlap_weight(prompt, 0, last_frame)
    return texts


def prompt_expressions(settings: PromptSettings) -> list[str]:
    """Every ``${…}`` expression text that assembling the prompts evaluates (none when prompts are off)."""
    if not settings.enabled:
        return []
    return [expression for prompt in settings.prompts for text in _prompt_texts(settings, prompt, 0).values()
            for expression in _EXPANSION.findall(text)]


def assemble_prompts(
    settings: PromptSettings, frame_count: int, last_frame: int, evaluate: BatchPromptEvaluator
) -> list[str] | None:
    """``deforum_prompt`` for frames ``0..frame_count-1``, or None when prompts are disabled.

    Every ``${…}`` is evaluated once over all the frames where it is used (``evaluate`` is batched; wrap a
    one-frame evaluator in ``one_frame_at_a_time``), then each frame's text is put together.
    """
    if not settings.enabled:
        return None
    templates: list[tuple[_Template, np.ndarray]] = []
    prepared = []
    for prompt in settings.prompts:
        active = prompt.active_frames(frame_count)
        texts = _prompt_texts(settings, prompt, last_frame)
        positive = _template(prompt, "positive", texts["positive"], "positive")
        negative = _template(prompt, "negative", texts["negative"], "negative")
        weight = _template(prompt, "weight", texts["weight"], None) if "weight" in texts else None
        templates += [(positive, active), (negative, active)] + ([(weight, active)] if weight else [])
        prepared.append((prompt, active, positive, negative, weight))
    _evaluate_templates(templates, frame_count, evaluate)

    columns = []
    for prompt, active, positive, negative, weight in prepared:
        if weight is not None:
            weights = _texts(weight, active, frame_count)
        elif prompt.overlap_type == "linear":
            weights = _linear_weights(prompt, active, last_frame)
        else:
            weights = ["1"] * frame_count
        columns.append((active.tolist(), _texts(positive, active, frame_count),
                        _texts(negative, active, frame_count), weights))
    starts = _run_starts([column for prompt_columns in columns for column in prompt_columns], frame_count)
    rendered = []
    for frame in starts.tolist():
        parts = []
        for active, positives, negatives, weights in columns:
            if active[frame]:
                parts.append((*resolve_moves(positives[frame], negatives[frame]), weights[frame]))
        rendered.append(join_prompts(parts))
    if len(rendered) == frame_count:
        return rendered
    return np.repeat(np.array(rendered, dtype=object), np.diff(np.append(starts, frame_count))).tolist()


def _linear_weights(prompt: Prompt, active: np.ndarray, last_frame: int) -> list[str | None]:
    """``overlap_weight`` of a linear fade at every frame (None where inactive), computed only in the fades:
    everywhere else on the prompt's span the weight is ``"1"``."""
    frames = np.arange(active.size)
    start = 0 if prompt.all_frames else prompt.start
    end = last_frame if prompt.all_frames else prompt.end
    with np.errstate(invalid="ignore"):
        fading = ((prompt.in_frames != 0) & (frames < start + prompt.in_frames)) | (
            (prompt.out_frames != 0) & (frames > end - prompt.out_frames))
    weights = np.where(active, "1", None).astype(object)
    for frame in np.flatnonzero(active & fading).tolist():
        weights[frame] = overlap_weight(prompt, frame, last_frame)
    return weights.tolist()


def _run_starts(columns: list[list], frame_count: int) -> np.ndarray:
    """The frames where any of ``columns`` differs from the frame before (and frame 0): a frame's prompt is a
    function of the columns' values at it, so it only needs to be put together where they change."""
    changed = np.zeros(frame_count, dtype=bool)
    changed[:1] = True
    for column in columns:
        values = np.empty(frame_count, dtype=object)
        values[:] = column
        changed[1:] |= values[1:] != values[:-1]
    return np.flatnonzero(changed)
