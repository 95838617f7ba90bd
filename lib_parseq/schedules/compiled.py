"""A compiled document held as columns: the manifest's frames are built only when (and as far as) they are read.

``rendered_frames`` is a list of one dict per frame, but compilation produces one array per field. Building
10,000 dicts of 60 keys costs more than evaluating the fields, and the tab shows only a table window, one
prompt and the first frames of the manifest after each edit; so ``CompiledDocument`` keeps the columns and
builds ``frames(start, stop)`` on demand and the whole ``manifest`` once, when asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from lib_parseq.schedules.derived import field_delta, field_percent, field_range, subseeds
from lib_parseq.schedules.document import Document

_LARGEST_EXACT_INTEGER = 2.0**53


def json_column(values: np.ndarray) -> list:
    """A float column as JSON-ready Python values, written as JavaScript would write them.

    NaN and ±Infinity become None (JSON null); a column of whole numbers becomes ints (``1``, not ``1.0``;
    ``-0`` as ``0``, like ``JSON.stringify``).
    """
    finite = np.isfinite(values)
    if finite.all():
        if np.array_equal(values, np.trunc(values)) and (np.abs(values) < _LARGEST_EXACT_INTEGER).all():
            return values.astype(np.int64).tolist()
        return values.tolist()
    column = values.tolist()
    for index in np.flatnonzero(~finite).tolist():
        column[index] = None
    return column


@dataclass(frozen=True)
class FieldColumns:
    """One field's three manifest columns (value, ``_delta``, ``_pc``) and its ``rendered_frames_meta`` entry."""

    values: list
    delta: list
    percent: list
    meta: dict[str, Any]

    @classmethod
    def of(cls, name: str, values: np.ndarray) -> FieldColumns:
        value_range = field_range(values)
        return cls(json_column(values), json_column(field_delta(name, values)),
                   json_column(field_percent(values, value_range)), value_range.as_json())


@dataclass
class CompiledDocument:
    """Everything a compile produced, by column; ``manifest`` is the dict ``compile_document`` returns.

    ``header`` holds the manifest's keys before ``rendered_frames`` (meta and the normalised document);
    ``keys``/``columns`` give ``rendered_frames`` in Parseq's key order; ``values`` are the fields' stored
    values (float64, NaN where a value is not a number) and ``reuse`` what a later compile may take over.
    """

    document: Document
    header: dict[str, Any]
    values: dict[str, np.ndarray]
    prompts: list[str] | None
    keys: list[str]
    columns: list[list]
    meta: dict[str, Any]
    reuse: Any = field(default=None, repr=False)

    @property
    def frame_count(self) -> int:
        return self.document.frame_count

    def frames(self, start: int = 0, stop: int | None = None) -> list[dict[str, Any]]:
        """``rendered_frames[start:stop]``, built now from the columns."""
        keys = self.keys
        empty = dict.fromkeys(keys)  # copying a dict of the right size beats growing one key by key
        frames = []
        for row in zip(*(column[start:stop] for column in self.columns), strict=True):
            frame = empty.copy()
            frame.update(zip(keys, row, strict=True))
            frames.append(frame)
        return frames

    def manifest_with(self, frames: list[dict[str, Any]]) -> dict[str, Any]:
        """The manifest with ``frames`` as its ``rendered_frames`` (a window of them, for a preview)."""
        return {**self.header, "rendered_frames": frames, "rendered_frames_meta": self.meta}

    @cached_property
    def manifest(self) -> dict[str, Any]:
        """The whole manifest, built on first use."""
        return self.manifest_with(self.frames())

    def to_json_bytes(self, indent: int | None = None) -> bytes:
        """The manifest's JSON text in UTF-8 (``json_output.to_json_bytes``)."""
        from lib_parseq.json_output import to_json_bytes

        return to_json_bytes(self.manifest, indent=indent)


def rendered_columns(
    document: Document, values: Mapping[str, np.ndarray], prompts: list[str] | None,
    field_columns: Mapping[str, FieldColumns], seed_columns: tuple[list, list] | None,
) -> tuple[list[str], list[list], dict[str, Any]]:
    """``rendered_frames``' keys and columns in Parseq's key order, and ``rendered_frames_meta``."""
    managed = document.managed_fields
    keys: list[str] = ["frame", *managed]
    columns: list[list] = [list(range(document.frame_count)), *(field_columns[name].values for name in managed)]
    if prompts is not None:
        keys.append("deforum_prompt")
        columns.append(prompts)
    if "seed" in values and seed_columns is not None:
        keys += ["subseed", "subseed_strength"]
        columns += list(seed_columns)
    meta = {}
    for name in managed:
        meta[name] = field_columns[name].meta
        keys += [f"{name}_delta", f"{name}_pc"]
        columns += [field_columns[name].delta, field_columns[name].percent]
    return keys, columns, meta


def seed_columns(seed: np.ndarray) -> tuple[list, list]:
    """The ``subseed`` and ``subseed_strength`` columns of a seed field."""
    subseed, strength = subseeds(seed)
    return json_column(subseed), json_column(strength)
