"""Charts: the display envelope keeps every extreme, x units, and the drawn picture."""

from __future__ import annotations

import numpy as np
import pytest

from lib_parseq.ui.chart import FieldSeries, draw_charts, envelope, frames_to_x


def test_envelope_keeps_each_bucket_extremes_and_spikes():
    rng = np.random.default_rng(3)
    values = rng.normal(size=10_000)
    values[1234] = 50.0
    values[8765] = -40.0
    frames, reduced = envelope(values, 1000)
    assert reduced.size <= 1000
    assert reduced.max() == 50.0 and reduced.min() == -40.0
    assert np.array_equal(values[frames.astype(int)], reduced)
    assert np.all(np.diff(frames) >= 0)


def test_short_series_are_drawn_whole_and_nan_stays_nan():
    values = np.array([0.0, np.nan, 2.0])
    frames, reduced = envelope(values, 10)
    assert np.array_equal(frames, [0, 1, 2]) and np.isnan(reduced[1])
    long = np.full(5000, np.nan)
    long[:10] = 1.0
    _, reduced_long = envelope(long, 100)
    assert np.nanmax(reduced_long) == 1.0 and np.isnan(reduced_long[-1])


def test_x_units():
    frames = np.array([0, 30, 60])
    assert np.allclose(frames_to_x(frames, "seconds", fps=30, bpm=120), [0, 1, 2])
    assert np.allclose(frames_to_x(frames, "beats", fps=30, bpm=120), [0, 2, 4])
    with pytest.raises(ValueError, match="frames, seconds, beats"):
        frames_to_x(frames, "minutes", fps=30, bpm=120)


def test_draw_charts_one_panel_per_field_with_keyframe_marks():
    one = draw_charts([FieldSeries("zoom", np.linspace(1, 2, 101), [0, 100])])
    two = draw_charts(
        [FieldSeries("zoom", np.linspace(1, 2, 101), [0, 100]), FieldSeries("angle", np.sin(np.arange(101) / 5), [0])]
    )
    assert one.dtype == np.uint8 and one.ndim == 3 and one.shape[2] == 3
    assert two.shape[0] > one.shape[0] and two.shape[1] == one.shape[1]
    red = (one[:, :, 0] > 200) & (one[:, :, 1] < 100) & (one[:, :, 2] < 100)
    assert red.sum() > 20, "keyframe markers are drawn in red"
    unmarked = draw_charts([FieldSeries("zoom", np.linspace(1, 2, 101), [])])
    red_unmarked = (unmarked[:, :, 0] > 200) & (unmarked[:, :, 1] < 100) & (unmarked[:, :, 2] < 100)
    assert red_unmarked.sum() == 0
