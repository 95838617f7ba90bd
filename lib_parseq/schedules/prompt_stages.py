"""Prompt stages from other tools, turned into Parseq's v2 prompt list with linear fades between stages.

Two input formats:

* ``N: prompt`` lines (GIFfusion, Deforum's ``animation_prompts`` as text): one stage per line at frame N;
  Deforum's ``--neg`` splits a line into its positive and negative parts.
* prompt-travel's boxes: one stage per line of the positive box, the negative box line by line (the shorter
  box repeats its last line, as prompt-travel does), with ``steps`` frames rendered between two stages.

Consecutive stages cross-fade linearly: stage i is active from stage i−1 to stage i+1 and weighs 1 at its own
frame, so the weights of the two stages around any frame add up to 1.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lib_parseq.errors import DocumentError

NEGATIVE_MARKER = "--neg"
MAX_STAGES = 10_000
_FRAME_LINE = re.compile(r"\s*[\"']?(?P<frame>[+-]?\d+)[\"']?\s*:\s*")


@dataclass(frozen=True)
class Stage:
    """One prompt of a travel, reached at ``frame``."""

    frame: int
    positive: str
    negative: str = ""


def looks_like_frame_prompts(text: str) -> bool:
    """True when every non-blank line starts with ``N:`` (and the text is not JSON)."""
    lines = [line for line in text.splitlines() if line.strip()]
    return bool(lines) and not text.lstrip().startswith(("{", "[")) and all(_FRAME_LINE.match(line) for line in lines)


def split_negative(text: str) -> tuple[str, str]:
    """Deforum's ``positive --neg negative`` split; the text has no negative part without the marker."""
    positive, marker, negative = text.partition(NEGATIVE_MARKER)
    return positive.strip(), negative.strip() if marker else ""


def parse_frame_prompts(text: str) -> list[Stage]:
    """The stages of ``N: prompt`` lines, sorted by frame; a bad line is a DocumentError at line:column."""
    stages: dict[int, Stage] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _FRAME_LINE.match(line)
        if match is None:
            column = len(line) - len(line.lstrip()) + 1
            raise DocumentError("expected 'frame: prompt' (for example '0: a corgi')", text=text, line=number,
                                column=column)
        frame = int(match.group("frame"))
        if frame < 0:
            raise DocumentError(f"frame {frame} is negative", text=text, line=number,
                                column=match.start("frame") + 1)
        if frame in stages:
            raise DocumentError(f"frame {frame} has two prompts", text=text, line=number,
                                column=match.start("frame") + 1)
        body = line[match.end():].strip().rstrip(",").strip().strip("\"'")
        positive, negative = split_negative(body)
        stages[frame] = Stage(frame, positive, negative)
        if len(stages) > MAX_STAGES:
            raise DocumentError(f"more than {MAX_STAGES} prompt stages", text=text, line=number, column=1)
    if not stages:
        raise DocumentError("no 'frame: prompt' lines to import")
    return [stages[frame] for frame in sorted(stages)]


def travel_stages(positive: str, negative: str, steps: int | Sequence[int]) -> list[Stage]:
    """prompt-travel's stages: one per line, ``steps`` frames between consecutive stages (one number, or one per gap)."""
    positives = [line.strip() for line in positive.splitlines() if line.strip()]
    negatives = [line.strip() for line in negative.splitlines() if line.strip()]
    if not positives:
        raise DocumentError("the positive prompt box has no stages: write one prompt per line")
    count = max(len(positives), len(negatives))
    if count > MAX_STAGES:
        raise DocumentError(f"more than {MAX_STAGES} prompt stages")
    positives += positives[-1:] * (count - len(positives))
    negatives = (negatives + negatives[-1:] * (count - len(negatives))) if negatives else [""] * count
    gaps = [int(steps)] * (count - 1) if isinstance(steps, int) else [int(s) for s in steps]
    if len(gaps) != count - 1:
        raise DocumentError(f"{count} stages need {count - 1} step counts, got {len(gaps)}", field="steps")
    if any(gap < 0 for gap in gaps):
        raise DocumentError("steps between stages must be 0 or more", field="steps")
    frames = [0]
    for gap in gaps:
        frames.append(frames[-1] + gap + 1)
    return [Stage(frame, pos, neg) for frame, pos, neg in zip(frames, positives, negatives, strict=True)]


def parse_steps(text: str) -> list[int] | int:
    """prompt-travel's steps field: one whole number, or a comma-separated number per gap."""
    parts = [part.strip() for part in str(text).split(",") if part.strip()]
    if not parts or not all(re.fullmatch(r"\d{1,6}", part) for part in parts):
        raise DocumentError(f"steps must be a whole number or comma-separated whole numbers, got {text!r}",
                            field="steps")
    numbers = [int(part) for part in parts]
    return numbers[0] if len(numbers) == 1 else numbers


def stages_to_prompt_list(stages: Sequence[Stage], last_frame: int) -> list[dict]:
    """Parseq v2 prompts, one per stage, each fading linearly in from the previous stage and out to the next."""
    prompts = []
    for i, stage in enumerate(stages):
        start = stages[i - 1].frame if i > 0 else 0
        end = stages[i + 1].frame if i + 1 < len(stages) else max(last_frame, stage.frame)
        fade_in = stage.frame - start if i > 0 else 0
        fade_out = end - stage.frame if i + 1 < len(stages) else 0
        prompts.append({
            "name": f"Stage {i + 1} (frame {stage.frame})",
            "positive": stage.positive,
            "negative": stage.negative,
            "allFrames": len(stages) == 1,
            "from": start,
            "to": end,
            "overlap": {"type": "linear" if fade_in or fade_out else "none", "inFrames": fade_in,
                        "outFrames": fade_out, "custom": ""},
        })
    return prompts
