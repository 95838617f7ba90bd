"""The prompts list as an editable table, and the common prompt, mapped to the v2 ``prompts`` object.

One row per prompt: name, positive, negative, whether it covers all frames, its frame range, and how it
fades in and out (``none``, ``linear`` with in/out frame counts, or a ``custom`` weight expression).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lib_parseq.errors import DocumentError

PROMPT_HEADERS = ["name", "positive", "negative", "all frames", "from", "to", "fade", "fade in", "fade out", "custom weight"]
FADE_TYPES = ("none", "linear", "custom")
COMMON_POSITIONS = ("append", "prepend", "template")
_TRUE_WORDS = {"true", "yes", "y", "1", "x", "all"}
_FALSE_WORDS = {"false", "no", "n", "0", ""}


def default_prompts() -> dict:
    """The v2 prompts object of an empty document: one prompt over all frames."""
    return {
        "format": "v2",
        "enabled": True,
        "commonPrompt": _empty_prompt("Common"),
        "commonPromptPos": "append",
        "promptList": [dict(_empty_prompt("Prompt 1"), allFrames=True)],
    }


def _empty_prompt(name: str) -> dict:
    return {
        "name": name,
        "positive": "",
        "negative": "",
        "allFrames": False,
        "from": 0,
        "to": 0,
        "overlap": {"type": "none", "inFrames": 0, "outFrames": 0, "custom": ""},
    }


def prompts_to_rows(prompts: dict) -> list[list[str]]:
    """Table rows for the prompt list."""
    rows = []
    for prompt in prompts.get("promptList", []):
        overlap = prompt.get("overlap") or {}
        rows.append(
            [
                str(prompt.get("name", "")),
                str(prompt.get("positive", "")),
                str(prompt.get("negative", "")),
                "true" if prompt.get("allFrames") else "false",
                str(prompt.get("from", 0)),
                str(prompt.get("to", 0)),
                str(overlap.get("type", "none")),
                str(overlap.get("inFrames", 0)),
                str(overlap.get("outFrames", 0)),
                str(overlap.get("custom", "")),
            ]
        )
    return rows


def _whole_number(text: Any, *, what: str, row: int) -> int:
    stripped = "" if text is None else str(text).strip()
    if not stripped:
        return 0
    try:
        number = float(stripped)
    except ValueError:
        raise DocumentError(f"prompt {row + 1}: {what} {stripped!r} is not a number", field=f"prompt {row + 1}") from None
    if not number.is_integer() or number < 0:
        raise DocumentError(f"prompt {row + 1}: {what} {stripped!r} must be a whole number ≥ 0", field=f"prompt {row + 1}")
    return int(number)


def _flag(text: Any, *, row: int) -> bool:
    if isinstance(text, bool):
        return text
    word = "" if text is None else str(text).strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise DocumentError(f"prompt {row + 1}: 'all frames' must be true or false, not {text!r}", field=f"prompt {row + 1}")


def rows_to_prompt_list(rows: Sequence[Sequence[Any]], previous: Sequence[dict]) -> list[dict]:
    """The prompt list from edited table rows; blank rows are dropped, other keys of a prompt are kept."""
    result = []
    for index, row in enumerate(rows):
        cells = [("" if c is None else c) for c in list(row) + [""] * (len(PROMPT_HEADERS) - len(row))]
        if all(str(c).strip() == "" for c in cells):
            continue
        prompt = dict(previous[index]) if index < len(previous) else _empty_prompt(f"Prompt {index + 1}")
        fade = str(cells[6]).strip().lower() or "none"
        if fade not in FADE_TYPES:
            raise DocumentError(
                f"prompt {index + 1}: fade must be one of {', '.join(FADE_TYPES)}, not {cells[6]!r}",
                field=f"prompt {index + 1}",
            )
        start = _whole_number(cells[4], what="'from'", row=index)
        end = _whole_number(cells[5], what="'to'", row=index)
        all_frames = _flag(cells[3], row=index)
        if not all_frames and end < start:
            raise DocumentError(
                f"prompt {index + 1}: 'to' ({end}) comes before 'from' ({start})", field=f"prompt {index + 1}"
            )
        prompt.update(
            name=str(cells[0]) or f"Prompt {index + 1}",
            positive=str(cells[1]),
            negative=str(cells[2]),
            allFrames=all_frames,
            **{"from": start, "to": end},
        )
        prompt["overlap"] = {
            "type": fade,
            "inFrames": _whole_number(cells[7], what="'fade in'", row=index),
            "outFrames": _whole_number(cells[8], what="'fade out'", row=index),
            "custom": str(cells[9]),
        }
        result.append(prompt)
    return result


def with_common_prompt(prompts: dict, positive: str, negative: str, position: str) -> dict:
    """A copy of ``prompts`` with the common prompt's texts and where it goes."""
    if position not in COMMON_POSITIONS:
        raise DocumentError(f"common prompt position must be one of {', '.join(COMMON_POSITIONS)}, not {position!r}")
    updated = dict(prompts)
    common = dict(prompts.get("commonPrompt") or _empty_prompt("Common"))
    common.update(positive=positive or "", negative=negative or "")
    updated["commonPrompt"] = common
    updated["commonPromptPos"] = position
    return updated
