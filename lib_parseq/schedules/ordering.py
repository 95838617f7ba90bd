"""Cross-field ordering (spec §8.1): evaluate each field after the fields its expressions read.

Dependencies are collected statically from every ``_i`` of a field (untaken branches included): a bare
identifier naming another managed field, a ``dangerous("name")`` literal, or a call of ``is_generation``
(which reads a keyframed ``cadence`` field). Fields are sorted
topologically, ties broken by ``managedFields`` order. A cycle is a DocumentError naming the path
(``zoom → angle → zoom``) and where each reference is; a field reading itself by name is pointed to
``prev_computed_value``.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lib_parseq.errors import DocumentError, ParseqError
from lib_parseq.language import parse
from lib_parseq.language.cadence import CADENCE_FIELD
from lib_parseq.language.context import BUILTIN_VARIABLES, CONTEXT_VARIABLES
from lib_parseq.language.nodes import Call, walk

SHADOWING_NAMES = BUILTIN_VARIABLES | CONTEXT_VARIABLES
"""Names that always mean a built-in, so a field with one of these names cannot be read by name."""


@dataclass(frozen=True)
class FieldReference:
    """Field ``source`` reads field ``target`` in the ``_i`` declared at ``keyframe``, at line:column."""

    source: str
    target: str
    keyframe: int
    line: int
    column: int
    text: str
    by_name: bool
    via: str = ""

    def describe(self) -> str:
        how = self.via or (self.target if self.by_name else f'dangerous("{self.target}")')
        return f"{self.source} reads {how} ({self.source}_i at keyframe {self.keyframe}, {self.line}:{self.column})"


def field_references(
    field: str, declarations: Sequence[tuple[int, str]], managed: frozenset[str]
) -> list[FieldReference]:
    """Every reference from one field's interpolations to managed fields (parse errors located)."""
    found = []
    for keyframe, text in declarations:
        try:
            expression = parse(text)
        except ParseqError as error:
            raise error.located(field=field, frame=keyframe, source=f"{field}_i from keyframe {keyframe}",
                                text=text) from None
        for reference in expression.references():
            name = reference.name
            by_name = not reference.via_dangerous
            if name not in managed or (by_name and name in SHADOWING_NAMES):
                continue
            found.append(
                FieldReference(field, name, keyframe, reference.line, reference.column, text, by_name)
            )
        if CADENCE_FIELD in managed and field != CADENCE_FIELD:
            found.extend(FieldReference(field, CADENCE_FIELD, keyframe, call.line, call.column, text, False,
                                        "cadence through is_generation()")
                         for call in walk(expression.tree) if isinstance(call, Call) and call.name == "is_generation")
    return found


def _error_at(reference: FieldReference, message: str) -> DocumentError:
    """A DocumentError located at one reference: its field, declaring keyframe and line:column."""
    return DocumentError(
        message,
        field=reference.source,
        frame=reference.keyframe,
        source=f"{reference.source}_i from keyframe {reference.keyframe}",
        text=reference.text,
        line=reference.line,
        column=reference.column,
    )


def _self_reference_error(reference: FieldReference) -> DocumentError:
    return _error_at(reference, f"{reference.source} reads its own value by name; use prev_computed_value for "
                                "its value at the previous frame")


def _find_cycle(remaining: Sequence[str], edges: Mapping[str, dict[str, FieldReference]]) -> list[FieldReference]:
    """One cycle among the fields Kahn's algorithm could not place, as the references along it."""
    start = remaining[0]
    path: list[str] = [start]
    taken: list[FieldReference] = []
    position = {start: 0}
    current = start
    while True:
        target, reference = next((t, r) for t, r in edges[current].items() if t in remaining)
        taken.append(reference)
        if target in position:
            return taken[position[target]:]
        position[target] = len(path)
        path.append(target)
        current = target


def _cycle_error(cycle: list[FieldReference]) -> DocumentError:
    names = [reference.source for reference in cycle] + [cycle[0].source]
    details = "\n".join(f"  {reference.describe()}" for reference in cycle)
    return _error_at(cycle[0], f"fields depend on each other in a cycle: {' → '.join(names)}\n{details}")


def evaluation_order(managed: Sequence[str], references: Mapping[str, Sequence[FieldReference]]) -> list[str]:
    """Fields sorted so each comes after those it reads; ties keep ``managedFields`` order."""
    rank = {name: index for index, name in enumerate(managed)}
    # edges[source][target]: source reads target, so target must come first.
    edges: dict[str, dict[str, FieldReference]] = {name: {} for name in managed}
    readers: dict[str, set[str]] = {name: set() for name in managed}
    for source in managed:
        for reference in references.get(source, ()):
            if reference.target == source:
                if reference.by_name:
                    raise _self_reference_error(reference)
                continue
            edges[source].setdefault(reference.target, reference)
            readers[reference.target].add(source)
    waiting = {name: len(edges[name]) for name in managed}
    ready = [(rank[name], name) for name in managed if waiting[name] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, name = heapq.heappop(ready)
        order.append(name)
        for reader in readers[name]:
            waiting[reader] -= 1
            if waiting[reader] == 0:
                heapq.heappush(ready, (rank[reader], reader))
    if len(order) < len(managed):
        placed = set(order)
        raise _cycle_error(_find_cycle([name for name in managed if name not in placed], edges))
    return order
