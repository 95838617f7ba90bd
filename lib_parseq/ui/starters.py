"""Starter documents shipped with the tab (``starters/*.json``), to begin a new sequence from."""

from __future__ import annotations

import json
from pathlib import Path

from lib_parseq.errors import DocumentError
from lib_parseq.ui.document import prepare_document

STARTERS_DIR = Path(__file__).with_name("starters")
STARTERS = {
    "Blank": "blank.json",
    "Multi-prompt morph": "multi-prompt-morph.json",
    "Beat-synced zoom": "beat-synced-zoom.json",
    "Beat-synced from audio": "beat-synced-from-audio.json",
    "3D orbit": "3d-orbit.json",
}
DEFAULT_STARTER = "Multi-prompt morph"


def starter_names() -> list[str]:
    """The starters' display names, in menu order."""
    return list(STARTERS)


def load_starter(name: str) -> dict:
    """A fresh editable copy of the starter called ``name``."""
    if name not in STARTERS:
        raise DocumentError(f"unknown starter {name!r}; choose one of: {', '.join(STARTERS)}")
    with open(STARTERS_DIR / STARTERS[name], encoding="utf-8") as handle:
        return prepare_document(json.load(handle))
