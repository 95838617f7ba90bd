"""Parseq values and their JavaScript coercions (spec §3), for one value and for arrays of values.

A value is an IEEE double or a string. Booleans are the numbers 1/0. The scalar functions here are the
reference semantics (the per-frame evaluator uses them); the array functions apply the same rules to a
whole span of frames at once: a float64 array when no strings occur, else an object array holding Python
floats and strs. Non-finite maths never raises.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from lib_parseq.errors import EvalError

Value = float | str

# The longest string a value may hold: the same as the longest expression. Without a bound,
# ``prev_computed_value + "x"`` grows quadratically over 100,000 frames (and ``prev + prev`` exponentially).
MAX_STRING_LENGTH = 20_000

_DECIMAL_LITERAL = re.compile(r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|Infinity)\Z")
_RADIX_LITERAL = re.compile(r"0(?:[xX]([0-9a-fA-F]+)|[oO]([0-7]+)|[bB]([01]+))\Z")
# JS String.prototype.trim removes these besides ASCII whitespace.
_JS_SPACE = " \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def to_number(value: Value) -> float:
    """JS ``Number(value)``: numbers pass through; strings are trimmed, '' is 0, junk is NaN."""
    if not isinstance(value, str):
        return float(value)
    text = value.strip(_JS_SPACE)
    if text == "":
        return 0.0
    if _DECIMAL_LITERAL.match(text):
        return float(text.replace("Infinity", "inf"))
    radix = _RADIX_LITERAL.match(text)
    if radix:
        hex_digits, oct_digits, bin_digits = radix.groups()
        if hex_digits is not None:
            return float(int(hex_digits, 16))
        if oct_digits is not None:
            return float(int(oct_digits, 8))
        return float(int(bin_digits, 2))
    return math.nan


def truthy(value: Value) -> bool:
    """Parseq's truth test: ToNumber(value) > 0 (negative numbers, NaN and non-numeric strings are false)."""
    return to_number(value) > 0


