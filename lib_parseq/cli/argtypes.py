"""Argument types shared by the commands' parsers."""

from __future__ import annotations

import argparse


def fps(text: str) -> float:
    """A frame rate in the usable range (``MIN_FPS``..``MAX_FPS``), or argparse's usage error naming it."""
    from lib_parseq.schedules.validate_options import MAX_FPS, MIN_FPS, fps_range_message

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not MIN_FPS <= value <= MAX_FPS:  # NaN fails too
        raise argparse.ArgumentTypeError(fps_range_message(value))
    return value
