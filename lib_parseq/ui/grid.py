"""The keyframe grid: a document's keyframes as editable table rows, and the edited rows merged back.

One row per keyframe: ``frame``, ``info``, then for each shown field its value and its ``<field>_i``
interpolation cell. Every cell is text in the grid (blank means "no value"), so the conversions here decide
what a cell means and raise a located ``DocumentError`` when a cell cannot be read. Fields that are not
shown keep their values: rows are matched to the document's keyframes by position, which is how the grid
was built from them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from lib_parseq.errors import DocumentError

FRAME_COLUMN = "frame"
INFO_COLUMN = "info"


def grid_headers(fields: Sequence[str]) -> list[str]:
    """Column titles for the shown fields: frame, info, then value and interpolation per field."""
    headers = [FRAME_COLUMN, INFO_COLUMN]
    for field in fields:
        headers.extend([field, f"{field}_i"])
    return headers


def value_to_cell(value: Any) -> str:
    """Show a stored keyframe value as grid text: integers without ``.0``, blanks as ''."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def cell_to_number(text: Any, *, field: str, frame: int | None, row: int) -> float | int | str:
    """Read a value cell: blank → '' (no value), a number → int or float, anything else → DocumentError."""
    if text is None:
        return ""
    if isinstance(text, bool):
        return int(text)
    if isinstance(text, (int, float)):
        if isinstance(text, float) and math.isnan(text):
            return ""
        return _tidy_number(float(text))
    stripped = str(text).strip()
    if not stripped:
        return ""
    try:
        number = float(stripped)
    except ValueError:
        raise DocumentError(
            f"keyframe value {stripped!r} in row {row + 1} is not a number "
            f"(write an expression in the {field}_i cell instead)",
            field=field,
            frame=frame,
        ) from None
    if not math.isfinite(number):
        raise DocumentError(f"keyframe value {stripped!r} in row {row + 1} is not finite", field=field, frame=frame)
    return _tidy_number(number)


def _tidy_number(number: float) -> float | int:
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


def cell_to_frame(text: Any, *, row: int) -> int:
    """Read a frame cell: a non-negative whole number."""
    stripped = "" if text is None else str(text).strip()
    if not stripped:
        raise DocumentError(f"row {row + 1} has no frame number", field=FRAME_COLUMN)
    try:
        number = float(stripped)
    except ValueError:
        raise DocumentError(f"frame {stripped!r} in row {row + 1} is not a number", field=FRAME_COLUMN) from None
    if not number.is_integer() or number < 0:
        raise DocumentError(f"frame {stripped!r} in row {row + 1} must be a whole number ≥ 0", field=FRAME_COLUMN)
    return int(number)


def keyframes_to_rows(keyframes: Sequence[dict], fields: Sequence[str]) -> list[list[str]]:
    """The grid rows for ``keyframes`` (in document order) showing ``fields``."""
    rows = []
    for keyframe in keyframes:
        row = [value_to_cell(keyframe.get("frame")), str(keyframe.get("info") or "")]
        for field in fields:
            row.append(value_to_cell(keyframe.get(field, "")))
            interpolation = keyframe.get(f"{field}_i", "")
            row.append("" if interpolation is None else str(interpolation))
        rows.append(row)
    return rows


def _is_blank_row(row: Sequence[Any]) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in row)


def rows_to_keyframes(
    rows: Sequence[Sequence[Any]], headers: Sequence[str], previous: Sequence[dict]
) -> list[dict]:
    """Merge edited grid rows into the document's keyframes.

    Row i updates keyframe i (so hidden fields follow a keyframe whose frame is edited); rows past the
    end are new keyframes; entirely blank rows are dropped. Raises DocumentError naming the row, field
    and frame of the first unreadable cell, or the frame that appears twice.
    """
    headers = [str(h) for h in headers]
    if headers[:2] != [FRAME_COLUMN, INFO_COLUMN]:
        raise DocumentError(f"the keyframe grid must start with '{FRAME_COLUMN}' and '{INFO_COLUMN}' columns")
    keyframes: list[dict] = []
    seen: dict[int, int] = {}
    for index, row in enumerate(rows):
        cells = list(row) + [""] * (len(headers) - len(row))
        if _is_blank_row(cells):
            continue
        keyframe = dict(previous[index]) if index < len(previous) else {}
        frame = cell_to_frame(cells[0], row=index)
        if frame in seen:
            raise DocumentError(
                f"frame {frame} appears in rows {seen[frame] + 1} and {index + 1}; keyframe frames must be distinct",
                field=FRAME_COLUMN,
                frame=frame,
            )
        seen[frame] = index
        keyframe["frame"] = frame
        info = "" if cells[1] is None else str(cells[1])
        if info:
            keyframe["info"] = info
        else:
            keyframe.pop("info", None)
        for header, cell in zip(headers[2:], cells[2:], strict=False):
            if header.endswith("_i"):
                text = "" if cell is None else str(cell)
                if text.strip():
                    keyframe[header] = text
                else:
                    keyframe.pop(header, None)
            else:
                value = cell_to_number(cell, field=header, frame=frame, row=index)
                if value == "":
                    keyframe.pop(header, None)
                else:
                    keyframe[header] = value
        keyframes.append(keyframe)
    return keyframes


def sort_keyframes(keyframes: Sequence[dict]) -> list[dict]:
    """Keyframes in frame order (the order Parseq renders and exports them)."""
    return sorted((dict(k) for k in keyframes), key=lambda k: k.get("frame", 0))


def add_keyframe(keyframes: Sequence[dict], frame: int, info: str = "") -> list[dict]:
    """A copy of ``keyframes`` with a new, empty keyframe at ``frame``, sorted by frame."""
    frame = int(frame)
    if frame < 0:
        raise DocumentError(f"cannot add a keyframe at frame {frame}: frames start at 0", frame=frame)
    if any(k.get("frame") == frame for k in keyframes):
        raise DocumentError(f"there is already a keyframe at frame {frame}", frame=frame)
    new = {"frame": frame}
    if info:
        new["info"] = info
    return sort_keyframes([*keyframes, new])


def remove_keyframe(keyframes: Sequence[dict], frame: int) -> list[dict]:
    """A copy of ``keyframes`` without the keyframe at ``frame``; at least two keyframes must remain."""
    frame = int(frame)
    remaining = [dict(k) for k in keyframes if k.get("frame") != frame]
    if len(remaining) == len(keyframes):
        raise DocumentError(f"there is no keyframe at frame {frame} to remove", frame=frame)
    if len(remaining) < 2:
        raise DocumentError("a document needs at least 2 keyframes; add one before removing this one", frame=frame)
    return remaining


def set_last_frame(keyframes: Sequence[dict], last_frame: int) -> list[dict]:
    """Move the last keyframe to ``last_frame`` (the render runs from the first to the last keyframe)."""
    last_frame = int(last_frame)
    ordered = sort_keyframes(keyframes)
    if not ordered:
        return [{"frame": 0}, {"frame": last_frame}]
    if len(ordered) >= 2 and last_frame <= ordered[-2]["frame"]:
        raise DocumentError(
            f"last frame {last_frame} must come after the previous keyframe at frame {ordered[-2]['frame']}",
            frame=last_frame,
        )
    ordered[-1]["frame"] = last_frame
    return ordered
