"""Schedules: Parseq keyframe documents compiled into per-frame manifests, and Deforum schedule strings.

``load_document`` reads a document (modern or 2022 format) and fills the app's defaults; ``compile_document``
evaluates every field in dependency order and produces the manifest Parseq and Deforum use;
``as_manifest`` accepts either; the ``deforum`` functions convert to and from Deforum schedule strings.
"""

from lib_parseq.schedules.compiler import as_manifest, compile_document
from lib_parseq.schedules.deforum import (
    deforum_settings_to_document,
    parse_deforum_schedule,
    to_deforum_schedules,
)
from lib_parseq.schedules.document import Document, load_document, read_json_file

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
