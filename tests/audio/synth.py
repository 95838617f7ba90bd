"""Audio made in the tests, where the truth is known, written as WAV through the stdlib."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

RATE = 22050


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    """16-bit mono PCM WAV of ``samples`` in [-1, 1]."""
    data = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(data.tobytes())
    return path


def tone_burst(frequency: float, seconds: float, decay_s: float, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return np.sin(2 * np.pi * frequency * t) * np.exp(-t / decay_s)


def click_track(bpm: float, seconds: float, *, beats_per_bar: int = 4, first_beat_s: float = 0.0,
                rate: int = RATE) -> tuple[np.ndarray, np.ndarray]:
    """A metronome: a loud high click on each bar's first beat, softer low clicks on the others.

    Returns (samples, beat times in seconds).
    """
    out = np.zeros(int(seconds * rate))
    period = 60.0 / bpm
    beats = np.arange(first_beat_s, seconds - 0.1, period)
    accent = 0.9 * tone_burst(1760.0, 0.05, 0.012, rate)
    plain = 0.35 * tone_burst(880.0, 0.05, 0.012, rate)
    for index, time in enumerate(beats):
        click = accent if index % beats_per_bar == 0 else plain
        begin = int(round(time * rate))
        end = min(out.size, begin + click.size)
        out[begin:end] += click[: end - begin]
    return out, beats
