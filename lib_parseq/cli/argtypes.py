"""Argument types shared by the commands' parsers."""

from __future__ import annotations

import argparse


def positive_float(text: str) -> float:
    """A number above 0, or argparse's usage error naming the text."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value
