"""Checks on an output file named on the command line, made before any work so that a bad path fails at once."""

from __future__ import annotations

from pathlib import Path

from lib_parseq.errors import RenderError


def check_output_file(output: str | Path) -> None:
    """RenderError unless ``output`` can be a file: not a directory, and its folder exists."""
    path = Path(output)
    if path.is_dir():
        raise RenderError("the output is a directory; give a file name", path=str(path))
    folder = path.parent
    if not folder.is_dir():
        raise RenderError(f"the output's folder {folder} does not exist", path=str(path))
