"""The expressions inside Deforum schedule strings, read safely and rewritten in the Parseq language.

Deforum hands ``(…)`` values to numexpr, with ``t`` = frame, ``max_f`` = last frame and ``s`` = seed. This
module never evaluates user text with Python: a small recursive-descent parser accepts the numexpr subset
people use in schedules (numbers, ``t``/``max_f``/``s``, ``+ - * / % **``, comparisons, ``& | ~``, the maths
functions and ``where``) and produces a tree that can be printed as Parseq text or, for keyframe positions
such as ``max_f-1``, reduced to a number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from lib_parseq.errors import DocumentError

# numexpr function → Parseq function (Parseq's own sin/cos... are oscillators; its maths family is _sin...).
FUNCTIONS: Mapping[str, str] = {
    "sin": "_sin",
    "cos": "_cos",
    "tan": "_tan",
    "arcsin": "_asin",
    "arccos": "_acos",
    "arctan": "_atan",
    "sinh": "_sinh",
    "cosh": "_cosh",
    "tanh": "_tanh",
    "arcsinh": "_asinh",
    "arccosh": "_acosh",
    "arctanh": "_atanh",
    "exp": "_exp",
    "expm1": "_expm1",
    "log": "_log",
    "log10": "_log10",
    "log1p": "_log1p",
    "sqrt": "_sqrt",
    "abs": "abs",
    "floor": "floor",
    "ceil": "ceil",
    "round": "round",
}
CONDITIONAL = "where"
VARIABLES = ("t", "max_f", "s")

_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|<=|>=|==|!=|[-+*/%<>&|~(),]))"
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    column: int


@dataclass(frozen=True)
class Node:
    """A parsed expression: ``op`` is 'num', 'var', 'call', 'neg', 'not' or a binary operator."""

    op: str
    args: tuple[Node, ...] = ()
    value: float = 0.0
    name: str = ""
    depth: int = 1


def _tokenize(text: str) -> list[Token]:
    tokens = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if not match:
            column = position + len(text[position:]) - len(text[position:].lstrip()) + 1
            raise DocumentError(f"unexpected character {text[column - 1]!r}", text=text, line=1, column=column)
        kind = match.lastgroup or "op"
        tokens.append(Token(kind, match.group(kind), match.start(kind) + 1))
        position = match.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


# Bounds that keep parsing and the recursive walks over the tree (to_parseq, frame_number) far inside Python's
# recursion limit, whatever a pasted schedule holds: brackets and calls nest at most MAX_NESTING deep (each
# level costs the parser about nine frames), and the tree (a chain of 3,000 terms is 3,000 deep) MAX_DEPTH deep,
# which keeps the Parseq text it becomes (one bracket per level) inside the language's own nesting limit.
MAX_NESTING = 50
MAX_DEPTH = 150


class _Parser:
    """Python/numexpr precedence: comparison < | < & < + - < * / % < unary - ~ < ** (right-associative)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0
        self.nesting = 0

    def node(self, op: str, args: tuple[Node, ...], at: Token, name: str = "") -> Node:
        """A tree node; an error when the tree gets deeper than MAX_DEPTH."""
        depth = 1 + max(arg.depth for arg in args)
        if depth > MAX_DEPTH:
            raise self.error(f"expression too long or nested too deeply (more than {MAX_DEPTH} levels)", at)
        return Node(op, args, name=name, depth=depth)

    def enter(self, token: Token) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise self.error(f"brackets and calls nested too deeply (more than {MAX_NESTING} levels)", token)

    def error(self, message: str, token: Token) -> DocumentError:
        return DocumentError(message, text=self.text, line=1, column=token.column)

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def take(self, *texts: str) -> Token | None:
        token = self.current
        if token.kind == "op" and token.text in texts:
            self.index += 1
            return token
        return None

    def parse(self) -> Node:
        if self.current.kind == "end":
            raise self.error("empty expression", self.current)
        node = self.comparison()
        if self.current.kind != "end":
            raise self.error(f"unexpected {self.current.text!r}", self.current)
        return node

    def comparison(self) -> Node:
        node = self.bit_or()
        token = self.take("<", "<=", ">", ">=", "==", "!=")
        if token:
            node = self.node(token.text, (node, self.bit_or()), token)
            if self.take("<", "<=", ">", ">=", "==", "!="):
                raise self.error("chained comparisons are not supported; use & between two comparisons", token)
        return node

    def bit_or(self) -> Node:
        node = self.bit_and()
        while token := self.take("|"):
            node = self.node("|", (node, self.bit_and()), token)
        return node

    def bit_and(self) -> Node:
        node = self.arith()
        while token := self.take("&"):
            node = self.node("&", (node, self.arith()), token)
        return node

    def arith(self) -> Node:
        node = self.term()
        while token := self.take("+", "-"):
            node = self.node(token.text, (node, self.term()), token)
        return node

    def term(self) -> Node:
        node = self.factor()
        while token := self.take("*", "/", "%"):
            node = self.node(token.text, (node, self.factor()), token)
        return node

    def factor(self) -> Node:
        token = self.current
        if self.take("-", "+", "~"):
            self.enter(token)
            operand = self.factor()
            self.nesting -= 1
            return operand if token.text == "+" else self.node("neg" if token.text == "-" else "not", (operand,), token)
        return self.power()

    def power(self) -> Node:
        node = self.atom()
        if token := self.take("**"):
            self.enter(token)
            node = self.node("**", (node, self.factor()), token)
            self.nesting -= 1
        return node

    def atom(self) -> Node:
        token = self.current
        if token.kind == "number":
            self.index += 1
            return Node("num", value=float(token.text))
        if token.kind == "name":
            self.index += 1
            if self.take("("):
                return self.call(token)
            if token.text not in VARIABLES:
                raise self.error(f"unknown variable {token.text!r} (Deforum schedules know t, max_f and s)", token)
            return Node("var", name=token.text)
        if self.take("("):
            self.enter(token)
            node = self.comparison()
            if not self.take(")"):
                raise self.error("expected ')'", self.current)
            self.nesting -= 1
            return node
        found = "the end of the expression" if token.kind == "end" else repr(token.text)
        raise self.error(f"expected a number, a variable or '(', found {found}", token)

    def call(self, name: Token) -> Node:
        if name.text != CONDITIONAL and name.text not in FUNCTIONS:
            known = ", ".join(sorted([*FUNCTIONS, CONDITIONAL]))
            raise self.error(f"unsupported function {name.text!r}; supported: {known}", name)
        args = []
        self.enter(name)
        if not self.take(")"):
            args.append(self.comparison())
            while self.take(","):
                args.append(self.comparison())
            if not self.take(")"):
                raise self.error("expected ',' or ')'", self.current)
        self.nesting -= 1
        expected = 3 if name.text == CONDITIONAL else 1
        if len(args) != expected:
            raise self.error(f"{name.text}() takes {expected} argument(s), got {len(args)}", name)
        return self.node("call", tuple(args), name, name=name.text)


