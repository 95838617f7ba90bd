"""One render per output: an exclusive lock on a small file beside the video.

Two renders to the same output (started together, or ``<timestamp>`` resolving to the same second) would
interleave two encoders into one file and delete each other's resume state. The second render takes the
lock before it touches anything (the video, its sidecars, the work folder) and stops with a clear error.
The lock is held on an open file (``flock`` on POSIX, ``msvcrt.locking`` on Windows), so the system drops it
when the process ends for any reason: a crash or ``kill -9`` leaves no stale lock.
"""

from __future__ import annotations

import os
from pathlib import Path

from lib_parseq.errors import RenderError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None
    import msvcrt


def lock_file(video_path: Path) -> Path:
    """The lock file beside ``video_path`` (hidden, like the work folder)."""
    return video_path.with_name(f".{video_path.name}.lock")


class OutputLock:
    """Held while a render writes ``video_path``; ``release()`` (or the process ending) lets the next one in."""

    def __init__(self, video_path: Path) -> None:
        self.video_path = video_path
        self.path = lock_file(video_path)
        self._fd: int | None = None
        self._acquire()

    def _acquire(self) -> None:
        busy = RenderError(f"another render is writing {self.video_path} right now (it holds {self.path}); "
                           "wait for it to finish or choose another output name")
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
            except OSError as exc:
                raise RenderError(f"cannot create the lock file {self.path}: {exc.strerror or exc}") from exc
            try:
                _lock(fd)
            except OSError:
                os.close(fd)
                raise busy from None
            if fcntl is None:  # pragma: no cover - Windows cannot remove an open file, so no race to check
                self._fd = fd
                return
            # The holder before us may have removed the file after we opened it: then our lock is on a
            # name nobody else will open, so try again on the current file.
            try:
                current = os.stat(self.path)
            except FileNotFoundError:
                os.close(fd)
                continue
            opened = os.fstat(fd)
            if (current.st_dev, current.st_ino) == (opened.st_dev, opened.st_ino):
                self._fd = fd
                return
            os.close(fd)

    def release(self) -> None:
        """Remove the lock file and drop the lock (removal first, while it is still ours)."""
        if self._fd is None:
            return
        if fcntl is not None:
            try:
                os.unlink(self.path)
            except OSError:
                pass
        os.close(self._fd)
        self._fd = None
        if fcntl is None:  # pragma: no cover - Windows: remove once closed (a waiting render may win the race)
            try:
                os.unlink(self.path)
            except OSError:
                pass

    def __enter__(self) -> OutputLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _lock(fd: int) -> None:
    """Take the exclusive lock on ``fd`` without waiting; OSError when another process holds it."""
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    else:  # pragma: no cover - Windows
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
