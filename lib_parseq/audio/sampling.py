"""Feature tracks resampled to one value per output frame, then optionally smoothed and normalised.

Output frame ``n`` covers the audio from ``origin + (n - 0.5) / fps`` to ``origin + (n + 0.5) / fps``. A frame
takes the mean of the analysis frames in its span (the maximum for onset strength, so a short hit is not
averaged away between two frames); a frame whose span holds no analysis frame (fps above the 43 Hz analysis
rate) is interpolated from its neighbours.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter1d

VOICED = 0.5


def output_frame_of(times_s: np.ndarray, fps: float, origin_s: float) -> np.ndarray:
    """The output frame each time (seconds from the start of the analysed audio) falls in."""
    return np.floor((np.asarray(times_s, dtype=float) - origin_s) * fps + 0.5).astype(int)


def per_frame(values: np.ndarray, rate: float, fps: float, count: int, origin_s: float, how: str = "mean"
              ) -> np.ndarray:
    """``values`` sampled at ``rate`` per second, reduced to ``count`` output frames (mean or max)."""
    values = np.asarray(values, dtype=float)
    times = np.arange(values.size) / rate
    frames = output_frame_of(times, fps, origin_s)
    valid = (frames >= 0) & (frames < count) & np.isfinite(values)
    frames, kept = frames[valid], values[valid]
    hits = np.bincount(frames, minlength=count)
    if how == "max":
        out = np.full(count, -np.inf)
        np.maximum.at(out, frames, kept)
    else:
        out = np.bincount(frames, weights=kept, minlength=count) / np.maximum(hits, 1)
    empty = hits == 0
    if empty.any():
        if hits.any():
            centres = origin_s + np.arange(count) / fps
            source = np.isfinite(values)
            out[empty] = np.interp(centres[empty], times[source], values[source])
        else:
            out[:] = 0.0
    return out


def pitch_per_frame(f0: np.ndarray, probability: np.ndarray, rate: float, fps: float, count: int,
                    origin_s: float) -> tuple[np.ndarray, np.ndarray]:
    """(pitch in Hz, 0 where unvoiced; voicing probability) per output frame.

    The pitch is the geometric mean of the voiced analysis frames' f0 in the frame's span.
    """
    voicing = per_frame(probability, rate, fps, count, origin_s)
    log_f0 = np.where(np.asarray(probability) >= VOICED, np.log2(np.where(np.isfinite(f0), f0, np.nan)), np.nan)
    pitch = np.exp2(per_frame(log_f0, rate, fps, count, origin_s))
    return np.where(voicing >= VOICED, pitch, 0.0), voicing


def smooth(values: np.ndarray, seconds: float, fps: float) -> np.ndarray:
    """A Gaussian smoothing of ``seconds`` standard deviation (no lag: centred on each frame)."""
    if seconds <= 0:
        return values
    return gaussian_filter1d(values, sigma=seconds * fps, mode="nearest")


def normalise(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """``values`` scaled so that their minimum maps to ``low`` and their maximum to ``high``."""
    smallest, largest = float(np.min(values)), float(np.max(values))
    if not largest > smallest:
        return np.full_like(values, low, dtype=float)
    return low + (values - smallest) * ((high - low) / (largest - smallest))


def event_frames(times_s: np.ndarray, fps: float, count: int, origin_s: float) -> np.ndarray:
    """The distinct output frames in [0, count) that hold an event."""
    frames = np.unique(output_frame_of(times_s, fps, origin_s))
    return frames[(frames >= 0) & (frames < count)]


def pulses(frames: np.ndarray, count: int) -> np.ndarray:
    """1 on the given output frames, 0 elsewhere."""
    out = np.zeros(count)
    out[frames] = 1.0
    return out
