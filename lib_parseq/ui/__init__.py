"""The Parseq editor tab (gradio): used inside A1111 by ``scripts/parseq_tab.py`` and standalone by
``python -m lib_parseq ui``. gradio is imported only when the tab is built."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def build_tab(*, standalone: bool = False, render_dir: Path | None = None) -> Any:
    """Build the Parseq tab as a ``gr.Blocks`` (see ``lib_parseq.ui.tab``)."""
    from lib_parseq.ui.tab import build_tab as _build_tab

    return _build_tab(standalone=standalone, render_dir=render_dir)
