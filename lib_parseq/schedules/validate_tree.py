"""Whole-tree checks, anywhere in a JSON value: NaN/Infinity literals, numbers too big for a double, and lone
surrogates in texts and keys (walked without recursion, so deep trees are fine)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from lib_parseq.errors import DocumentError
from lib_parseq.schedules.validate_problems import (
    LARGEST_FLOAT,
    Collector,
    describe,
    has_lone_surrogate,
    json_path,
)

SURROGATE_MESSAGE = ("holds a lone surrogate (half of a UTF-16 pair, such as \\ud800), which is not a character; "
                     "remove it or write the whole character")


def _walk(obj: Any) -> Iterator[tuple[tuple, Any]]:
    """Every (path parts, value) in a JSON tree, depth first, without recursion (deep trees are fine)."""
    stack: list[tuple[tuple, Any]] = [((), obj)]
    visiting: set[int] = set()
    while stack:
        parts, value = stack.pop()
        yield parts, value
        if isinstance(value, Mapping | list | tuple):
            if id(value) in visiting:
                continue
            visiting.add(id(value))
            items = value.items() if isinstance(value, Mapping) else enumerate(value)
            children = [(parts + (key,), child) for key, child in items]
            stack.extend(reversed(children))


def _key_or_text_has_lone_surrogate(parts: tuple, value: Any) -> bool:
    key = parts[-1] if parts else None
    return (isinstance(key, str) and has_lone_surrogate(key)) or (isinstance(value, str) and has_lone_surrogate(value))


def lone_surrogate_path(obj: Any) -> str | None:
    """The JSON path of the first key or text in ``obj`` holding a lone surrogate, or None."""
    for parts, value in _walk(obj):
        if _key_or_text_has_lone_surrogate(parts, value):
            return json_path(parts)
    return None


def refuse_lone_surrogates(obj: Any) -> None:
    """DocumentError naming where ``obj`` holds a lone surrogate (checked as documents are loaded)."""
    path = lone_surrogate_path(obj)
    if path is not None:
        raise DocumentError(SURROGATE_MESSAGE, path=path)


def check_numbers_everywhere(obj: Any, out: Collector) -> set[str]:
    """Report NaN/Infinity literals, integers too large for a 64-bit float and lone surrogates in texts and
    keys; return their paths."""
    bad: set[str] = set()
    for parts, value in _walk(obj):
        if _key_or_text_has_lone_surrogate(parts, value):
            path = json_path(parts)
            bad.add(path)
            out.error(path, SURROGATE_MESSAGE)
        if isinstance(value, float) and not math.isfinite(value):
            path = json_path(parts)
            bad.add(path)
            out.error(path, f"{describe(value)} is not a JSON number (standard JSON has no NaN or Infinity; "
                            "leave the cell empty or use null)")
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > LARGEST_FLOAT:
            path = json_path(parts)
            bad.add(path)
            out.error(path, f"{describe(value)} is too large (the largest usable number is about 1.8e308)")
    return bad
