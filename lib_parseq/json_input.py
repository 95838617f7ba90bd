"""Reading JSON from strangers: one reader for every file, upload, pasted text, URL body and stdin line.

Whatever the source, the same rules apply: at most ``MAX_JSON_BYTES`` are read (so ``/dev/zero`` or a 50 MB
file is refused at once instead of filling memory), a UTF-8 byte-order mark is accepted, bad JSON is a
``DocumentError`` with line:column, integers past Python's 4,300-digit conversion limit and nesting too deep
for the decoder are clear errors rather than ``ValueError``/``RecursionError`` tracebacks.
"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import Any, BinaryIO

from lib_parseq.errors import DocumentError

MAX_JSON_BYTES = 10_000_000
# Python refuses to turn longer digit strings into an int (sys.get_int_max_str_digits(), CVE-2020-10735).
MAX_INTEGER_DIGITS = 4_300
_LONG_INTEGER = re.compile(rf"(?<![\w.\"])-?\d{{{MAX_INTEGER_DIGITS + 1},}}(?![\d.eE])")


class _TooManyDigits(Exception):
    """Raised from inside the decoder; turned into a located DocumentError by :func:`parse_json_text`."""


def _parse_int(text: str) -> int:
    if len(text) > MAX_INTEGER_DIGITS:
        raise _TooManyDigits(text)
    return int(text)


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def parse_json_text(text: str, *, origin: str = "the JSON text") -> Any:
    """Parse JSON; a syntax error becomes a DocumentError with line:column (and the line, when it is short)."""
    text = text.removeprefix("\ufeff")
    try:
        return json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        lines = text.split("\n")
        line_text = lines[exc.lineno - 1] if 0 < exc.lineno <= len(lines) else ""
        raise DocumentError(
            f"{origin} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            line=exc.lineno,
            column=exc.colno,
            text=text if len(line_text) <= 200 else None,
        ) from None
    except _TooManyDigits as exc:
        digits = len(str(exc.args[0]).lstrip("-"))
        found = _LONG_INTEGER.search(text)
        line, column = _line_column(text, found.start()) if found else (None, None)
        where = f" at line {line}, column {column}" if found else ""
        raise DocumentError(f"{origin}: a {digits:,}-digit number{where} is too large "
                            "(the largest usable number is about 1.8e308)", line=line, column=column) from None
    except RecursionError:
        raise DocumentError(f"{origin} is nested too deeply to read") from None


def _read_at_most(handle: BinaryIO, max_bytes: int, origin: str) -> bytes:
    data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DocumentError(f"cannot load {origin}: more than the limit of {max_bytes:,} bytes")
    return data


def decode_json_bytes(data: bytes, origin: str) -> str:
    """UTF-8 text (a byte-order mark is dropped); an empty or undecodable file is a DocumentError."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"cannot load {origin}: not UTF-8 text (bad byte at offset {exc.start})") from None
    if not text.strip():
        raise DocumentError(f"cannot load {origin}: the file is empty")
    return text


def read_stdin_text(*, max_bytes: int = MAX_JSON_BYTES) -> str:
    """Standard input as text, reading no more than ``max_bytes``."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # replaced by a text stream (tests, embedding)
        stream = io.BytesIO(sys.stdin.read(max_bytes + 1).encode("utf-8", "surrogatepass"))
    return decode_json_bytes(_read_at_most(stream, max_bytes, "standard input"), "standard input")


def read_file_text(path: str | Path, *, max_bytes: int = MAX_JSON_BYTES, shown: str | None = None) -> str:
    """The text of a JSON file (``-``: standard input), reading no more than ``max_bytes``.

    Errors name the file as ``shown`` (default: its path), so an upload is never named by where the server
    keeps it."""
    if str(path) == "-":
        return read_stdin_text(max_bytes=max_bytes)
    path = Path(path)
    shown = shown or str(path)
    try:
        if path.is_dir():
            raise DocumentError(f"cannot load {shown}: a directory, not a file")
        if path.is_file() and path.stat().st_size > max_bytes:
            raise DocumentError(f"cannot load {shown}: {path.stat().st_size:,} bytes, "
                                f"more than the limit of {max_bytes:,} bytes")
        with path.open("rb") as handle:
            data = _read_at_most(handle, max_bytes, shown)
    except FileNotFoundError:
        raise DocumentError(f"cannot load {shown}: no such file") from None
    except (OSError, ValueError) as exc:
        raise DocumentError(f"cannot load {shown}: {getattr(exc, 'strerror', None) or exc}") from None
    return decode_json_bytes(data, shown)


def json_object(text: str, origin: str) -> dict:
    """The JSON object ``text`` holds; any other JSON value is a DocumentError naming ``origin``."""
    value = parse_json_text(text, origin=origin if len(origin) <= 200 else origin[:200] + "…")
    if not isinstance(value, dict):
        kind = "a list" if isinstance(value, list) else type(value).__name__
        raise DocumentError(f"{origin[:200]} holds {kind}, not a JSON object (a Parseq document or manifest)")
    return value


def read_json_object(path: Path, *, max_bytes: int = MAX_JSON_BYTES, origin: str | None = None) -> dict:
    """The JSON object in a file (a Parseq document or manifest), named ``origin`` in messages (default: its
    path). Reading a local file needs none of ``lib_parseq.net``'s HTTP and TLS modules."""
    origin = origin or str(path)
    return json_object(read_file_text(path, max_bytes=max_bytes, shown=origin), origin)


def read_json_file(path: str | Path, *, max_bytes: int = MAX_JSON_BYTES) -> Any:
    """The JSON value in a file (``-``: standard input), with every rule of this module applied."""
    origin = "standard input" if str(path) == "-" else str(path)
    return parse_json_text(read_file_text(path, max_bytes=max_bytes), origin=origin)
