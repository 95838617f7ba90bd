"""A Hypothesis strategy for Parseq expressions built from chosen leaves, operators and call templates."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st


def expressions(leaves: Sequence[str], operators: Sequence[str], calls: Sequence[str], depth: int):
    """Expressions nested up to ``depth``: operators, unary minus, both ``if`` forms and calls (``{0}`` = argument)."""
    leaf = st.sampled_from(list(leaves))
    operator = st.sampled_from(list(operators))

    def level(remaining: int):
        if remaining == 0:
            return leaf
        sub = level(remaining - 1)
        return st.one_of(
            leaf,
            st.tuples(sub, operator, sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            sub.map(lambda e: f"-{e}"),
            st.tuples(sub, sub, sub).map(lambda t: f"(if ({t[0]}) {t[1]} else {t[2]})"),
            st.tuples(sub, sub).map(lambda t: f"(if {t[0]} > 3 {t[1]})"),
            st.tuples(st.sampled_from(list(calls)), sub).map(lambda t: t[0].format(t[1])),
        )

    return level(depth)
