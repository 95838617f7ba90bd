"""What the tab shows for a document: compile it, then chart, tabulate and quote the rendered frames.

``compile_preview`` is the one function the tab's change handler calls after every edit; the benchmark calls
it too. It never raises for bad user input: the error comes back as text for the error box, and the last good
charts stay on screen.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass, field

import numpy as np

from lib_parseq.errors import ParseqError
from lib_parseq.json_output import to_json
from lib_parseq.schedules.keyframes import has_value
from lib_parseq.ui.chart import DISPLAY_POINTS, FieldSeries, draw_charts
from lib_parseq.ui.document import shown_fields

PREVIEW_RANDOM_SEED = 0
"""Seed for unseeded ``rand``/``smrand`` while editing, so a chart does not jump on every keystroke."""

MANIFEST_PREVIEW_FRAMES = 300
TABLE_ROWS = 40


@dataclass
class Preview:
    """The compiled document and everything drawn from it (``error`` is set instead when it did not compile)."""

    key: str
    manifest: dict | None = None
    error: str = ""
    chart: np.ndarray | None = None
    extra: dict = field(default_factory=dict)


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


def field_series(manifest: dict, doc: dict, fields: list[str]) -> list[FieldSeries]:
    """Each field's values over all rendered frames, and the keyframes that define it."""
    frames = manifest.get("rendered_frames", [])
    series = []
    for name in fields:
        values = _column(frames, name)
        marked = [
            int(k["frame"])
            for k in doc.get("keyframes", [])
            if has_value(k.get(name)) and isinstance(k.get("frame"), (int, float))
        ]
        series.append(FieldSeries(name=name, values=values, keyframe_frames=marked))
    return series


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


def chart_for(
    manifest: dict, doc: dict, unit: str = "frames", *, max_points: int | None = DISPLAY_POINTS
) -> np.ndarray:
    """The stacked charts of the shown fields."""
    options = doc.get("options") or {}
    labels = {int(k["frame"]): str(k.get("info") or "") for k in doc.get("keyframes", []) if "frame" in k}
    return draw_charts(
        field_series(manifest, doc, shown_fields(doc)),
        unit=unit,
        fps=float(options.get("output_fps") or 20),
        bpm=float(options.get("bpm") or 140),
        max_points=max_points,
        info_labels=labels,
    )


def compile_preview(
    doc: dict, unit: str = "frames", *, previous: Preview | None = None, max_points: int | None = DISPLAY_POINTS
) -> Preview:
    """Compile ``doc`` and draw its charts; reuse ``previous`` when the document has not changed.

    On a user error the result carries the message and the previous chart, so the screen keeps the last
    good picture while the error is fixed. ``max_points=None`` draws every frame (the benchmark's baseline).
    """
    key = document_key(doc)
    if previous is not None and previous.key == key and not previous.error:
        if previous.extra.get("unit") == unit:
            return previous
        chart = chart_for(previous.manifest, doc, unit, max_points=max_points) if previous.manifest else None
        return Preview(key=key, manifest=previous.manifest, chart=chart, extra={"unit": unit})
    try:
        manifest = compile_manifest(doc)
    except ParseqError as exc:
        return Preview(
            key=key,
            error=str(exc),
            chart=previous.chart if previous else None,
            manifest=previous.manifest if previous else None,
            extra={"unit": unit, "stale": True},
        )
    chart = chart_for(manifest, doc, unit, max_points=max_points)
    return Preview(key=key, manifest=manifest, chart=chart, extra={"unit": unit})


def frame_table(manifest: dict | None, fields: list[str], start: int = 0, rows: int = TABLE_ROWS) -> tuple[list[str], list[list]]:
    """A window of the rendered frames (``rows`` frames from ``start``): frame, the fields, and the prompt."""
    headers = ["frame", *fields, "deforum_prompt"]
    if not manifest:
        return headers, []
    frames = manifest.get("rendered_frames", [])
    start = max(0, min(int(start or 0), max(len(frames) - 1, 0)))
    table = []
    for frame in frames[start : start + rows]:
        row = [frame.get("frame")]
        for name in fields:
            value = frame.get(name)
            row.append(round(value, 6) if isinstance(value, float) else value)
        row.append(frame.get("deforum_prompt", ""))
        table.append(row)
    return headers, table


def prompt_at(manifest: dict | None, frame: int | float | None) -> str:
    """The rendered prompt (Deforum's ``positive --neg negative`` form) at ``frame``."""
    if not manifest:
        return ""
    frames = manifest.get("rendered_frames", [])
    if not frames:
        return ""
    index = max(0, min(int(frame or 0), len(frames) - 1))
    rendered = frames[index]
    if "deforum_prompt" not in rendered:
        return "(prompts are disabled in this document)"
    return str(rendered["deforum_prompt"])


def manifest_preview(manifest: dict | None, limit: int = MANIFEST_PREVIEW_FRAMES) -> tuple[str, str]:
    """The manifest as JSON for the page, and a label saying whether frames were left out to keep it light."""
    if not manifest:
        return "", "Rendered manifest"
    frames = manifest.get("rendered_frames", [])
    if len(frames) <= limit:
        return to_json(manifest, indent=2), f"Rendered manifest ({len(frames)} frames)"
    shortened = dict(manifest, rendered_frames=frames[:limit])
    return (
        to_json(shortened, indent=2),
        f"Rendered manifest: first {limit} of {len(frames)} frames shown (download or send for all of them)",
    )


def manifest_json(manifest: dict | None) -> str:
    """The whole manifest as compact JSON (what is sent to img2img and downloaded)."""
    return json.dumps(manifest, separators=(",", ":")) if manifest else ""
