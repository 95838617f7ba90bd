"""The immutable syntax tree of a Parseq expression. Every node knows its 1-based line and column.

Nodes compare by identity (``eq=False``), so a node can key per-call-site state during an evaluation.
Left-associative operator chains are one ``Chain`` node, so a long ``1+1+...`` stays shallow.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, eq=False, slots=True)
class Node:
    line: int
    column: int


@dataclass(frozen=True, eq=False, slots=True)
class Number(Node):
    """A numeric literal; ``unit`` is '', 'f', 's' or 'b' (converted to frames at evaluation)."""

    value: float
    unit: str = ""


@dataclass(frozen=True, eq=False, slots=True)
class String(Node):
    value: str


@dataclass(frozen=True, eq=False, slots=True)
class Variable(Node):
    name: str


@dataclass(frozen=True, eq=False, slots=True)
class Negate(Node):
    """``count`` unary minus signs applied to ``operand``."""

    count: int
    operand: Node


@dataclass(frozen=True, eq=False, slots=True)
class Power(Node):
    """``base ^ exponent`` (right-associative; the exponent may be negated)."""

    base: Node
    exponent: Node


@dataclass(frozen=True, eq=False, slots=True)
class Chain(Node):
    """``first op1 x1 op2 x2 ...`` at one precedence level, applied left to right."""

    first: Node
    rest: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, eq=False, slots=True)
class If(Node):
    """``if condition consequent [else alternative]``; no else gives 0 on false."""

    condition: Node
    consequent: Node
    alternative: Node | None


@dataclass(frozen=True, eq=False, slots=True)
class Call(Node):
    """``name(args)`` with positional ``args`` or ``named`` (name, line, column, expr) arguments, never both."""

    name: str
    args: tuple[Node, ...]
    named: tuple[tuple[str, int, int, Node], ...]


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of ``node``."""
    if isinstance(node, Negate):
        return (node.operand,)
    if isinstance(node, Power):
        return (node.base, node.exponent)
    if isinstance(node, Chain):
        return (node.first, *(x for _, x in node.rest))
    if isinstance(node, If):
        return tuple(x for x in (node.condition, node.consequent, node.alternative) if x is not None)
    if isinstance(node, Call):
        return (*node.args, *(x for *_, x in node.named))
    return ()


def walk(node: Node):
    """Every node of the tree, parents before children (iterative, so deep trees are fine)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))
