"""Analysing an audio file and turning the result into per-frame series and event frames for a document.

``analyse_file`` decodes and analyses once (the slow part); ``frame_features`` then samples the result at
any fps and time origin (cheap), so the tab can re-sample without re-analysing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lib_parseq.audio.analysis import SAMPLE_RATE, FrameFeatures, analyse_stream
from lib_parseq.audio.choices import COMPONENTS, FEATURES
from lib_parseq.audio.decode import check_audio_path, stream_pcm
from lib_parseq.audio.rhythm import Rhythm, analyse_rhythm
from lib_parseq.audio.sampling import event_frames, normalise, per_frame, pitch_per_frame, pulses, smooth
from lib_parseq.errors import AudioError

SILENCE_PEAK = 1e-4
CONTINUOUS = ("onset", "rms", "centroid")
COMPONENT_PREFIX = {"full": "", "percussive": "perc_", "harmonic": "harm_"}


@dataclass(frozen=True)
class AudioAnalysis:
    """One analysed file: its frame-level features, its rhythm and where it came from."""

    path: Path
    start_s: float
    end_s: float | None
    features: FrameFeatures
    rhythm: Rhythm

    @property
    def duration_s(self) -> float:
        return self.features.duration_s

    @property
    def first_downbeat_s(self) -> float:
        """The earliest time on the bar grid (the beat grid when no downbeat is detectable), in seconds.

        The tracked downbeat is moved back by whole bars towards the start, since the beat tracker skips
        the first weak beats of a song.
        """
        rhythm = self.rhythm
        events = rhythm.downbeats if rhythm.downbeats.size else rhythm.beats
        if not events.size or not rhythm.tempo > 0:
            return 0.0
        period = 60.0 / rhythm.tempo * (rhythm.beats_per_bar if rhythm.downbeats.size else 1)
        return float(events[0] - np.floor(events[0] / period) * period)


@dataclass
class FrameSeries:
    """The analysis at one fps: one value per output frame for each series, and the event frames."""

    fps: float
    origin_s: float
    frame_count: int
    series: dict[str, np.ndarray] = field(default_factory=dict)
    beat_frames: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    downbeat_frames: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    onset_frames: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    tempo: float = 0.0


def analyse_file(
    path: str | Path,
    *,
    component: str = "full",
    start_s: float = 0.0,
    end_s: float | None = None,
    with_pitch: bool = True,
) -> AudioAnalysis:
    """Decode ``path`` (trimmed to [start_s, end_s)) and analyse ``component`` of it.

    An empty, silent or too short file is an AudioError naming the file.
    """
    if component not in COMPONENTS:
        raise AudioError(f"unknown component {component!r}; choose one of: {', '.join(COMPONENTS)}")
    path = check_audio_path(path)
    stream = stream_pcm(path, sample_rate=SAMPLE_RATE, start_s=start_s, end_s=end_s)
    features = analyse_stream(stream, component=component, with_pitch=with_pitch)
    if features.duration_s == 0:
        trimmed = " after the trim" if start_s or end_s is not None else ""
        raise AudioError(f"holds no audio samples{trimmed}", path=str(path))
    if features.peak < SILENCE_PEAK:
        raise AudioError("is silent: nothing to analyse", path=str(path))
    return AudioAnalysis(path=path, start_s=start_s, end_s=end_s, features=features,
                         rhythm=analyse_rhythm(features.onset_strength, features.rms, features.frame_rate,
                                                features.hop))


def frame_features(
    analysis: AudioAnalysis,
    fps: float,
    *,
    features: tuple[str, ...] = FEATURES,
    origin_s: float = 0.0,
    smoothing_s: float = 0.0,
    normalise_to: tuple[float, float] | None = (0.0, 1.0),
    prefix: str | None = None,
) -> FrameSeries:
    """The analysis sampled at ``fps``, output frame 0 at ``origin_s`` seconds into the analysed audio.

    Series are named ``prefix + name`` (prefix defaults to ``perc_``/``harm_`` for a component):
    ``onset`` (onset strength), ``rms``, ``centroid`` (Hz), ``pitch`` (Hz, 0 unvoiced) and ``voicing``
    (0-1), ``beat``/``downbeat``/``onset_hit`` (1 on event frames). Smoothing and normalisation apply to
    onset, rms and centroid only, so pitch stays in Hz and pulses stay 0/1.
    """
    unknown = [name for name in features if name not in FEATURES]
    if unknown:
        raise AudioError(f"unknown feature {', '.join(unknown)}; choose from: {', '.join(FEATURES)}")
    if not fps > 0:
        raise AudioError(f"fps must be positive, not {fps}")
    track = analysis.features
    count = int(np.floor((analysis.duration_s - origin_s) * fps))
    if count < 1:
        raise AudioError(f"is shorter than one frame at {fps:g} fps ({analysis.duration_s:.3f} s of audio)",
                         path=str(analysis.path))
    name = COMPONENT_PREFIX[track.component] if prefix is None else prefix
    rate = track.frame_rate
    out = FrameSeries(fps=fps, origin_s=origin_s, frame_count=count, tempo=analysis.rhythm.tempo)
    sources = {"onset": (track.onset_strength, "max"), "rms": (track.rms, "mean"),
               "centroid": (track.centroid, "mean")}
    for feature in CONTINUOUS:
        if feature in features:
            values, how = sources[feature]
            sampled = smooth(per_frame(values, rate, fps, count, origin_s, how), smoothing_s, fps)
            out.series[name + feature] = normalise(sampled, *normalise_to) if normalise_to else sampled
    if "pitch" in features and track.has_pitch:
        pitch, voicing = pitch_per_frame(track.f0, track.voiced_probability, rate, fps, count, origin_s)
        out.series[name + "pitch"], out.series[name + "voicing"] = pitch, voicing
    rhythm = analysis.rhythm
    if "beats" in features:
        out.beat_frames = event_frames(rhythm.beats, fps, count, origin_s)
        out.downbeat_frames = event_frames(rhythm.downbeats, fps, count, origin_s)
        out.series[name + "beat"] = pulses(out.beat_frames, count)
        if rhythm.downbeats.size:
            out.series[name + "downbeat"] = pulses(out.downbeat_frames, count)
    if "onsets" in features:
        out.onset_frames = event_frames(rhythm.onsets, fps, count, origin_s)
        out.series[name + "onset_hit"] = pulses(out.onset_frames, count)
    return out
