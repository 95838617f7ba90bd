"""Tokens of the Parseq language (spec §1): one table of patterns, tried in order at each position."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from lib_parseq.errors import ParseError

KEYWORDS = frozenset({"if", "else", "and", "or", "true", "false"})

# (kind, pattern). Whitespace and comments are skipped; the first matching pattern wins.
TOKEN_TABLE: tuple[tuple[str, str], ...] = (
    ("space", r"[ \t\r\n]+"),
    ("comment", r"#[^\n]*"),
    ("number", r"[0-9]+(?:\.[0-9]+)?[fsb]?"),
    ("string", r'"(?:[^"\\\n]|\\[^\n])*"'),
    ("name", r"[A-Za-z_][A-Za-z0-9_]*"),
    ("op", r"==|!=|<=|>=|&&|\|\||[-+*/%^:<>(),=]"),
)
_MASTER = re.compile("|".join(f"(?P<{kind}>{pattern})" for kind, pattern in TOKEN_TABLE))
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "b": "\b", "f": "\f", "r": "\r"}
_WORD_CHAR = re.compile(r"[A-Za-z0-9_]")


@dataclass(frozen=True, slots=True)
class Token:
    """One token: ``kind`` is number/string/name/keyword/op/end; ``text`` is the source text."""

    kind: str
    text: str
    offset: int
    line: int
    column: int
    value: object = None  # number: (float, unit); string: the unescaped text


class Positions:
    """Turns a character offset into a 1-based (line, column)."""

    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def at(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1


def _unescape(body: str, offset: int, text: str, positions: Positions) -> str:
    out = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            nxt = body[i + 1]
            if nxt not in _ESCAPES:
                line, column = positions.at(offset + 1 + i)
                raise ParseError(
                    f"invalid escape '\\{nxt}' in string (allowed: \\\" \\\\ \\n \\t \\b \\f \\r)",
                    text=text, line=line, column=column,
                )
            out.append(_ESCAPES[nxt])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with an ``end`` token; raises ParseError on a bad character or literal."""
    positions = Positions(text)
    tokens: list[Token] = []
    offset = 0
    length = len(text)
    while offset < length:
        match = _MASTER.match(text, offset)
        line, column = positions.at(offset)
        if match is None:
            ch = text[offset]
            if ch == '"':
                raise ParseError("unterminated string (strings end with \" on the same line)",
                                 text=text, line=line, column=column)
            hint = " (there is no 'not' operator)" if ch == "!" else ""
            if ch == "'":
                hint = " (strings use double quotes)"
            raise ParseError(f"unexpected character {ch!r}{hint}", text=text, line=line, column=column)
        kind = match.lastgroup
        lexeme = match.group()
        end = match.end()
        if kind == "number":
            if end < length and (_WORD_CHAR.match(text, end) or text[end] == "."):
                bad_end = end
                while bad_end < length and (_WORD_CHAR.match(text, bad_end) or text[bad_end] == "."):
                    bad_end += 1
                raise ParseError(
                    f"invalid number '{text[offset:bad_end]}' (numbers are digits with an optional "
                    "fraction and one unit f, s or b; no exponents)",
                    text=text, line=line, column=column,
                )
            unit = lexeme[-1] if lexeme[-1] in "fsb" else ""
            digits = lexeme[:-1] if unit else lexeme
            tokens.append(Token("number", lexeme, offset, line, column, (float(digits), unit)))
        elif kind == "string":
            tokens.append(Token("string", lexeme, offset, line, column,
                                _unescape(lexeme[1:-1], offset, text, positions)))
        elif kind == "name":
            tokens.append(Token("keyword" if lexeme in KEYWORDS else "name", lexeme, offset, line, column))
        elif kind == "op":
            tokens.append(Token("op", lexeme, offset, line, column))
        offset = end
    line, column = positions.at(length)
    tokens.append(Token("end", "", length, line, column))
    return tokens
