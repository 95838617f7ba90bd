"""What the tab hands out: the document and the rendered manifest as files, and Deforum schedule strings."""

from __future__ import annotations

import atexit
import functools
import hashlib
import json
import os
import shutil
import tempfile
import threading
from datetime import datetime, timezone
from pathlib import Path

from lib_parseq import __version__
from lib_parseq.atomic import write_text_atomic

# Prepared downloads live in one private folder per process (per temp dir), one sub-folder per content;
# only the most recent few are kept. Gradio copies a returned file into its own cache while answering the
# click, so an older export is no longer needed; clicking again without changes rewrites nothing.
KEPT_EXPORTS = 4
_export_roots: dict[str, Path] = {}
_export_lock = threading.Lock()


@functools.lru_cache(maxsize=64)
def _export_time(document_digest: str) -> str:
    """When this document content was first exported: unchanged content keeps its stamp, and so its bytes."""
    return datetime.now(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")


def stamped_document(doc: dict) -> dict:
    """The document with its ``meta`` saying who wrote it and when (as Parseq does on export)."""
    meta = dict(doc.get("meta") or {})
    digest = hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode("utf-8", "replace")).hexdigest()
    meta.update(generated_by="sd-webui-parseq", version=__version__, generated_at=_export_time(digest))
    return dict(doc, meta=meta)


def _export_root() -> Path:
    temp = tempfile.gettempdir()
    root = _export_roots.get(temp)
    if root is None or not root.is_dir():
        root = _export_roots[temp] = Path(tempfile.mkdtemp(prefix="parseq-exports-"))
        atexit.register(shutil.rmtree, root, True)
    return root


def _prune(root: Path, keep: Path) -> None:
    folders = sorted((p for p in root.iterdir() if p.is_dir() and p != keep), key=lambda p: p.stat().st_mtime)
    for old in folders[: max(len(folders) - (KEPT_EXPORTS - 1), 0)]:
        shutil.rmtree(old, ignore_errors=True)


def write_exports(doc: dict, manifest: dict | None, directory: str | Path | None = None) -> tuple[str, str | None]:
    """Write ``parseq-document.json`` and (when compiled) ``parseq-manifest.json``; returns their paths.

    Without ``directory`` the files go into a folder named by their content, so two sessions never overwrite
    each other's files, repeated clicks reuse one folder, and at most ``KEPT_EXPORTS`` folders stay on disk.
    """
    document_text = json.dumps(stamped_document(doc), indent=2)
    manifest_text = json.dumps(manifest, separators=(",", ":")) if manifest else None
    with _export_lock:
        if directory:
            folder = Path(directory)
        else:
            digest = hashlib.sha256(f"{document_text}\0{manifest_text}".encode("utf-8", "replace")).hexdigest()
            root = _export_root()
            folder = root / digest[:24]
            _prune(root, keep=folder)
        folder.mkdir(parents=True, exist_ok=True)
        os.utime(folder)
        document_path = folder / "parseq-document.json"
        write_text_atomic(document_path, document_text)
        if manifest_text is None:
            return str(document_path), None
        manifest_path = folder / "parseq-manifest.json"
        write_text_atomic(manifest_path, manifest_text)
    return str(document_path), str(manifest_path)


def deforum_schedules_text(manifest: dict | None, fields: list[str] | None = None) -> str:
    """Deforum schedule strings for the rendered fields, as a JSON object to paste into Deforum settings."""
    if not manifest:
        return ""
    from lib_parseq.schedules import to_deforum_schedules

    return json.dumps(to_deforum_schedules(manifest, fields=fields or None), indent=2)
