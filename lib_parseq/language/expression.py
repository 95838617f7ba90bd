"""A parsed expression: its text, its syntax tree, and what it needs (references, state, sequential scan)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from lib_parseq.language.context import BUILTIN_VARIABLES, CONTEXT_VARIABLES
from lib_parseq.language.functions import SEQUENTIAL, STATEFUL
from lib_parseq.language.nodes import Call, Node, String, Variable, walk
from lib_parseq.language.parser import parse_tree


@dataclass(frozen=True)
class Reference:
    """A name an expression reads that is not built in (another field, a time series, or unknown)."""

    name: str
    line: int
    column: int
    via_dangerous: bool = False


class Expression:
    """An immutable parsed expression. Evaluation state lives elsewhere, so one parse serves every span."""

    __slots__ = ("text", "tree", "_references", "sequential", "stateful")

    def __init__(self, text: str, tree: Node) -> None:
        self.text = text
        self.tree = tree
        references: list[Reference] = []
        sequential = stateful = False
        for node in walk(tree):
            if isinstance(node, Variable):
                if node.name == "prev_computed_value":
                    sequential = True
                elif node.name not in BUILTIN_VARIABLES and node.name not in CONTEXT_VARIABLES:
                    references.append(Reference(node.name, node.line, node.column))
            elif isinstance(node, Call):
                sequential |= node.name in SEQUENTIAL
                stateful |= node.name in STATEFUL
                if node.name == "dangerous":
                    literal = _dangerous_name(node)
                    if literal is not None:
                        references.append(Reference(literal.value, literal.line, literal.column, True))
        self._references = tuple(references)
        self.sequential = sequential
        self.stateful = stateful

    def references(self) -> tuple[Reference, ...]:
        """Names read by this expression, in source order, including untaken branches and ``dangerous("x")``."""
        return self._references

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


def _dangerous_name(node: Call) -> String | None:
    if node.args:
        candidate = node.args[0]
    else:
        candidate = next((expr for name, _, _, expr in node.named if name in ("name", "n")), None)
    return candidate if isinstance(candidate, String) else None


@lru_cache(maxsize=4096)
def parse(text: str) -> Expression:
    """Parse ``text`` once (cached: the result is immutable); raises ParseError with line:column."""
    return Expression(text, parse_tree(text))
