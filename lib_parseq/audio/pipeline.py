"""One call from an audio file to a document: analyse, choose frame 0, sample at the fps, merge.

The CLI's ``audio`` command and the tab share it; the tab also calls the steps one by one so that it
analyses once and merges on each button.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lib_parseq.audio.features import FEATURES, AudioAnalysis, FrameSeries, analyse_file, frame_features
from lib_parseq.audio.keyframes import MergeSummary, merge_analysis
from lib_parseq.audio.track import audio_reference


@dataclass(frozen=True)
class SyncOptions:
    """How to turn an analysis into document content (the CLI's flags, the tab's controls)."""

    fps: float
    features: tuple[str, ...] = FEATURES
    keyframes: str = "beats"
    set_bpm: bool = False
    extend: bool = False
    smoothing_s: float = 0.0
    normalise_to: tuple[float, float] | None = (0.0, 1.0)
    prefix: str | None = None
    align_to_downbeat: bool | None = None

    @property
    def aligned(self) -> bool:
        """Whether frame 0 sits on the first downbeat: as asked, else whenever the bpm is taken."""
        return self.set_bpm if self.align_to_downbeat is None else self.align_to_downbeat


def sample_for_document(analysis: AudioAnalysis, options: SyncOptions) -> FrameSeries:
    """The analysis at the document's fps; when aligned, frame 0 sits on the first downbeat so that, with the
    detected bpm, the beat variable ``b`` counts the music's beats from frame 0."""
    origin = analysis.first_downbeat_s if options.aligned else 0.0
    return frame_features(analysis, options.fps, features=options.features, origin_s=origin,
                          smoothing_s=options.smoothing_s, normalise_to=options.normalise_to,
                          prefix=options.prefix)


def merge_into(doc: Mapping[str, Any] | None, analysis: AudioAnalysis, options: SyncOptions,
               document_dir: str | Path | None) -> tuple[dict[str, Any], MergeSummary, FrameSeries]:
    """``doc`` (None: a new one) with the analysis merged in, its fps set, and the audio named in meta."""
    frames = sample_for_document(analysis, options)
    merged, summary = merge_analysis(
        doc, frames, keyframes=options.keyframes, set_bpm=options.set_bpm, extend=options.extend,
        audio_reference=audio_reference(analysis, frames, document_dir),
    )
    merged["options"]["output_fps"] = int(options.fps) if float(options.fps).is_integer() else options.fps
    return merged, summary, frames


def sync_file(path: str | Path, doc: Mapping[str, Any] | None, options: SyncOptions, *, component: str = "full",
              start_s: float = 0.0, end_s: float | None = None, document_dir: str | Path | None = None
              ) -> tuple[dict[str, Any], MergeSummary, AudioAnalysis]:
    """Analyse ``path`` and merge it into ``doc``: the whole of ``parseq audio``."""
    with_pitch = "pitch" in options.features
    analysis = analyse_file(path, component=component, start_s=start_s, end_s=end_s, with_pitch=with_pitch)
    merged, summary, _ = merge_into(doc, analysis, options, document_dir)
    return merged, summary, analysis
