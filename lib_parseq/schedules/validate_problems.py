"""What validation finds: a ``Problem`` (severity, JSON path, message), the collector that gathers them,
the plain-words pictures of values used in messages, and turning the errors into one ``DocumentError``."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from lib_parseq.errors import DocumentError

LARGEST_FLOAT = 1.7976931348623157e308

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document: how bad, where (a JSON path such as ``$.keyframes[3].frame``), and why."""

    severity: Severity
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.path}: {self.message}"


_DECIMAL_TEXT = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*\Z")
_RADIX_TEXT = re.compile(r"\s*0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)\s*\Z")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def json_path(parts: Any) -> str:
    """``("keyframes", 3, "frame")`` → ``$.keyframes[3].frame`` (odd keys are quoted: ``$["my key"]``)."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and IDENTIFIER.match(part):
            out += f".{part}"
        else:
            out += "[" + quote(str(part)) + "]"
    return out


def quote(text: str, limit: int = 40) -> str:
    shown = text if len(text) <= limit else text[:limit] + "…"
    escaped = shown.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{without_lone_surrogates(escaped)}"'


def describe(value: Any) -> str:
    """A short plain-words picture of a JSON value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        text = str(value) if abs(value) < 10**21 else f"a {len(str(abs(value)))}-digit number"
        return text
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, str):
        return "the text " + quote(value) if value else 'the empty text ""'
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def numeric_text_value(text: str) -> float | None:
    """The number a numeric string stands for (decimal, or 0x/0o/0b as JS ``Number`` reads), else None."""
    if _DECIMAL_TEXT.match(text):
        try:
            value = float(text)
        except (ValueError, OverflowError):
            return None
        return value
    if _RADIX_TEXT.match(text):
        body = text.strip()
        return float(int(body[2:], {"x": 16, "o": 8, "b": 2}[body[1].lower()]))
    return None


def as_number(value: Any) -> float | None:
    """A JSON number or decimal numeric string as a float; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return float(value) if abs(value) <= LARGEST_FLOAT else math.inf
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        return numeric_text_value(value) if _DECIMAL_TEXT.match(value) else None
    return None


def is_whole(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value) and value.is_integer()


class Collector:
    """Collects problems, dropping exact repeats and keeping the first-found order."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self._seen: set[Problem] = set()
        self.error_paths: set[str] = set()

    def add(self, severity: Severity, path: str, message: str) -> None:
        problem = Problem(severity, path, message)
        if problem not in self._seen:
            self._seen.add(problem)
            self.problems.append(problem)
            if severity == "error":
                self.error_paths.add(path)

    def error(self, path: str, message: str) -> None:
        self.add("error", path, message)

    def warning(self, path: str, message: str) -> None:
        self.add("warning", path, message)

    def has_error_at(self, path: str) -> bool:
        return path in self.error_paths


def has_lone_surrogate(text: str) -> bool:
    """True when ``text`` holds half of a UTF-16 surrogate pair (``"\\ud800"`` in JSON): no character at all, and
    text that cannot be written as UTF-8, drawn or sent to a browser."""
    return _LONE_SURROGATE.search(text) is not None


def without_lone_surrogates(text: str) -> str:
    """``text`` with each lone surrogate shown as its escape (``\\ud800``), safe to print."""
    return _LONE_SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def errors_only(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.severity == "error"]


def problems_to_error(problems: list[Problem], *, what: str = "document") -> DocumentError | None:
    """One DocumentError listing every error problem (``path: message`` per line), or None when there are none."""
    errors = errors_only(problems)
    if not errors:
        return None
    if len(errors) == 1:
        return DocumentError(f"invalid {what}: {errors[0].message}", path=errors[0].path)
    lines = "\n".join(f"  {problem.path}: {problem.message}" for problem in errors)
    return DocumentError(f"invalid {what}, {len(errors)} problems:\n{lines}")


def raise_for_problems(problems: list[Problem], *, what: str = "document") -> None:
    """Raise the DocumentError of ``problems_to_error`` when any problem is an error; warnings pass."""
    error = problems_to_error(problems, what=what)
    if error is not None:
        raise error
