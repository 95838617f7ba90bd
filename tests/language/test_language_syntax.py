"""Grammar, precedence, units, literals, comments and parse errors (spec §1, §2)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lib_parseq.errors import ParseError
from lib_parseq.language import parse
from lib_parseq.language.parser import MAX_DEPTH, MAX_LENGTH

# Spec §2.4: where Parseq differs, each row's example with OUR (conventional) result.
DEVIATIONS = [
    ("10-2-3", 5), ("8/2/2", 2), ("1/3*3", 1), ("1:2:3", "((1:2):3)"),  # 1 left-assoc
    ("2*3%4", 2), ("7%4*2", 6),  # 2 levels
    ("1 < 2 && 3 < 4", 1),  # 3
    ("0 and 0 or 1", 1),  # 4
    ("1 < 2 < 3", 1), ("3 > 2 > 1", 0),  # 5
    ("--1", 1), ("- -1", 1), ("if (1) - 1 else 2", -1), ("1--1", 2),  # 6
    ("if (0) 1 + 2", 0), ("if (1) 3 else 2 * 10", 3), ("if (1) 2 + 3 * 4", 14), ("if (1) 3 else 4 + 1", 3),
    ("2 * if (1) 3 else 4 + 1", 6),  # 7
    ("if (1) if (0) 1 else 2", 2),  # 8
    ("if(1) 2", 2), ("if (1)2", 2),  # 9
    ("1 + 2 # note", 3),  # 11
    ("max(1,2,)", 2), ("max(a=1,b=2,)", 2),  # 13
    ("-2^2", -4), ("2^-1", 0.5),  # 30
]


@pytest.mark.parametrize(("expr", "expected"), DEVIATIONS)
def test_deviation_rows_give_the_conventional_result(at0, expr, expected):
    assert at0(expr) == expected


def test_keyword_as_argument_name(ev):
    assert ev("recompute_if(if=1, c=2)", frames=1) == [2]


@pytest.mark.parametrize("expr", ['1 "+" 2', "1 #+\n2", '1 "*-" 2', "1 +"])  # rows 10 and 14
def test_operator_lookalikes_are_syntax_errors(expr):
    with pytest.raises(ParseError):
        parse(expr)


@pytest.mark.parametrize(("expr", "expected"), [
    ("1+1*5", 6), ("(1+1)*5", 10), ("2^3^2", 512), ("2*3^2", 18), ("-3^2", -9), ("(-3)^2", 9), ("2^-2^2", 2 ** -4),
    ("1 + 2 == 3", 1), ("1 == 1 and 2 == 2", 1), ("0 or 1 and 0", 0), ("1 or 0 and 0", 1), ("1 || 0 && 0", 1),
    ("6/3/2", 1), ("2-3+4", 3), ("true + true", 2), ("false", 0), ("if (0) 1", 0),
    ("if (0) 2 else if (1) 3 else 4", 3), ("if (c) -1 else 1".replace("c", "0"), 1), ("if (1) -1 else 1", -1),
    ("if (0) or (1) 5", 5), ("(if (1) 1 else 2) + 3", 4), ("if 1 > 0 7 else 8", 7), ("if (1) (2) else (3)", 2),
    ("max( 1 , 2 )", 2), ("max (3, 4)", 4), ("1 +\n 2", 3), ("# only a comment line\n5", 5), ("3 # trailing", 3),
])
def test_precedence_and_if(at0, expr, expected):
    assert at0(expr) == expected


@pytest.mark.parametrize(("expr", "fps", "bpm", "expected"), [
    ("4b", 30, 120, 60), ("2s", 24, 140, 48), ("7f", 30, 140, 7), ("1.5s", 20, 140, 30), ("0.5b", 30, 60, 15),
])
def test_units(at0, expr, fps, bpm, expected):
    assert at0(expr, fps=fps, bpm=bpm) == expected


@pytest.mark.parametrize(("expr", "expected"), [
    (r'"a\"b"', 'a"b'), (r'"back\\slash"', "back\\slash"), (r'"x\ty"', "x\ty"), (r'"n\nl"', "n\nl"), ('""', ""),
    (r'"\b\f\r"', "\b\f\r"),
])
def test_string_escapes(at0, expr, expected):
    assert at0(expr) == expected


@pytest.mark.parametrize(("expr", "line", "column", "fragment"), [
    ("1 +", 1, 4, "unexpected end of input — expected an expression"),
    ("1 2", 1, 3, "unexpected number '2' — expected an operator"),
    ("2sec", 1, 1, "invalid number '2sec'"),
    ("1e3", 1, 1, "invalid number '1e3'"),
    ("2b2", 1, 1, "invalid number '2b2'"),
    (".5", 1, 1, "unexpected character '.'"),
    ("1.", 1, 1, "invalid number '1.'"),
    ('"\\u0041"', 1, 2, "invalid escape '\\u'"),
    ('"abc', 1, 1, "unterminated string"),
    ('"a\nb"', 1, 1, "unterminated string"),
    ("'a'", 1, 1, "strings use double quotes"),
    ("!1", 1, 1, "no 'not' operator"),
    ("f(1, a=2)", 1, 6, "cannot mix positional and named arguments"),
    ("f(a=1, 2)", 1, 8, "cannot mix positional and named arguments"),
    ("max(1,,2)", 1, 7, "unexpected ','"),
    ("(1 + 2", 1, 7, "expected ')' or an operator"),
    ("1 +\n  * 2", 2, 3, "unexpected '*'"),
    ("if (1)", 1, 7, "the value after the if-condition"),
    ("if = 3", 1, 4, "unexpected '='"),
    ("else", 1, 1, "unexpected 'else'"),
    ("", 1, 1, "empty expression"),
    ("  # just a comment", 1, 1, "empty expression"),
    ("max(a=1,b=2,,)", 1, 13, "unexpected ','"),
])
def test_parse_errors_name_the_token_and_place(expr, line, column, fragment):
    with pytest.raises(ParseError) as info:
        parse(expr)
    err = info.value
    assert fragment in err.message
    assert (err.line, err.column) == (line, column)
    assert err.text == expr
    assert "\n" not in err.message


def test_if_call_condition_suggests_parentheses():
    with pytest.raises(ParseError) as info:
        parse("if c (x)")
    assert "if (c) (x)" in info.value.message


def test_error_excerpt_has_a_caret_under_the_column():
    with pytest.raises(ParseError) as info:
        parse("L + * 2")
    lines = str(info.value).splitlines()
    assert lines[0].startswith("ParseError: unexpected '*'")
    assert lines[1] == "  1:5 | L + * 2"
    assert lines[2].index("^") == lines[1].index("*")


def test_length_limit():
    with pytest.raises(ParseError, match="too long"):
        parse("1+" * (MAX_LENGTH // 2) + "1")


@pytest.mark.parametrize("text", [
    "(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1),
    "2^" * (MAX_DEPTH + 1) + "2",
    "if (1) " * (MAX_DEPTH + 1) + "1",
    "max(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1),
])
def test_depth_limit_is_a_parse_error(text):
    with pytest.raises(ParseError, match="nested too deeply"):
        parse(text)


_DEEPEST = [
    "(" * (MAX_DEPTH - 1) + "1" + ")" * (MAX_DEPTH - 1),
    "(1+" * (MAX_DEPTH - 1) + "1" + ")" * (MAX_DEPTH - 1),
    "-(" * (MAX_DEPTH - 1) + "1" + ")" * (MAX_DEPTH - 1),
    "2^" * (MAX_DEPTH - 1) + "1",
    "if (1) " * (MAX_DEPTH // 2 - 1) + "1",
    "max(" * (MAX_DEPTH // 2 - 1) + "1" + ", 2)" * (MAX_DEPTH // 2 - 1),
    "rand(s=" * (MAX_DEPTH // 2 - 1) + "1" + ")" * (MAX_DEPTH // 2 - 1),
]
_AT_DEFAULT_LIMIT = """
import sys
from lib_parseq.language import FieldProgram, Timing, evaluate_field, evaluate_field_per_frame
from lib_parseq.language import evaluate_prompt_expression, parse
assert sys.getrecursionlimit() == 1000, sys.getrecursionlimit()
texts = sys.argv[1:]

