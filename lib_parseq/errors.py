"""The errors a user can cause, each saying what is wrong and where.

Every problem that comes from user input (an expression, a document, a manifest, a file path, a render
setting) is raised as a ``ParseqError`` subclass. The location is filled in as the error travels outwards:
the parser knows line:column, the field evaluator adds field, frame and declaring keyframe, the loader adds
the JSON path. ``str(error)`` is the full message shown to users; ``error.message`` is the bare reason.

    EvalError: zoom @ frame 12 (zoom_i from keyframe 10): Divide by zero
      1:5 | L + 1/(f-12)
          |     ^
"""

from __future__ import annotations

from typing import Any

_LOCATION_KEYS = ("field", "frame", "source", "text", "line", "column", "path")


class ParseqError(Exception):
    """Base class of every user-facing error; carries the location of the problem."""

    kind = "ParseqError"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        frame: int | None = None,
        source: str | None = None,
        text: str | None = None,
        line: int | None = None,
        column: int | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.frame = frame
        self.source = source
        self.text = text
        self.line = line
        self.column = column
        self.path = path

    def located(self, **where: Any) -> ParseqError:
        """Fill in the location attributes that are still unknown; return self for ``raise err.located(...)``."""
        for key, value in where.items():
            if key not in _LOCATION_KEYS:
                raise TypeError(f"unknown location key {key!r}")
            if getattr(self, key) is None and value is not None:
                setattr(self, key, value)
        return self

    def headline(self) -> str:
        """One line: kind, where, and the reason."""
        where = []
        if self.path:
            where.append(self.path)
        if self.field:
            where.append(self.field)
        if self.frame is not None:
            where.append(f"@ frame {self.frame}")
        place = " ".join(where)
        if self.source:
            place = f"{place} ({self.source})" if place else f"({self.source})"
        return f"{self.kind}: {place}: {self.message}" if place else f"{self.kind}: {self.message}"

    def excerpt(self) -> str:
        """The offending line of the expression with a caret under the column, or '' when unknown."""
        if self.text is None or self.line is None:
            return ""
        lines = self.text.split("\n")
        if not 1 <= self.line <= len(lines):
            return ""
        code = lines[self.line - 1]
        prefix = f"  {self.line}:{self.column or 1} | "
        caret = " " * (len(prefix) - 2) + "| " + " " * max((self.column or 1) - 1, 0) + "^"
        return f"{prefix}{code}\n{caret}"

    def __str__(self) -> str:
        excerpt = self.excerpt()
        return f"{self.headline()}\n{excerpt}" if excerpt else self.headline()


class ParseError(ParseqError):
    """The text of an expression is not valid Parseq syntax."""

    kind = "ParseError"


class EvalError(ParseqError):
    """A valid expression failed while being evaluated (division by zero, bad argument, unknown name...)."""

    kind = "EvalError"


class DocumentError(ParseqError):
    """A keyframe document or manifest is malformed or cannot be rendered as given."""

    kind = "DocumentError"


class RenderError(ParseqError):
    """A render cannot start or continue: missing input, unwritable output, encoder failure, backend failure."""

    kind = "RenderError"


class AudioError(ParseqError):
    """An audio file cannot be analysed (missing, not audio, empty, silent, too short) or its tools are missing."""

    kind = "AudioError"
