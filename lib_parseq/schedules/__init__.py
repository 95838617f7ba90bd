"""Schedules: Parseq keyframe documents compiled into per-frame manifests, and Deforum schedule strings.

``load_document`` reads a document (modern or 2022 format) and fills the app's defaults; ``compile_document``
evaluates every field in dependency order and produces the manifest Parseq and Deforum use;
``as_manifest`` accepts either; the ``deforum`` functions convert to and from Deforum schedule strings.
The names are imported on first use, so that a command needing only one of these modules loads only it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Document": "document",
    "as_manifest": "compiler",
    "compile_document": "compiler",
    "deforum_settings_to_document": "deforum",
    "load_document": "document",
    "parse_deforum_schedule": "deforum",
    "read_json_file": "document",
    "to_deforum_schedules": "deforum",
}

__all__ = [
    "Document",
    "as_manifest",
    "compile_document",
    "deforum_settings_to_document",
    "load_document",
    "parse_deforum_schedule",
    "read_json_file",
    "to_deforum_schedules",
]

if TYPE_CHECKING:
    from lib_parseq.schedules.compiler import as_manifest, compile_document
    from lib_parseq.schedules.deforum import (
        deforum_settings_to_document,
        parse_deforum_schedule,
        to_deforum_schedules,
    )
    from lib_parseq.schedules.document import Document, load_document, read_json_file


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
