"""Charts: the display envelope keeps every extreme, x units, tick values, and the drawn picture."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from lib_parseq.ui.chart import FieldSeries, draw_charts, envelope, frames_to_x
from lib_parseq.ui.raster import nice_ticks, tick_label


def _rgb(picture) -> np.ndarray:
    return np.asarray(picture.convert("RGB"))


def _red(rgb: np.ndarray) -> np.ndarray:
    return (rgb[:, :, 0] > 200) & (rgb[:, :, 1] < 100) & (rgb[:, :, 2] < 100)


def _blue(rgb: np.ndarray) -> np.ndarray:
    return (rgb[:, :, 2] > 200) & (rgb[:, :, 0] < 120)


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
    one = _rgb(draw_charts([FieldSeries("zoom", np.linspace(1, 2, 101), [0, 100])]))
    two = _rgb(draw_charts(
        [FieldSeries("zoom", np.linspace(1, 2, 101), [0, 100]), FieldSeries("angle", np.sin(np.arange(101) / 5), [0])]
    ))
    assert one.dtype == np.uint8 and one.ndim == 3 and one.shape[2] == 3
    assert two.shape[0] > one.shape[0] and two.shape[1] == one.shape[1]
    assert _red(one).sum() > 20, "keyframe markers are drawn in red"
    unmarked = _rgb(draw_charts([FieldSeries("zoom", np.linspace(1, 2, 101), [])]))
    assert _red(unmarked).sum() == 0


def test_the_line_follows_the_values():
    rising = _rgb(draw_charts([FieldSeries("zoom", np.linspace(0, 1, 1000), [])]))
    rows, columns = np.nonzero(_blue(rising))
    assert rows.size > 500
    left, right = columns < np.percentile(columns, 10), columns > np.percentile(columns, 90)
    assert rows[left].mean() > rows[right].mean() + 50, "a rising series is drawn rising (y grows downwards)"
    gaps = np.linspace(0, 1, 1000)
    gaps[400:600] = np.nan
    broken = _rgb(draw_charts([FieldSeries("zoom", gaps, [])]))
    gap_columns = np.nonzero(_blue(broken))[1]
    middle = (gap_columns > np.percentile(columns, 45)) & (gap_columns < np.percentile(columns, 55))
    assert not middle.any(), "NaN values leave a gap in the line"


def test_a_spike_in_ten_thousand_frames_is_drawn():
    values = np.zeros(10_000)
    values[6789] = 1.0
    rgb = _rgb(draw_charts([FieldSeries("spike", values, [])]))
    rows, _ = np.nonzero(_blue(rgb))
    assert rows.max() - rows.min() > 60, "the one-frame spike reaches the top of the chart"


def test_no_fields_draws_one_empty_panel():
    empty = _rgb(draw_charts([]))
    assert _blue(empty).sum() == 0 and (empty < 128).any(), "a frame and a message, no line"


def test_nice_ticks_and_labels():
    assert nice_ticks(0, 10_000, 9) == [0, 2000, 4000, 6000, 8000, 10_000]
    assert nice_ticks(0.58, 0.72, 4) == pytest.approx([0.6, 0.65, 0.7])
    assert nice_ticks(-2.3, 2.3, 4) == [-2, 0, 2]
    assert nice_ticks(-2.3, 2.3, 5) == [-2, -1, 0, 1, 2]
    ticks = nice_ticks(0.58, 0.72, 4)
    assert [tick_label(t, ticks) for t in ticks] == ["0.60", "0.65", "0.70"]
    assert [tick_label(t, [-2, -1, 0]) for t in (-2, -1, -0.0)] == ["-2", "-1", "0"]
    assert tick_label(2.5e7, [0, 2.5e7]) == "2.5e+07"


def test_the_chart_is_sent_as_fast_png_with_the_same_pixels():
    picture = draw_charts([FieldSeries("zoom", np.sin(np.arange(10_000) / 50), [0, 5000])])
    as_gradio_writes_it = io.BytesIO()
    picture.save(as_gradio_writes_it, "PNG")
    plain = Image.Image.copy(picture)
    assert type(plain) is Image.Image
    fastest, default = io.BytesIO(), io.BytesIO()
    plain.save(fastest, "PNG", compress_level=1)
    plain.save(default, "PNG")
    assert as_gradio_writes_it.getvalue() == fastest.getvalue() != default.getvalue()
    assert np.array_equal(np.asarray(Image.open(as_gradio_writes_it)), np.asarray(picture))


def test_without_a_truetype_font_the_chart_is_drawn_with_pillows_bitmap_font(monkeypatch):
    from PIL import ImageFont

    from lib_parseq.ui import raster

    bitmap = getattr(ImageFont, "load_default_imagefont", ImageFont.load_default)()
    assert not isinstance(bitmap, ImageFont.FreeTypeFont)
    raster._glyphs_cached.cache_clear()
    monkeypatch.setattr(raster, "font", lambda size: bitmap)
    try:
        rgb = _rgb(draw_charts([FieldSeries("zoom", np.linspace(1, 2, 101), [0])]))
    finally:
        raster._glyphs_cached.cache_clear()
    left_margin = rgb[:, :130]
    assert (left_margin < 128).any(), "tick labels and the field's name are drawn left of the chart"
    assert _red(rgb).sum() > 20
