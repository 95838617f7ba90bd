"""Derived outputs (spec §6.3): range metadata, deltas with the zoom rule, percentages, subseeds."""

from __future__ import annotations

import math

import numpy as np

from lib_parseq.schedules.derived import field_delta, field_percent, field_range, subseeds


def test_delta_starts_with_the_value_then_differences():
    values = np.array([45.0, 90.0, 135.0, 130.0])
    assert field_delta("angle", values).tolist() == [45.0, 45.0, 45.0, -5.0]


def test_zoom_delta_is_one_plus_the_difference_and_the_value_at_frame_zero():
    values = np.array([1.0, 0.9, 0.8, 1.5])
    delta = field_delta("zoom", values)
    assert delta[0] == 1.0
    assert np.allclose(delta[1:], [0.9, 0.9, 1.7])


def test_range_uses_absolute_values_for_max_so_a_negative_constant_is_not_flat():
    negative = field_range(np.array([-1.0, -1.0]))
    assert (negative.max, negative.min, negative.is_flat) == (1.0, -1.0, False)
    constant = field_range(np.array([0.5, 0.5]))
    assert (constant.max, constant.min, constant.is_flat) == (0.5, 0.5, True)


def test_range_with_nan_is_nan_and_not_flat_and_written_as_null():
    value_range = field_range(np.array([1.0, math.nan]))
    assert math.isnan(value_range.max) and math.isnan(value_range.min)
    assert value_range.as_json() == {"max": None, "min": None, "isFlat": False}


def test_percent_of_the_largest_magnitude_or_the_value_when_that_is_zero():
    values = np.array([1.0, 1.5, 0.75])
    assert np.allclose(field_percent(values, field_range(values)), [200 / 3, 100.0, 50.0])
    zeros = np.zeros(3)
    assert field_percent(zeros, field_range(zeros)).tolist() == [0.0, 0.0, 0.0]
    seed = np.array([-1.0, -1.0])
    assert field_percent(seed, field_range(seed)).tolist() == [-100.0, -100.0]


def test_subseed_from_fractional_seeds_uses_ceil_and_js_remainder():
    subseed, strength = subseeds(np.array([10.5, 55.1, -1.5, -1.0, 3.0]))
    assert subseed.tolist() == [11.0, 56.0, -1.0, -1.0, 3.0]
    assert np.allclose(strength, [0.5, 0.1, -0.5, 0.0, 0.0])
    assert math.copysign(1.0, strength[3]) == -1.0  # seed -1 gives strength -0, as JavaScript's -1 % 1
