"""JS coercions and number formatting (spec §3)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib_parseq.language.values import (
    binary_scalar,
    js_number_to_string,
    js_pow,
    js_remainder,
    negate_scalar,
    to_fixed,
    to_fixed_array,
    to_number,
    to_precision,
    truthy,
)


@pytest.mark.parametrize(("x", "text"), [
    (1.0, "1"), (-1.5, "-1.5"), (0.1 + 0.2, "0.30000000000000004"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
    (1.2345678901234569e23, "1.2345678901234569e+23"), (1.1805916207174113e21, "1.1805916207174113e+21"),
    (1e-6, "0.000001"), (1e-7, "1e-7"), (1.5e-7, "1.5e-7"), (123.456, "123.456"), (-0.0, "0"), (0.0, "0"),
    (math.nan, "NaN"), (math.inf, "Infinity"), (-math.inf, "-Infinity"), (1 / 3, "0.3333333333333333"),
])
def test_js_number_to_string(x, text):
    assert js_number_to_string(x) == text


@pytest.mark.parametrize(("x", "digits", "text"), [
    (0.015625, 5, "0.01563"), (-0.0, 5, "0.00000"), (-0.000001, 5, "-0.00000"), (math.nan, 5, "NaN"),
    (1e21, 5, "1e+21"), (0.5, 4, "0.5000"), (2.5, 0, "3"), (-2.5, 0, "-3"), (1.005, 2, "1.00"), (10, 5, "10.00000"),
])
def test_to_fixed(x, digits, text):
    assert to_fixed(x, digits) == text
    assert to_fixed_array([x], digits) == [text]


_TIES_AND_NEIGHBOURS = st.integers(-10**6, 10**6).flatmap(
    lambda n: st.sampled_from([n / 64, n / 128, n / 32, n / 64 + 2**-40, math.nextafter(n / 64, math.inf)]))


@given(st.lists(st.one_of(st.floats(), st.floats(-1e22, 1e22), _TIES_AND_NEIGHBOURS,
                          st.sampled_from([0.0, -0.0, 1e21, -1e21, 5e-6, -5e-6])), max_size=40),
       st.sampled_from([0, 2, 4, 5]))
def test_to_fixed_array_equals_to_fixed(values, digits):
    assert to_fixed_array(values, digits) == [to_fixed(x, digits) for x in values]


@pytest.mark.parametrize(("x", "text"), [
    (1 / 3, "0.3333"), (0.0, "0.000"), (2.5e-7, "2.500e-7"), (1.0, "1.000"), (9.99951, "10.00"),
    (12345.0, "1.235e+4"), (0.000123456, "0.0001235"), (-0.5, "-0.5000"),
])
def test_to_precision_4(x, text):
    assert to_precision(x, 4) == text


@pytest.mark.parametrize(("text", "value"), [
    (" 3 ", 3.0), ("", 0.0), ("0x10", 16.0), ("0o17", 15.0), ("0b101", 5.0), ("1e3", 1000.0), (".5", 0.5),
    ("-2.5", -2.5), ("Infinity", math.inf), ("-Infinity", -math.inf),
])
def test_to_number(text, value):
    assert to_number(text) == value


@pytest.mark.parametrize("text", ["abc", "1_000", "inf", "nan", "1,5", "--1", "0x"])
def test_to_number_junk_is_nan(text):
    assert math.isnan(to_number(text))


@pytest.mark.parametrize(("value", "expected"), [
    (1.0, True), (0.5, True), (0.0, False), (-1.0, False), (math.nan, False), ("", False), ("a", False), ("5", True),
])
def test_truthiness(value, expected):
    assert truthy(value) is expected


def test_remainder_follows_the_dividend():
    assert js_remainder(-7, 3) == -1
    assert math.isnan(js_remainder(5, 0))
    assert js_remainder(5, math.inf) == 5
    assert math.isnan(js_remainder(math.inf, 3))


def test_pow_js_quirks():
    assert math.isnan(js_pow(-8, 1 / 3))
    assert js_pow(0, -1) == math.inf
    assert math.isnan(js_pow(1, math.nan))
    assert math.isnan(js_pow(-1, math.inf))
    assert js_pow(math.nan, 0) == 1
    assert js_pow(10, 400) == math.inf


def test_string_operators():
    assert binary_scalar("+", "a", 2.0) == "a2"
    assert binary_scalar("+", 3.0, "b") == "3b"
    assert binary_scalar("+", "x", 1 / 3) == "x0.3333333333333333"
    assert binary_scalar("+", negate_scalar("5"), 1.0) == "-51"
    assert math.isnan(binary_scalar("-", "a", 2.0))
    assert binary_scalar("*", "3", "4") == 12
    assert binary_scalar("/", 5.0, "0") == math.inf
    assert binary_scalar(":", "cat", 0.5) == "(cat:0.5)"
    assert negate_scalar("abc") == "-abc"


@pytest.mark.parametrize(("op", "a", "b", "expected"), [
    ("==", "2", 2.0, 1.0), ("==", "", 0.0, 1.0), ("==", 1.0, "1.0", 1.0), ("<", "10", "9", 1.0), ("<", "B", "a", 1.0),
    ("<", "10", 9.0, 0.0), ("<", "a", 4.0, 0.0), ("!=", math.nan, math.nan, 1.0), ("==", "a", "a", 1.0),
])
def test_comparisons(op, a, b, expected):
    assert binary_scalar(op, a, b) == expected
