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


def place(out: np.ndarray, sound: np.ndarray, time_s: float, rate: int = RATE) -> None:
    begin = int(round(time_s * rate))
    end = min(out.size, begin + sound.size)
    out[begin:end] += sound[: end - begin]


def drum_pattern(bpm: float, seconds: float, rate: int = RATE, seed: int = 0
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Kicks on every beat, hi-hats on the off-beats, over a sustained two-note pad that changes between hits.

    Returns (samples, kick times, hi-hat times, pad change times).
    """
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    period = 60.0 / bpm
    kicks = np.arange(0.25, seconds - 0.3, period)
    hats = kicks + period / 2
    changes = kicks[2::4] + period * 0.25
    # Legato pad: two chords crossfaded over 60 ms at each change, faded in over the first 0.3 s.
    second = (np.searchsorted(changes, t) % 2 == 1).astype(float)
    mix = np.convolve(second, np.ones(int(0.06 * rate)) / int(0.06 * rate), mode="same")
    chord = [np.sin(2 * np.pi * f * t) + 0.5 * np.sin(3 * np.pi * f * t) for f in (220.0, 293.66)]
    out = 0.12 * np.minimum(t / 0.3, 1.0) * ((1 - mix) * chord[0] + mix * chord[1])
    decay = np.arange(int(0.4 * rate)) / rate
    kick = 0.8 * np.sin(2 * np.pi * (50 * decay + 2.0 * (1 - np.exp(-decay / 0.02)))) * np.exp(-decay / 0.05)
    hat = 0.25 * rng.standard_normal(int(0.04 * rate)) * np.exp(-np.arange(int(0.04 * rate)) / (0.008 * rate))
    hat = np.diff(hat, prepend=0.0)
    for time in kicks:
        place(out, kick, time, rate)
    for time in hats:
        place(out, hat, time, rate)
    return out, kicks, hats, changes


def pitch_sweep(start_hz: float, end_hz: float, seconds: float, rate: int = RATE) -> tuple[np.ndarray, np.ndarray]:
    """A harmonic tone gliding exponentially from start_hz to end_hz; returns (samples, f0 at each sample)."""
    t = np.arange(int(seconds * rate)) / rate
    f0 = start_hz * (end_hz / start_hz) ** (t / seconds)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    return 0.3 * (np.sin(phase) + 0.4 * np.sin(2 * phase) + 0.2 * np.sin(3 * phase)), f0


def loudness_envelope(seconds: float, rate: int = RATE) -> tuple[np.ndarray, np.ndarray]:
    """A 440 Hz tone whose amplitude rises, holds, falls and swells; returns (samples, amplitude per sample)."""
    t = np.arange(int(seconds * rate)) / rate
    amplitude = np.interp(t, [0, 1.5, 2.5, 4.0, 5.0, seconds], [0.02, 0.8, 0.8, 0.1, 0.5, 0.05])
    return amplitude * np.sin(2 * np.pi * 440 * t), amplitude
