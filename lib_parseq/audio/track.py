"""The audio a document was made from (``meta.audio``), so a render can default to the same track.

``meta.audio`` holds ``file`` (relative to the document's folder when the audio lies under it, else absolute),
``start`` (seconds into the file that frame 0 shows: the trim start, moved to the first downbeat when the
bpm was taken from the audio), ``end``, ``component``, ``tempo`` and ``beatsPerBar``. A render uses the file
only when no audio was given explicitly, the document came from a local file, and the audio file exists.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lib_parseq.audio.features import AudioAnalysis, FrameSeries


@dataclass(frozen=True)
class DocumentAudio:
    """The audio track a document names: the file and where frame 0 falls in it, in seconds."""

    path: Path
    start_s: float


def audio_reference(analysis: AudioAnalysis, frames: FrameSeries, document_dir: str | Path | None) -> dict[str, Any]:
    """``meta.audio`` for a document saved in ``document_dir`` (None: keep the path as given)."""
    path = analysis.path.resolve()
    name = str(analysis.path)
    if document_dir is not None:
        folder = Path(document_dir).resolve()
        name = os.path.relpath(path, folder) if path.is_relative_to(folder) else str(path)
    return {
        "file": Path(name).as_posix() if not Path(name).is_absolute() else name,
        "start": round(analysis.start_s + frames.origin_s, 6),
        "end": analysis.end_s,
        "component": analysis.features.component,
        "tempo": round(float(frames.tempo), 3),
        "beatsPerBar": analysis.rhythm.beats_per_bar,
    }


def document_audio(doc: Mapping[str, Any], document_dir: str | Path | None) -> DocumentAudio | None:
    """The audio named by ``doc["meta"]["audio"]`` when it exists on disk, else None.

    Relative names resolve against ``document_dir`` (None: the document has no folder, e.g. it came from a
    URL or a text box, and only an absolute name is used).
    """
    meta = doc.get("meta") if isinstance(doc, Mapping) else None
    audio = meta.get("audio") if isinstance(meta, Mapping) else None
    if not isinstance(audio, Mapping) or not isinstance(audio.get("file"), str) or not audio["file"]:
        return None
    path = Path(audio["file"])
    if not path.is_absolute():
        if document_dir is None:
            return None
        path = Path(document_dir) / path
    if not path.is_file():
        return None
    start = audio.get("start")
    valid_start = isinstance(start, int | float) and not isinstance(start, bool) and math.isfinite(start) and start > 0
    return DocumentAudio(path=path, start_s=float(start) if valid_start else 0.0)
