"""Writing large JSON (a 10,000-frame manifest is ~600,000 numbers) fast, with the same values as ``json``.

orjson encodes such a manifest about four times faster than ``json.dumps``; both write floats as the shortest
text that reads back to the same number, so the two texts parse to equal values. orjson covers compact output
and an indent of 2; anything else (another indent, integers beyond 64 bits, a lone surrogate) and a missing
orjson fall back to ``json.dumps``, which then behaves exactly as before. One difference: orjson writes NaN as
null where ``json`` refuses it; Parseq's compiled manifests already hold null for NaN, and validation refuses
NaN in what it reads.
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is in requirements.txt; the standard library still works
    orjson = None


def to_json(value: Any, *, indent: int | None = None) -> str:
    """``value`` as JSON text (UTF-8 characters kept), compact or indented."""
    data = _orjson_bytes(value, indent)
    return data.decode() if data is not None else _standard_json(value, indent)


def to_json_bytes(value: Any, *, indent: int | None = None) -> bytes:
    """``to_json`` encoded as UTF-8, without the round trip through ``str`` (a 20 MB manifest's two copies)."""
    data = _orjson_bytes(value, indent)
    return data if data is not None else _standard_json(value, indent).encode("utf-8")


def _orjson_bytes(value: Any, indent: int | None) -> bytes | None:
    """orjson's UTF-8 text, or None where it does not apply (see the module)."""
    if orjson is None or indent not in (None, 2):
        return None
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent == 2 else 0)
    except (orjson.JSONEncodeError, TypeError):
        return None


def _standard_json(value: Any, indent: int | None) -> str:
    return json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False)
