"""What a compile may take over from the previous compile of the same document: the keys that say so.

A field's values depend only on its own cells (defined keyframes, interpolations, default), what is shared
by every field (frame count, timing, keyframe infos, time series, the render seed, the evaluator) and the
values of the fields it reads. Its key is the text of all of those, with each field read stood for by the
key it was evaluated under, so an edit changes the keys of the edited field and of the fields that read
it, and of nothing else. A field that calls ``dangerous`` can read any field evaluated before it by a
computed name, so its key takes in all of those. Keys are ``repr`` texts: ``0.0`` and ``-0.0`` differ, as
they may in the output.

Nothing is taken over when the values could differ between two evaluations of equal inputs: without a
render seed (unseeded ``rand`` draws fresh numbers) for fields, and when a prompt's ``${…}`` draws random
numbers (prompts are evaluated without the render seed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lib_parseq.errors import ParseqError
from lib_parseq.language import parse
from lib_parseq.schedules.compiled import FieldColumns
from lib_parseq.schedules.document import Document
from lib_parseq.schedules.prompts import prompt_expressions


@dataclass(frozen=True)
class FieldResult:
    """One field's stored values and the key they were evaluated under (None: never to be taken over)."""

    key: str | None
    values: np.ndarray


def shared_inputs(document: Document, random_seed: int | None, evaluator: Any) -> str | None:
    """The part of every field's key that all fields share; None when results must not be taken over."""
    if random_seed is None:
        return None
    infos = [(int(kf["frame"]), kf.get("info")) for kf in document.keyframes]
    evaluator_name = f"{getattr(evaluator, '__module__', '')}.{getattr(evaluator, '__qualname__', repr(evaluator))}"
    return repr((document.frame_count, document.options, document.legacy, infos, document.time_series,
                 random_seed, evaluator_name))


def field_key(
    name: str,
    shared: str | None,
    defined: Sequence[tuple[int, float]],
    declarations: Sequence[tuple[int, str]],
    default: float,
    references: Sequence[Any],
    earlier: Mapping[str, FieldResult],
) -> str | None:
    """The key of field ``name``'s values (``earlier``: the fields already evaluated, in evaluation order)."""
    if shared is None:
        return None
    if any("dangerous" in text for _, text in declarations):
        read = list(earlier)
    else:
        read = sorted({reference.target for reference in references})
    read_keys = [(other, earlier[other].key) for other in read if other in earlier]
    if any(key is None for _, key in read_keys):
        return None
    return repr((name, shared, list(defined), list(declarations), default, read_keys))


def prompt_key(document: Document, fields: Mapping[str, FieldResult]) -> str | None:
    """The key of the ``deforum_prompt`` column; None when it must be assembled again."""
    settings = document.prompts
    expressions = prompt_expressions(settings)
    if any(_draws_random(text) for text in expressions):
        return None
    field_keys = [(name, result.key) for name, result in fields.items()] if expressions else []
    if any(key is None for _, key in field_keys):
        return None
    infos = [(int(kf["frame"]), kf.get("info")) for kf in document.keyframes]
    return repr((settings, document.frame_count, document.options, document.legacy, infos, document.time_series,
                 field_keys))


def _draws_random(text: str) -> bool:
    try:
        return parse(text).stateful
    except ParseqError:
        return True


@dataclass(frozen=True)
class Reusable:
    """A compile's results by key, for the next compile of an edited version of the same document."""

    fields: Mapping[str, FieldResult]
    prompt_key: str | None
    prompt_column: list[str] | None
    field_columns: Mapping[str, FieldColumns]
    seed: tuple[list, list] | None

    def field(self, name: str, key: str | None) -> FieldResult | None:
        """The earlier result of field ``name`` if it was evaluated under ``key``."""
        earlier = self.fields.get(name)
        return earlier if key is not None and earlier is not None and earlier.key == key else None

    def prompts(self, key: str | None) -> list[str] | None:
        """The earlier prompt column if it was assembled under ``key`` (a column of None: prompts were off)."""
        if key is None or key != self.prompt_key:
            return None
        return self.prompt_column

    def columns(self, name: str, result: FieldResult) -> FieldColumns | None:
        """The earlier manifest columns of field ``name`` if its values are the very same array."""
        earlier = self.fields.get(name)
        return self.field_columns.get(name) if earlier is not None and earlier.values is result.values else None

    def seed_columns(self, seed: FieldResult) -> tuple[list, list] | None:
        earlier = self.fields.get("seed")
        return self.seed if earlier is not None and earlier.values is seed.values else None
