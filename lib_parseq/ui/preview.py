"""What the tab shows for a document: compile it, then chart, tabulate and quote the rendered frames.

``compile_preview`` is the one function the tab's change handler calls after every edit; the benchmark calls
it too. It never raises for bad user input: the error comes back as text for the error box, and the last good
charts stay on screen. It compiles incrementally from the previous preview (only the fields an edit changed
are evaluated again) and keeps the result as columns: the table, the prompt and the manifest preview build
only the frames they show, and the whole manifest is built when it is exported or sent.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lib_parseq.errors import ParseqError
from lib_parseq.json_output import to_json
from lib_parseq.schedules.compiled import CompiledDocument
from lib_parseq.schedules.keyframes import has_value
from lib_parseq.ui.chart import DISPLAY_POINTS, FieldSeries, draw_charts
from lib_parseq.ui.document import shown_fields

PREVIEW_RANDOM_SEED = 0
"""Seed for unseeded ``rand``/``smrand`` while editing, so a chart does not jump on every keystroke."""

MANIFEST_PREVIEW_FRAMES = 300
TABLE_ROWS = 40


@dataclass
class Preview:
    """The compiled document and everything drawn from it (``error`` is set instead when it did not compile;
    ``compiled`` and ``chart`` are then the last good ones)."""

    key: str
    compiled: CompiledDocument | None = None
    error: str = ""
    chart: Any = None
    extra: dict = field(default_factory=dict)

    @property
    def manifest(self) -> dict | None:
        """The whole rendered manifest (built from the columns on first use)."""
        return self.compiled.manifest if self.compiled is not None else None


Rendered = CompiledDocument | Mapping[str, Any] | None
"""What the view functions read frames from: compiled columns, or a manifest dict."""


def _frame_count(source: Rendered) -> int:
    if source is None:
        return 0
    if isinstance(source, CompiledDocument):
        return source.frame_count
    return len(source.get("rendered_frames", []))


def _frames(source: Rendered, start: int, stop: int) -> list[dict]:
    """``rendered_frames[start:stop]`` of ``source``."""
    if source is None:
        return []
    if isinstance(source, CompiledDocument):
        return source.frames(start, stop)
    return list(source.get("rendered_frames", [])[start:stop])


def document_key(doc: dict) -> str:
    """A short hash of a document's content: equal documents need no recompile."""
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def compile_manifest(doc: dict, *, random_seed: int | None = PREVIEW_RANDOM_SEED) -> dict:
    """Compile an editor document into a rendered manifest (raises ParseqError on bad input)."""
    from lib_parseq.schedules import compile_document

    return compile_document(doc, random_seed=random_seed)


def error_html(error: BaseException | str) -> str:
    """The error box: the full message with field, frame and caret excerpt, in a monospace block."""
    if not error:
        return ""
    return f'<pre class="parseq-error" id="parseq_error_text">{html.escape(str(error))}</pre>'


def field_series(source: Rendered, doc: dict, fields: list[str]) -> list[FieldSeries]:
    """Each field's values over all rendered frames (NaN where not a finite number), and its keyframes."""
    series = []
    for name in fields:
        values = _field_values(source, name)
        marked = [
            int(k["frame"])
            for k in doc.get("keyframes", [])
            if has_value(k.get(name)) and isinstance(k.get("frame"), (int, float))
        ]
        series.append(FieldSeries(name=name, values=values, keyframe_frames=marked))
    return series


def _field_values(source: Rendered, name: str) -> np.ndarray:
    if isinstance(source, CompiledDocument):
        values = source.values.get(name)
        if values is None:
            return np.full(source.frame_count, np.nan)
        return np.where(np.isfinite(values), values, np.nan)
    return _column((source or {}).get("rendered_frames", []), name)


def _column(frames: list[dict], name: str) -> np.ndarray:
    """One field over all frames as floats (NaN where missing or not a number)."""
    raw = [f.get(name) for f in frames]
    try:
        values = np.array(raw, dtype=np.float64)  # None becomes NaN; the common case, in one C loop
        if values.ndim == 1:
            return values
    except (TypeError, ValueError):
        pass
    return np.fromiter((_as_float(v) for v in raw), dtype=np.float64, count=len(raw))


