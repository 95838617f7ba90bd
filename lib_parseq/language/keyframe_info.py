"""Keyframe ``info`` labels matched against the regular expressions of ``info_match*``, in bounded time.

The patterns come from documents shared between strangers, and a backtracking engine can take for ever on
some of them (``(a+)+$`` against forty ``a``: Python's ``re`` never returns, holding the interpreter, so a
webui freezes). The ``regex`` package reads the same syntax, avoids much of that backtracking (``(a+)+$``
answers at once) and stops a search at a timeout: one field's evaluation may spend ``REGEX_TIME_BUDGET_S``
seconds of CPU time matching in all, and a pattern that needs more (``(a|aa)+$``) is an error. Each
distinct pattern is compiled and run over the labels once per field, however many frames use it; a plain
word (optionally anchored with ``^``/``$``) needs no regular expression at all and is matched as text.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import regex

REGEX_TIME_BUDGET_S = 1.0
_SHOWN_PATTERN = 80
_SPECIAL = frozenset(".^$*+?{}[]\\|()")


class PatternError(Exception):
    """A pattern that is not a valid regular expression, or that needs too long to match."""


@functools.lru_cache(maxsize=1024)
def _compiled(pattern: str) -> regex.Pattern:
    import regex  # imported when a pattern needs it (a plain label never does): it is a fair share of start-up

    return regex.compile(pattern)


def literal_test(pattern: str) -> Callable[[str], bool] | None:
    """For a pattern without special characters except a leading ``^`` or trailing ``$``: a plain text test
    with ``re.search``'s meaning (``$`` also matches before a final newline); None for any other pattern."""
    start = pattern.startswith("^")
    end = pattern.endswith("$") and len(pattern) > int(start)
    core = pattern[int(start):len(pattern) - int(end)]
    if _SPECIAL.intersection(core):
        return None
    if start and end:
        return lambda label: label in (core, core + "\n")
    if start:
        return lambda label: label.startswith(core)
    if end:
        return lambda label: label.endswith(core) or label.endswith(core + "\n")
    return lambda label: core in label


def _shown(pattern: str) -> str:
    return repr(pattern if len(pattern) <= _SHOWN_PATTERN else pattern[:_SHOWN_PATTERN] + "…")


class InfoMatcher:
    """Which keyframes' labels each pattern matches, remembered per pattern, within one time budget."""

    def __init__(self, labels: Sequence[str | None], budget_s: float | None = None) -> None:
        self.labels = list(labels)
        self.budget_s = REGEX_TIME_BUDGET_S if budget_s is None else budget_s
        self.spent_s = 0.0
        self._matches: dict[str, np.ndarray] = {}

    def matches(self, pattern: str) -> np.ndarray:
        """A bool per keyframe: its label contains a match of ``pattern`` (``re.search`` semantics)."""
        found = self._matches.get(pattern)
        if found is None:
            found = self._matches[pattern] = self._search_all(pattern)
        return found

    def _search_all(self, pattern: str) -> np.ndarray:
        literal = literal_test(pattern)
        if literal is not None:
            return np.array([label is not None and literal(label) for label in self.labels], dtype=bool)
        import regex

        try:
            compiled = _compiled(pattern)
        except (regex.error, OverflowError, RecursionError) as exc:
            raise PatternError(f"invalid regular expression {_shown(pattern)}: {exc}") from None
        out = np.zeros(len(self.labels), dtype=bool)
        for index, label in enumerate(self.labels):
            if label is None:
                continue
            remaining = self.budget_s - self.spent_s
            started = time.thread_time()
            try:
                if remaining <= 0:
                    raise TimeoutError
                out[index] = compiled.search(label, timeout=remaining) is not None
            except TimeoutError:
                raise PatternError(
                    f"the regular expression {_shown(pattern)} needs more than {self.budget_s:g} s to match the "
                    "keyframe info labels (nested repeats such as (a+)+ backtrack without end); simplify it"
                ) from None
            finally:
                self.spent_s += time.thread_time() - started
        return out
