"""Onsets, beats, tempo and downbeats from an onset-strength envelope (librosa's detectors and beat tracker).

librosa's tempo estimate is quantised to the tempogram's lag bins (about ±2 bpm near 100 bpm at a 23 ms
hop), so the tempo reported here is the slope of the tracked beats (least squares over beat index), which
is accurate to a fraction of a bpm. librosa has no downbeat tracker: downbeats are the beats of the bar
phase that is clearly the loudest (RMS peak at the beat), for a bar of 4 or 3 beats, and none when no phase
stands out. Loudness, not onset strength, marks the accent: onset strength is a difference of decibels,
which compresses a loud and a soft hit out of silence to nearly the same value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib_parseq.audio.dependency import require_librosa

TEMPO_WINDOW_FRAMES = 4096
METERS = (4, 3)
MIN_BARS = 2
ACCENT_CONTRAST = 1.25
ACCENT_RADIUS = 2


@dataclass(frozen=True)
class Rhythm:
    """Event times in seconds from the start of the analysed audio, and the tempo in beats per minute."""

    onsets: np.ndarray
    beats: np.ndarray
    downbeats: np.ndarray
    tempo: float
    beats_per_bar: int | None


def _tempo_estimate(librosa, envelope: np.ndarray, sample_rate: int, hop: int) -> float:
    """librosa's tempo estimate, as the median over windows of TEMPO_WINDOW_FRAMES (about 95 s).

    librosa's estimator builds a tempogram over the whole envelope (hundreds of values per frame), which
    would take a gigabyte for a 30-minute file; windows keep its memory bounded.
    """
    starts = range(0, max(envelope.size - TEMPO_WINDOW_FRAMES // 2, 1), TEMPO_WINDOW_FRAMES)
    estimates = [float(librosa.feature.tempo(onset_envelope=envelope[start : start + TEMPO_WINDOW_FRAMES],
                                             sr=sample_rate, hop_length=hop)[0]) for start in starts]
    return float(np.median(estimates))


def _tempo_from_beats(beats: np.ndarray, fallback: float) -> float:
    if beats.size < 3:
        return fallback
    period = np.polyfit(np.arange(beats.size), beats, 1)[0]
    return 60.0 / period if period > 0 else fallback


def _accents(loudness: np.ndarray, beat_frames: np.ndarray) -> np.ndarray:
    """The loudest analysis frame within ACCENT_RADIUS frames of each beat."""
    offsets = np.arange(-ACCENT_RADIUS, ACCENT_RADIUS + 1)
    index = np.clip(beat_frames[:, None] + offsets[None, :], 0, loudness.size - 1)
    return loudness[index].max(axis=1)


def find_downbeats(accents: np.ndarray) -> tuple[int | None, int]:
    """(beats per bar, index of the first downbeat) where one bar phase is clearly accented, else (None, 0).

    For each meter and phase, the mean accent of that phase's beats over the mean of the others; the best
    pair wins if it beats ACCENT_CONTRAST. Too few beats for MIN_BARS of the longest bar is "not detectable"
    (a short excerpt would otherwise favour the shorter bar).
    """
    best = (None, 0, ACCENT_CONTRAST)
    if accents.size < max(METERS) * MIN_BARS:
        return None, 0
    for meter in METERS:
        for phase in range(meter):
            on = np.zeros(accents.size, dtype=bool)
            on[phase::meter] = True
            rest = accents[~on].mean()
            contrast = accents[on].mean() / rest if rest > 0 else np.inf
            if contrast > best[2]:
                best = (meter, phase, contrast)
    return best[0], best[1]


def analyse_rhythm(envelope: np.ndarray, loudness: np.ndarray, frame_rate: float, hop: int) -> Rhythm:
    """Onsets, beats, downbeats and tempo from an onset envelope and an RMS track at ``frame_rate`` per second."""
    librosa = require_librosa()
    sample_rate = int(round(frame_rate * hop))
    onset_frames = librosa.onset.onset_detect(onset_envelope=envelope, sr=sample_rate, hop_length=hop)
    fallback = _tempo_estimate(librosa, envelope, sample_rate, hop)
    _, beat_frames = librosa.beat.beat_track(onset_envelope=envelope, sr=sample_rate, hop_length=hop, bpm=fallback)
    beat_frames = np.asarray(beat_frames, dtype=int)
    beats = beat_frames / frame_rate
    meter, first = find_downbeats(_accents(loudness, beat_frames)) if beat_frames.size else (None, 0)
    downbeats = beats[first::meter] if meter else np.zeros(0)
    return Rhythm(
        onsets=np.asarray(onset_frames, dtype=int) / frame_rate,
        beats=beats,
        downbeats=downbeats,
        tempo=_tempo_from_beats(beats, fallback),
        beats_per_bar=meter,
    )
