"""What the tab hands out: the document and the rendered manifest as files, and Deforum schedule strings."""

from __future__ import annotations

import json
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from lib_parseq import __version__
from lib_parseq.atomic import write_text_atomic


def stamped_document(doc: dict) -> dict:
    """The document with its ``meta`` saying who wrote it and when (as Parseq does on export)."""
    meta = dict(doc.get("meta") or {})
    meta.update(
        generated_by="sd-webui-parseq",
        version=__version__,
        generated_at=datetime.now(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT"),
    )
    return dict(doc, meta=meta)


def write_exports(doc: dict, manifest: dict | None, directory: str | Path | None = None) -> tuple[str, str | None]:
    """Write ``parseq-document.json`` and (when compiled) ``parseq-manifest.json``; returns their paths.

    Each call writes into a fresh temporary folder, so two browser sessions never overwrite each other's files.
    """
    folder = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="parseq-export-"))
    folder.mkdir(parents=True, exist_ok=True)
    document_path = folder / "parseq-document.json"
    write_text_atomic(document_path, json.dumps(stamped_document(doc), indent=2))
    if not manifest:
        return str(document_path), None
    manifest_path = folder / "parseq-manifest.json"
    write_text_atomic(manifest_path, json.dumps(manifest, separators=(",", ":")))
    return str(document_path), str(manifest_path)


def deforum_schedules_text(manifest: dict | None, fields: list[str] | None = None) -> str:
    """Deforum schedule strings for the rendered fields, as a JSON object to paste into Deforum settings."""
    if not manifest:
        return ""
    from lib_parseq.schedules import to_deforum_schedules

    return json.dumps(to_deforum_schedules(manifest, fields=fields or None), indent=2)
