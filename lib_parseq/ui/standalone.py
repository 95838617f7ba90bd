"""Serve the Parseq tab on its own, without A1111 (``python -m lib_parseq ui``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lib_parseq.ui import build_tab


def launch(host: str = "127.0.0.1", port: int | None = None, *, block: bool = True, open_browser: bool = False,
           render_dir: Path = Path("outputs")) -> Any:
    """Start the editor's web server; with ``block=False`` return the running ``gr.Blocks`` (tests close it).
    The Render tab writes its videos into ``render_dir`` (made when the first render starts)."""
    app = build_tab(standalone=True, render_dir=Path(render_dir).absolute())
    app.queue()
    app.launch(
        server_name=host,
        server_port=port,
        inbrowser=open_browser,
        prevent_thread_lock=not block,
        show_api=False,
        quiet=not block,
    )
    return app