def js_number_to_string(x: float) -> str:
    """JS Number→String: shortest round-trip digits, plain notation for 1e-6 <= |x| < 1e21, else exponent form."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    digits_tuple, exponent = Decimal(repr(abs(x))).normalize().as_tuple()[1:]
    digits = "".join(map(str, digits_tuple))
    k = len(digits)
    n = exponent + k  # value = 0.digits × 10^n
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
        e = n - 1
        body = f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + body


def to_string(value: Value) -> str:
    """JS String(value): strings as they are, numbers with :func:`js_number_to_string`."""
    return value if isinstance(value, str) else js_number_to_string(value)


def to_fixed(x: float, digits: int) -> str:
    """JS ``x.toFixed(digits)``: the exact binary value rounded half away from zero; |x| >= 1e21 uses JSNum."""
    if math.isnan(x):
        return "NaN"
    if abs(x) >= 1e21 or math.isinf(x):
        return js_number_to_string(x)
    sign = "-" if x < 0 else ""
    quantum = Decimal(1).scaleb(-digits)
    rounded = Decimal(abs(x)).quantize(quantum, rounding=ROUND_HALF_UP)
    return sign + format(rounded, "f")


def to_fixed_array(values: Sequence[float] | np.ndarray, digits: int) -> list[str]:
    """``to_fixed`` of many numbers at once, with C-speed formatting wherever it gives the same text.

    Python's ``%.Nf`` rounds the exact binary value correctly, half to even; JS rounds half away from zero.
    The two differ only on exact ties, which are the odd multiples of 2**-(digits+1) (a tie needs
    5**digits to divide the numerator), so those, zeros (``-0``), NaN, infinities and |x| >= 1e21 go
    through ``to_fixed``.
    """
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    template = f"%.{digits}f"
    out = [template % x for x in v.tolist()]
    with np.errstate(all="ignore"):
        tie = np.mod(v * 2.0 ** (digits + 1), 2.0) == 1.0
        special = tie | (v == 0) | ~(np.abs(v) < 1e21)
    for i in np.flatnonzero(special).tolist():
        out[i] = to_fixed(float(v[i]), digits)
    return out


def to_precision(x: float, precision: int) -> str:
    """JS ``x.toPrecision(precision)``: ``precision`` significant digits, exponent form when e < -6 or e >= precision."""
    if math.isnan(x) or math.isinf(x):
        return js_number_to_string(x)
    sign = "-" if x < 0 else ""
    if x == 0:
        return "0" if precision == 1 else "0." + "0" * (precision - 1)
    exact = Decimal(abs(x))
    e = exact.adjusted()
    rounded = exact.quantize(Decimal(1).scaleb(e - precision + 1), rounding=ROUND_HALF_UP)
    if rounded.adjusted() > e:
        e += 1
        rounded = exact.quantize(Decimal(1).scaleb(e - precision + 1), rounding=ROUND_HALF_UP)
    digits = "".join(map(str, rounded.as_tuple().digits)).ljust(precision, "0")[:precision]
    if e < -6 or e >= precision:
        mantissa = digits[0] + ("." + digits[1:] if precision > 1 else "")
        return f"{sign}{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
    if e >= 0:
        whole, frac = digits[: e + 1], digits[e + 1 :]
        return sign + whole + ("." + frac if frac else "")
    return sign + "0." + "0" * (-e - 1) + digits


# --- scalar operators: the reference semantics ----------------------------------------------------

def _ieee_div(a: float, b: float) -> float:
    if b != 0:
        return a / b
    if a == 0 or math.isnan(a) or math.isnan(b):
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def js_remainder(a: float, b: float) -> float:
    """JS ``%``: C fmod, sign of the dividend; x % ±Inf = x; Inf % x and x % 0 are NaN."""
    if math.isnan(a) or math.isnan(b) or math.isinf(a) or b == 0:
        return math.nan
    if math.isinf(b):
        return a
    return math.fmod(a, b)


def js_pow(a: float, b: float) -> float:
    """JS ``**``: like C pow, except that 1^NaN and (±1)^±Inf are NaN. Never raises, never complex."""
    if b == 0:
        return 1.0
    if math.isnan(b) or (abs(a) == 1 and math.isinf(b)):
        return math.nan
    with np.errstate(all="ignore"):
        return float(np.power(np.float64(a), np.float64(b)))


def _compare_strings(a: str, b: str) -> int:
    """Compare two strings by UTF-16 code units, as JS does."""
    ka, kb = a.encode("utf-16-be"), b.encode("utf-16-be")
    return (ka > kb) - (ka < kb)


class StringTooLong(EvalError):
    """A string result past ``MAX_STRING_LENGTH``; ``index`` is the element of an array operation that failed."""

    def __init__(self, length: int) -> None:
        super().__init__(f"string result too long ({length:,} characters; the limit is {MAX_STRING_LENGTH:,})")
        self.index = 0


def bounded_string(text: str) -> str:
    """``text`` when it is within ``MAX_STRING_LENGTH``, else :class:`StringTooLong`."""
    if len(text) > MAX_STRING_LENGTH:
        raise StringTooLong(len(text))
    return text


def _joined(*parts: str) -> str:
    """Concatenate, checking the length first so that an oversized string is never built."""
    length = sum(map(len, parts))
    if length > MAX_STRING_LENGTH:
        raise StringTooLong(length)
    return "".join(parts)


class DivideByZero(EvalError):
    """``x / 0`` with a numeric zero divisor (a string divisor never raises)."""

    def __init__(self) -> None:
        super().__init__("Divide by zero")


def binary_scalar(op: str, a: Value, b: Value) -> Value:
    """Apply one binary operator to two scalar values with Parseq's (JS) coercions."""
    if op == "+":
        if isinstance(a, str) or isinstance(b, str):
            return _joined(to_string(a), to_string(b))
        return a + b
    if op == ":":
        return _joined("(", to_string(a), ":", to_string(b), ")")
    if op in ("==", "!=", "<", "<=", ">", ">="):
        if isinstance(a, str) and isinstance(b, str):
            c = _compare_strings(a, b)
            result = {"==": c == 0, "!=": c != 0, "<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0}[op]
        else:
            x, y = to_number(a), to_number(b)
            result = {"==": x == y, "!=": x != y, "<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]
        return 1.0 if result else 0.0
    if op in ("and", "&&"):
        return 1.0 if truthy(a) and truthy(b) else 0.0
    if op in ("or", "||"):
        return 1.0 if truthy(a) or truthy(b) else 0.0
    if op == "/" and not isinstance(b, str) and b == 0:
        raise DivideByZero()
    x, y = to_number(a), to_number(b)
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "/":
        return _ieee_div(x, y)
    if op == "%":
        return js_remainder(x, y)
    if op == "^":
        return js_pow(x, y)
    raise ValueError(f"unknown operator {op!r}")


def negate_scalar(a: Value) -> Value:
    """Unary minus: negates a number (``-0`` possible); prefixes a string with '-'."""
    if isinstance(a, str):
        return _joined("-", a)
    return -a


# --- arrays ---------------------------------------------------------------------------------------

def is_numeric(values: np.ndarray) -> bool:
    return values.dtype != object


def normalize(values: np.ndarray) -> np.ndarray:
    """An object array with no strings left becomes float64, so the fast path applies again."""
    if values.dtype == object and not any(isinstance(v, str) for v in values):
        return values.astype(np.float64)
    return values


def to_number_array(values: np.ndarray) -> np.ndarray:
    """ToNumber of every element: float64."""
    if values.dtype != object:
        return values
    return np.fromiter((to_number(v) for v in values), dtype=np.float64, count=len(values))


def truthy_array(values: np.ndarray) -> np.ndarray:
    """Parseq truthiness of every element: a bool array."""
    return to_number_array(values) > 0


def first_string_index(values: np.ndarray) -> int | None:
    if values.dtype != object:
        return None
    for i, v in enumerate(values):
        if isinstance(v, str):
            return i
    return None


def js_remainder_array(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        result = np.fmod(a, b)
    return np.where(np.isinf(b) & np.isfinite(a), a, result)


def js_pow_array(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        result = np.power(a, b)
    bad = (np.abs(a) == 1) & ~np.isfinite(b)
    if bad.any():
        result = np.where(bad, np.nan, result)
    return result


_COMPARE_UFUNCS = {
    "==": np.equal, "!=": np.not_equal, "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
}


def binary_array(op: str, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, int | None]:
    """Apply ``op`` element-wise. Returns (result, index of the first division by zero or None).

    On a division by zero the result is meaningless; the caller reports the error at that index.
    """
    if a.dtype == object or b.dtype == object or op == ":":
        return _binary_objects(op, a, b)
    with np.errstate(all="ignore"):
        if op == "+":
            return a + b, None
        if op == "-":
            return a - b, None
        if op == "*":
            return a * b, None
        if op == "/":
            zero = b == 0
            if zero.any():
                return a, int(np.argmax(zero))
            return a / b, None
        if op == "%":
            return js_remainder_array(a, b), None
        if op == "^":
            return js_pow_array(a, b), None
        if op in _COMPARE_UFUNCS:
            return _COMPARE_UFUNCS[op](a, b).astype(np.float64), None
        if op in ("and", "&&"):
            return ((a > 0) & (b > 0)).astype(np.float64), None
        if op in ("or", "||"):
            return ((a > 0) | (b > 0)).astype(np.float64), None
    raise ValueError(f"unknown operator {op!r}")


def _binary_objects(op: str, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, int | None]:
    out = np.empty(len(a), dtype=object)
    for i, (x, y) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        try:
            out[i] = binary_scalar(op, x, y)
        except DivideByZero:
            return out, i
        except StringTooLong as exc:
            exc.index = i
            raise
    return normalize(out), None


def negate_array(a: np.ndarray) -> np.ndarray:
    if a.dtype != object:
        return -a
    out = np.empty(len(a), dtype=object)
    for i, v in enumerate(a.tolist()):
        try:
            out[i] = negate_scalar(v)
        except StringTooLong as exc:
            exc.index = i
            raise
    return out


def full(n: int, value: Value) -> np.ndarray:
    """An array of ``n`` copies of one value (object dtype for a string)."""
    if isinstance(value, str):
        out = np.empty(n, dtype=object)
        out[:] = value
        return out
    return np.full(n, value, dtype=np.float64)


def merge_masked(mask: np.ndarray, when_true: np.ndarray | None, when_false: np.ndarray | None) -> np.ndarray:
    """Combine two partial results: ``when_true`` for the frames where ``mask`` holds, ``when_false`` elsewhere (0 if None)."""
    parts = [p for p in (when_true, when_false) if p is not None]
    as_objects = any(p.dtype == object for p in parts)
    out = np.zeros(len(mask), dtype=object if as_objects else np.float64)
    if as_objects:
        out[:] = 0.0
    if when_true is not None:
        out[mask] = when_true
    if when_false is not None:
        out[~mask] = when_false
    return out