def deep(levels):  # a host (the webui, a test runner) already some frames deep
    if levels:
        return deep(levels - 1)
    for text in texts:
        parse.cache_clear()
        parse(text)
        program = FieldProgram("x", 3, [(0, 0), (2, 1)], [(0, text)])
        for evaluate in (evaluate_field, evaluate_field_per_frame):
            evaluate(program, timing=Timing(30, 120), keyframes=[], other_fields={})
        evaluate_prompt_expression(text, frame=1, timing=Timing(30, 120), keyframes=[], field_values={},
                                   prompt_type="positive")

deep(400)
assert sys.getrecursionlimit() == 1000
print("ok")
"""


def test_the_deepest_expressions_fit_the_default_recursion_limit_with_room_for_the_host(repo_root):
    # The language runs inside the webui's process, so it must never raise the recursion limit.
    for text in _DEEPEST:
        parse(text)
    result = subprocess.run([sys.executable, "-c", _AT_DEFAULT_LIMIT, *_DEEPEST], cwd=repo_root,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"


def test_parsing_leaves_the_recursion_limit_alone():
    limit = sys.getrecursionlimit()
    parse.cache_clear()
    for text in _DEEPEST:
        parse(text)
    assert sys.getrecursionlimit() == limit


def test_long_flat_chains_parse_and_evaluate(at0):
    assert at0("+".join(["1"] * 5000)) == 5000
    assert at0("-" * 5000 + "1") == 1
    assert at0("(" * 150 + "1" + ")" * 150) == 1


def _parser_steps(text: str, monkeypatch) -> int:
    """How many tokens the parser looks at for ``text``: its work, counted rather than timed."""
    from lib_parseq.language import parser as parser_module

    steps = 0
    real_tok = parser_module._Parser.tok

    def counting_tok(self):
        nonlocal steps
        steps += 1
        return real_tok.fget(self)

    monkeypatch.setattr(parser_module._Parser, "tok", property(counting_tok))
    parser_module.parse_tree(text)
    monkeypatch.setattr(parser_module._Parser, "tok", real_tok)
    return steps


@pytest.mark.parametrize("piece", ["if (1) 1", "(if (1) 1 else 2)"])
def test_if_chains_parse_in_linear_time(piece, monkeypatch):
    # Parseq's Earley parser needs seconds for 12 of these (spec §2.4 #15): doubling the chain must only
    # double the parser's work here (a quadratic parser would do four times as much).
    small = _parser_steps(" + ".join([piece] * 40) + " + 1", monkeypatch)
    large = _parser_steps(" + ".join([piece] * 80) + " + 1", monkeypatch)
    assert 1.8 < large / small < 2.2


def test_parse_is_cached_and_immutable():
    a, b = parse("sin(p=4b)"), parse("sin(p=4b)")
    assert a is b
    with pytest.raises(AttributeError):
        a.tree.line = 3


def test_positions_are_one_based_over_lines():
    tree = parse("1 +\n  foo").tree
    assert (tree.rest[0][1].line, tree.rest[0][1].column) == (2, 3)


def test_references_include_untaken_branches_and_dangerous():
    refs = parse('if (0) strength * 2 else dangerous("zoom", f-1) + angle + f + L + prev_computed_value').references()
    assert [(r.name, r.line, r.column, r.via_dangerous) for r in refs] == [
        ("strength", 1, 8, False), ("zoom", 1, 36, True), ("angle", 1, 51, False),
    ]
    assert parse('dangerous(n="x")').references()[0].name == "x"
