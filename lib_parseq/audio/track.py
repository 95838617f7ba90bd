"""The audio a document was made from (``meta.audio``), so a render can default to the same track.

``meta.audio`` holds ``file`` (relative to the document's folder when the audio lies under it, else absolute),
``path`` (absolute, for documents pasted where they have no folder, such as A1111's text box), ``start`` (seconds into the file that frame 0 shows: the trim start, moved to the first downbeat when the
bpm was taken from the audio), ``end``, ``component``, ``tempo`` and ``beatsPerBar``. A render uses the file
only when no audio was given explicitly, the document came from a local file, and the audio file exists.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
        "path": str(path),
        "start": round(analysis.start_s + frames.origin_s, 6),
        "end": analysis.end_s,
        "component": analysis.features.component,
        "tempo": round(float(frames.tempo), 3),
        "beatsPerBar": analysis.rhythm.beats_per_bar,
    }


def document_audio(doc: Mapping[str, Any], document_dir: str | Path | None) -> DocumentAudio | None:
    """The audio named by ``doc["meta"]["audio"]`` when it exists on disk, else None.

    ``file`` is tried against ``document_dir`` (None: the document has no folder, e.g. it came from a text
    box), then the absolute ``path`` recorded at analysis.
    """
    meta = doc.get("meta") if isinstance(doc, Mapping) else None
    audio = meta.get("audio") if isinstance(meta, Mapping) else None
    if not isinstance(audio, Mapping):
        return None
    candidates = []
    for key in ("file", "path"):
        name = audio.get(key)
        if isinstance(name, str) and name:
            if Path(name).is_absolute():
                candidates.append(Path(name))
            elif document_dir is not None:
                candidates.append(Path(document_dir) / name)
    found = next((path for path in candidates if path.is_file()), None)
    if found is None:
        return None
    start = audio.get("start")
    valid_start = isinstance(start, int | float) and not isinstance(start, bool) and math.isfinite(start) and start > 0
    return DocumentAudio(path=found, start_s=float(start) if valid_start else 0.0)


def audio_for_render(doc: Mapping[str, Any], explicit: str | Path | None,
                     document_dir: str | Path | None = None) -> DocumentAudio | None:
    """The audio track a render should use: the one given explicitly (from its start), else the one the
    document names (from where its frame 0 falls), else None. The A1111 script calls this with its audio
    input and the document from its text box."""
    if explicit:
        return DocumentAudio(path=Path(explicit), start_s=0.0)
    return document_audio(doc, document_dir)
