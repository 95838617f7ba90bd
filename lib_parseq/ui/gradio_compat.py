"""The few places where gradio 3.41 (A1111's pin) and gradio 4.x (Forge) spell the same thing differently."""

from __future__ import annotations

from typing import Any


def gradio_major() -> int:
    """The installed gradio's major version."""
    import gradio

    return int(str(gradio.__version__).split(".", 1)[0])


def js_kwargs(code: str) -> dict[str, Any]:
    """The keyword that attaches browser-side JavaScript to an event: ``_js`` in gradio 3, ``js`` in gradio 4."""
    return {"js": code} if gradio_major() >= 4 else {"_js": code}


def png_image_kwargs() -> dict[str, Any]:
    """Keywords for a ``gr.Image`` that shows a generated picture as PNG: gradio 4 sends pictures as lossy WebP
    unless told (slower to encode than the chart takes to draw, and blurred text); gradio 3 always sends PNG."""
    return {"format": "png"} if gradio_major() >= 4 else {}