def _as_float(value: object) -> float:
    if value is None:
        return float("nan")
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def chart_for(source: Rendered, doc: dict, unit: str = "frames", *, max_points: int | None = DISPLAY_POINTS) -> Any:
    """The stacked charts of the shown fields."""
    options = doc.get("options") or {}
    labels = {int(k["frame"]): str(k.get("info") or "") for k in doc.get("keyframes", []) if "frame" in k}
    return draw_charts(
        field_series(source, doc, shown_fields(doc)),
        unit=unit,
        fps=float(options.get("output_fps") or 20),
        bpm=float(options.get("bpm") or 140),
        max_points=max_points,
        info_labels=labels,
    )


def compile_preview(
    doc: dict, unit: str = "frames", *, previous: Preview | None = None, max_points: int | None = DISPLAY_POINTS
) -> Preview:
    """Compile ``doc`` and draw its charts; reuse ``previous`` when the document has not changed, and what of
    it the edit left alone when it has.

    On a user error the result carries the message and the previous chart, so the screen keeps the last
    good picture while the error is fixed. ``max_points=None`` draws every frame.
    """
    from lib_parseq.schedules.compiler import compile_columns

    key = document_key(doc)
    if previous is not None and previous.key == key and not previous.error:
        if previous.extra.get("unit") == unit:
            return previous
        chart = chart_for(previous.compiled, doc, unit, max_points=max_points) if previous.compiled else None
        return Preview(key=key, compiled=previous.compiled, chart=chart, extra={"unit": unit})
    earlier = previous.compiled if previous is not None else None
    try:
        compiled = compile_columns(doc, random_seed=PREVIEW_RANDOM_SEED, previous=earlier)
    except ParseqError as exc:
        return Preview(
            key=key,
            error=str(exc),
            chart=previous.chart if previous else None,
            compiled=earlier,
            extra={"unit": unit, "stale": True},
        )
    chart = chart_for(compiled, doc, unit, max_points=max_points)
    return Preview(key=key, compiled=compiled, chart=chart, extra={"unit": unit})


def frame_table(source: Rendered, fields: list[str], start: int = 0, rows: int = TABLE_ROWS) -> tuple[list[str], list[list]]:
    """A window of the rendered frames (``rows`` frames from ``start``): frame, the fields, and the prompt."""
    headers = ["frame", *fields, "deforum_prompt"]
    count = _frame_count(source)
    if not count:
        return headers, []
    start = max(0, min(int(start or 0), count - 1))
    table = []
    for frame in _frames(source, start, start + rows):
        row = [frame.get("frame")]
        for name in fields:
            value = frame.get(name)
            row.append(round(value, 6) if isinstance(value, float) else value)
        row.append(frame.get("deforum_prompt", ""))
        table.append(row)
    return headers, table


def prompt_at(source: Rendered, frame: int | float | None) -> str:
    """The rendered prompt (Deforum's ``positive --neg negative`` form) at ``frame``."""
    count = _frame_count(source)
    if not count:
        return ""
    index = max(0, min(int(frame or 0), count - 1))
    rendered = _frames(source, index, index + 1)[0]
    if "deforum_prompt" not in rendered:
        return "(prompts are disabled in this document)"
    return str(rendered["deforum_prompt"])


def manifest_preview(source: Rendered, limit: int = MANIFEST_PREVIEW_FRAMES) -> tuple[str, str]:
    """The manifest as JSON for the page, and a label saying whether frames were left out to keep it light."""
    if not source:
        return "", "Rendered manifest"
    count = _frame_count(source)
    if isinstance(source, CompiledDocument):
        shown = source.manifest_with(source.frames(0, limit))
    else:
        shown = dict(source, rendered_frames=source.get("rendered_frames", [])[:limit])
    if count <= limit:
        return to_json(shown, indent=2), f"Rendered manifest ({count} frames)"
    return (
        to_json(shown, indent=2),
        f"Rendered manifest: first {limit} of {count} frames shown (download or send for all of them)",
    )


def manifest_json(manifest: dict | None) -> str:
    """The whole manifest as compact JSON (what is sent to img2img and downloaded)."""
    return json.dumps(manifest, separators=(",", ":")) if manifest else ""
