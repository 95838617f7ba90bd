"""Write output files atomically: the new content goes to a fresh temporary file in the same folder, which then
replaces the target in one rename. A failure part-way (bad text, a full disk, an interrupt) leaves the old
file as it was, a reader never sees half a file, and a symbolic link at the target is replaced, never
written through. Every file the CLI, the tab and the renderer's resume state write goes through here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import BinaryIO


def write_atomic(path: str | os.PathLike, write: Callable[[BinaryIO], object]) -> None:
    """Call ``write(handle)`` on a new temporary file beside ``path``, then rename it over ``path``.

    Plain strings inside (no ``pathlib``): the frame store calls this once per frame of long renders.
    """
    target = os.fspath(path)
    folder, name = os.path.split(target)
    temporary = os.path.join(folder, f".{name}.{os.urandom(4).hex()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(temporary, flags, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            write(handle)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically."""
    write_atomic(path, lambda handle: handle.write(data))


def write_text_atomic(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``text`` atomically; text that cannot be encoded fails before any file is touched."""
    write_bytes_atomic(path, text.encode(encoding))
