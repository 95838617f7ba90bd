"""prompt-travel's export tools, applied to the frames on their way to the encoder.

``pick`` is a Python-style slice of the rendered frames (``::2`` every other frame, ``:-1`` all but the last,
``5`` frame 5 alone; no negative step, since frames stream to the encoder in render order), read by a
regular expression, never evaluated. ``pad`` repeats the first and the last
picked frame extra times (a still lead-in and hold). The rendered frames, the PNG copies and resuming are
unchanged: only what the video receives is.
"""

from __future__ import annotations

import re

import numpy as np

from lib_parseq.errors import RenderError
from lib_parseq.video import VideoWriter

MAX_PAD = 100_000
_INDEX = r"\s*([+-]?\d{1,9})?\s*"
_SLICE = re.compile(rf"^{_INDEX}(?::{_INDEX}(?::{_INDEX})?)?$")


def parse_pick(text: str | None) -> slice:
    """The slice a pick text names; blank picks everything. Bad text is a RenderError naming ``pick``."""
    text = (text or "").strip()
    if not text:
        return slice(None)
    match = _SLICE.match(text)
    if match is None:
        raise RenderError(f"pick {text!r} is not a slice such as '::2', '10:50' or ':-1' (start:stop:step, "
                          "whole numbers)")
    start, stop, step = (None if group is None else int(group) for group in match.groups())
    if ":" not in text:
        if start is None:
            raise RenderError(f"pick {text!r} is not a slice such as '::2'")
        return slice(start, None if start == -1 else start + 1)
    if step == 0:
        raise RenderError("pick step cannot be zero")
    if step is not None and step < 0:
        raise RenderError(f"pick {text!r}: a negative step would reverse the video, but frames are encoded in "
                          "the order they are rendered; reverse the finished video instead")
    return slice(start, stop, step)


def parse_pad(text: str | int | tuple[int, int] | None) -> tuple[int, int]:
    """``(first, last)`` extra copies from ``"N"`` (both ends), ``"A,B"``, a number or a pair."""
    if text is None or text == "":
        return (0, 0)
    if isinstance(text, tuple):
        parts = list(text)
    elif isinstance(text, int):
        parts = [text]
    else:
        words = [word.strip() for word in str(text).split(",")]
        if not 1 <= len(words) <= 2 or not all(re.fullmatch(r"\d{1,9}", word) for word in words):
            raise RenderError(f"pad {text!r} must be N or FIRST,LAST (whole numbers of frames)")
        parts = [int(word) for word in words]
    first, last = (parts[0], parts[0]) if len(parts) == 1 else (parts[0], parts[1])
    if not (0 <= first <= MAX_PAD and 0 <= last <= MAX_PAD):
        raise RenderError(f"pad must be between 0 and {MAX_PAD} frames at each end, got {first},{last}")
    return (int(first), int(last))


def check_export(pick: str | None, pad: str | int | tuple[int, int] | None, total: int) -> None:
    """Raise the RenderError a bad pick or pad would give, before the encoder starts."""
    parse_pad(pad)
    selection = parse_pick(pick)
    if len(range(total)[selection]) == 0:
        raise RenderError(f"pick {_slice_text(selection)} selects none of the {total} frames")


class ExportingWriter:
    """A VideoWriter that receives every rendered frame in order and passes on only the picked ones, the
    first picked frame ``1 + pad_first`` times and the last ``1 + pad_last`` times."""

    def __init__(self, writer: VideoWriter, total: int, pick: slice, pad: tuple[int, int], *, seen: int = 0) -> None:
        self._writer = writer
        self._picked = range(total)[pick]
        if len(self._picked) == 0:  # check_export, called when planning, reports this before the encoder starts
            raise RenderError(f"pick {_slice_text(pick)} selects none of the {total} frames")
        self._first, self._last = self._picked[0], self._picked[-1]
        self._pad_first, self._pad_last = pad
        self._seen = seen

    @property
    def pid(self) -> int:
        return self._writer.pid

    def write(self, frame: np.ndarray) -> None:
        index = self._seen
        self._seen += 1
        if index not in self._picked:
            return
        copies = 1 + (self._pad_first if index == self._first else 0) + (self._pad_last if index == self._last else 0)
        for _ in range(copies):
            self._writer.write(frame)

    def cut(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 - a segmented writer's cut, passed on
        self._writer.cut(*args, **kwargs)

    def close(self) -> None:
        self._writer.close()

    def abort(self) -> None:
        self._writer.abort()


def exporting(writer: VideoWriter, total: int, pick: str | None, pad: str | int | tuple[int, int] | None, *,
              seen: int = 0):
    """``writer`` itself when there is nothing to pick or pad, else an ExportingWriter around it; ``seen``
    rendered frames are already in the video (a segmented resume continues the file)."""
    selection, padding = parse_pick(pick), parse_pad(pad)
    if selection == slice(None) and padding == (0, 0):
        return writer
    return ExportingWriter(writer, total, selection, padding, seen=seen)


def _slice_text(pick: slice) -> str:
    parts = ["" if v is None else str(v) for v in (pick.start, pick.stop, pick.step)]
    return ":".join(parts).rstrip(":") or ":"