def parse_expression(text: str) -> Node:
    """Parse a numexpr-style schedule expression into a tree (DocumentError with column on bad input)."""
    return _Parser(text).parse()


def uses_variable(node: Node, name: str) -> bool:
    """True when the tree reads the variable ``name``."""
    return (node.op == "var" and node.name == name) or any(uses_variable(arg, name) for arg in node.args)


def format_number(value: float) -> str:
    """A number as Parseq and Deforum both read it: plain decimal digits, no exponent."""
    if not math.isfinite(value):
        raise ValueError(f"cannot write {value} as a schedule number")
    text = np.format_float_positional(value, unique=True, trim="-")
    return "0" if text in ("-0", "0") else text


_PARSEQ_OPERATORS = {"**": "^", "&": "and", "|": "or"}


def to_parseq(node: Node, *, constants: Mapping[str, float]) -> str:
    """Parseq text for the tree: ``t`` → ``f``, ``max_f``/``s`` → their numbers, maths functions renamed."""
    if node.op == "num":
        return format_number(node.value)
    if node.op == "var":
        if node.name == "t":
            return "f" if "t" not in constants else format_number(constants["t"])
        if node.name not in constants:
            raise DocumentError(f"the schedule uses {node.name}, whose value is not known here")
        return format_number(constants[node.name])
    args = [to_parseq(arg, constants=constants) for arg in node.args]
    if node.op == "neg":
        return f"(-{args[0]})"
    if node.op == "not":
        return f"(if ({args[0]}) 0 else 1)"
    if node.op == "call":
        if node.name == CONDITIONAL:
            return f"(if ({args[0]}) ({args[1]}) else ({args[2]}))"
        return f"{FUNCTIONS[node.name]}({args[0]})"
    return f"({args[0]} {_PARSEQ_OPERATORS.get(node.op, node.op)} {args[1]})"


def frame_number(node: Node, *, constants: Mapping[str, float], text: str) -> int:
    """Reduce a keyframe position (``30``, ``max_f-1``, ``max_f/2``) to a frame, as Deforum's ``int()`` does."""

    def reduce(n: Node) -> float:
        if n.op == "num":
            return n.value
        if n.op == "var":
            if n.name not in constants or n.name == "t":
                raise DocumentError(f"a keyframe position cannot use {n.name}", text=text)
            return constants[n.name]
        if n.op == "neg":
            return -reduce(n.args[0])
        if n.op in ("+", "-", "*", "/", "%", "**"):
            return _arithmetic(n.op, reduce(n.args[0]), reduce(n.args[1]), text)
        raise DocumentError("a keyframe position may only use numbers, max_f, s and + - * / % **", text=text)

    value = reduce(node)
    if not math.isfinite(value):
        raise DocumentError(f"keyframe position is not a finite number ({value})", text=text)
    return int(value)


def _arithmetic(op: str, a: float, b: float, text: str) -> float:
    if op in ("/", "%") and b == 0:
        raise DocumentError("division by zero in a keyframe position", text=text)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return a / b
    if op == "%":
        return math.fmod(a, b)
    try:
        result = a**b
    except (OverflowError, ZeroDivisionError):
        return math.inf
    return math.nan if isinstance(result, complex) else float(result)
