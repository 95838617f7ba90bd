"""Merging an analysis into a Parseq document: time series, labelled keyframes, bpm, and the audio's name.

Nothing already in the document is lost: a keyframe that already sits on a beat keeps its values and gains
the label in its ``info``; series of other names stay; a series of the same name is replaced (it is the
result of an earlier analysis, or the user asked for it by name). Keyframes are only added inside the
document's frame range, unless ``extend`` moves the last keyframe to the end of the audio.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lib_parseq.audio.choices import KEYFRAME_MODES
from lib_parseq.audio.features import FrameSeries
from lib_parseq.schedules.document import copy_json

DECIMALS = 5


@dataclass
class MergeSummary:
    """What a merge changed, for the command's message and the tab's status line."""

    series_added: list[str] = field(default_factory=list)
    series_replaced: list[str] = field(default_factory=list)
    keyframes_added: int = 0
    keyframes_labelled: int = 0
    bpm: float | None = None

    def describe(self) -> str:
        parts = []
        if self.series_added or self.series_replaced:
            names = ", ".join(self.series_added + self.series_replaced)
            replaced = f" ({len(self.series_replaced)} replaced)" if self.series_replaced else ""
            parts.append(f"series {names}{replaced}")
        if self.keyframes_added or self.keyframes_labelled:
            parts.append(f"{self.keyframes_added} keyframes added, {self.keyframes_labelled} labelled")
        if self.bpm is not None:
            parts.append(f"bpm {self.bpm:g}")
        return "; ".join(parts) if parts else "nothing changed"


def new_document(fps: float, frame_count: int) -> dict[str, Any]:
    """A document spanning the audio: keyframes at the first and last frame, zoom and strength managed."""
    return {
        "meta": {"generated_by": "sd-webui-parseq audio"},
        "options": {"output_fps": int(fps) if float(fps).is_integer() else fps, "bpm": 120, "cadence": 1},
        "managedFields": ["seed", "strength", "zoom"],
        "displayedFields": ["seed", "strength", "zoom"],
        "keyframes": [{"frame": 0}, {"frame": max(frame_count - 1, 1)}],
        "timeSeries": [],
    }


def compact_samples(values: np.ndarray) -> list[dict[str, float]]:
    """``[{x: frame, y: value}]`` keeping only the ends of runs of equal values.

    Step and linear lookups of the result equal those of the full series, at a fraction of the size for
    pulses and flat stretches.
    """
    rounded = np.round(np.asarray(values, dtype=float), DECIMALS)
    if rounded.size == 0:
        return []
    changes = np.ones(rounded.size, dtype=bool)
    changes[1:] = rounded[1:] != rounded[:-1]
    keep = changes.copy()
    keep[:-1] |= changes[1:]
    keep[-1] = True
    return [{"x": int(x), "y": float(rounded[x])} for x in np.flatnonzero(keep)]


def add_series(doc: dict[str, Any], series: Mapping[str, np.ndarray], summary: MergeSummary) -> None:
    """Put each series in ``doc["timeSeries"]`` under its alias (frames as x), replacing one of the same alias."""
    entries = doc.setdefault("timeSeries", [])
    index_of = {entry.get("alias"): i for i, entry in enumerate(entries) if isinstance(entry, dict)}
    for alias, values in series.items():
        entry = {"alias": alias, "ts": {"data": compact_samples(values), "timestampType": 0}}
        if alias in index_of:
            entries[index_of[alias]] = entry
            summary.series_replaced.append(alias)
        else:
            entries.append(entry)
            summary.series_added.append(alias)


def _with_label(info: Any, label: str) -> str:
    text = info if isinstance(info, str) else ""
    if re.search(rf"(^|\s){re.escape(label)}(\s|$)", text):
        return text
    return f"{text} {label}".strip()


def add_keyframes(doc: dict[str, Any], labelled_frames: Mapping[int, str], summary: MergeSummary, *,
                  extend_to: int | None = None) -> None:
    """Keyframes labelled ``info`` at the given frames, inside the document (or up to ``extend_to``)."""
    keyframes = doc.setdefault("keyframes", [])
    by_frame = {kf["frame"]: kf for kf in keyframes if isinstance(kf, dict) and isinstance(kf.get("frame"), int)}
    last = max(by_frame, default=0)
    if extend_to is not None and extend_to > last:
        by_frame[extend_to] = {"frame": extend_to}
        keyframes.append(by_frame[extend_to])
        last = extend_to
    for frame, label in sorted(labelled_frames.items()):
        if frame > last:
            break
        existing = by_frame.get(frame)
        if existing is None:
            existing = by_frame[frame] = {"frame": frame, "info": label}
            keyframes.append(existing)
            summary.keyframes_added += 1
            continue
        labelled = _with_label(existing.get("info"), label)
        if labelled != existing.get("info"):
            existing["info"] = labelled
            summary.keyframes_labelled += 1
    keyframes.sort(key=lambda kf: kf.get("frame", 0) if isinstance(kf, dict) else 0)


def event_labels(frames: FrameSeries, mode: str) -> dict[int, str]:
    """The frames to key for ``mode`` (beats: ``downbeat``/``beat``; onsets: ``onset``) and their labels."""
    if mode not in KEYFRAME_MODES:
        raise ValueError(f"keyframes must be one of {', '.join(KEYFRAME_MODES)}, not {mode!r}")
    if mode == "onsets":
        return {int(frame): "onset" for frame in frames.onset_frames}
    if mode == "beats":
        labels = {int(frame): "beat" for frame in frames.beat_frames}
        labels.update({int(frame): "downbeat" for frame in frames.downbeat_frames})
        return labels
    return {}


def merge_analysis(
    doc: Mapping[str, Any] | None,
    frames: FrameSeries,
    *,
    keyframes: str = "beats",
    set_bpm: bool = False,
    extend: bool = False,
    audio_reference: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], MergeSummary]:
    """A copy of ``doc`` (a new document spanning the audio when None) with the analysis merged in.

    ``set_bpm`` writes the detected tempo to ``options.bpm``; ``audio_reference`` (see ``track.py``) is
    stored as ``meta.audio`` so the render can default to the same audio.
    """
    summary = MergeSummary()
    result = new_document(frames.fps, frames.frame_count) if doc is None else copy_json(dict(doc))
    add_series(result, frames.series, summary)
    extend_to = frames.frame_count - 1 if extend else None
    add_keyframes(result, event_labels(frames, keyframes), summary, extend_to=extend_to)
    if set_bpm and frames.tempo > 0:
        options = result.get("options") if isinstance(result.get("options"), dict) else {}
        options["bpm"] = round(float(frames.tempo), 3)
        result["options"] = options
        summary.bpm = options["bpm"]
    if audio_reference is not None:
        meta = result.get("meta") if isinstance(result.get("meta"), dict) else {}
        meta["audio"] = dict(audio_reference)
        result["meta"] = meta
    return result, summary
