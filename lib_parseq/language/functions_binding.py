"""Built-in function signatures (spec §5.1): parameters, argument binding and type checks, defaults.

A ``Function`` declares its parameters; ``bind`` maps a call's arguments onto them before evaluation and
``check_argument`` enforces each declared type at every frame. Implementations receive a ``Site``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lib_parseq.errors import EvalError
from lib_parseq.language.context import Frames
from lib_parseq.language.nodes import Call, Node
from lib_parseq.language.values import first_string_index

NUMBER, STRING, ANY = "number", "string", "any"
_REQUIRED = object()
UNSEEDED = object()
"""The default of a ``seed`` parameter: no value, the call site seeds itself."""


@dataclass(frozen=True)
class Param:
    """One parameter: its names (the first is canonical, the rest are aliases), type and default."""

    names: tuple[str, ...]
    type: str = NUMBER
    default: object = _REQUIRED  # a value, a callable(Frames) -> array, or UNSEEDED

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    @property
    def label(self) -> str:
        return "/".join(self.names)


@dataclass(frozen=True)
class Function:
    name: str
    description: str
    params: tuple[Param, ...]
    impl: Callable
    stateful: bool = False
    sequential: bool = False

    @property
    def title(self) -> str:
        return f"{self.name} ({self.description})"


class Site:
    """One evaluation of one call: the node (its position keys the state), the function and the frames."""

    __slots__ = ("fn", "node", "fr")

    def __init__(self, fn: Function, node: Call, fr: Frames) -> None:
        self.fn = fn
        self.node = node
        self.fr = fr

    @property
    def state(self) -> dict:
        return self.fr.state.site(self.node)

    def error(self, message: str, index: int = 0, node: Node | None = None) -> EvalError:
        node = node or self.node
        return EvalError(message, frame=self.fr.frame_at(index), line=node.line, column=node.column)


def bind(fn: Function, node: Call) -> list[Node | None]:
    """The argument expression of each parameter (None: use the default); raises the §5.1 messages."""
    params = fn.params
    if not node.named:
        if any(p.required for p in params[len(node.args):]):  # a required parameter may follow optional ones
            names = ", ".join(p.label for p in params if p.required)
            raise _bind_error(node, f"1 or more missing required arguments for function '{fn.title}'. "
                                    f"Required arguments: {names}")
        if len(node.args) > len(params):
            raise _bind_error(node, f"Too many arguments for function '{fn.title}'. "
                                    f"Expected {len(params)} arguments, got {len(node.args)}")
        return list(node.args) + [None] * (len(params) - len(node.args))
    given = {name for name, *_ in node.named}
    missing = [p for p in params if p.required and not given.intersection(p.names)]
    if missing:
        raise _bind_error(node, f"1 or more missing required arguments for function '{fn.title}'. "
                                f"Required arguments: {', '.join(p.label for p in missing)}")
    unknown = [(name, line, col) for name, line, col, _ in node.named if not any(name in p.names for p in params)]
    if unknown:
        supported = ", ".join(p.label for p in params)
        name, line, col = unknown[0]
        raise EvalError(f"1 or more unrecognised arguments for function '{fn.title}': "
                        f"{', '.join(u[0] for u in unknown)}. Supported arguments: {supported}", line=line, column=col)
    slots: list[Node | None] = [None] * len(params)
    for name, line, col, expr in node.named:
        for i, p in enumerate(params):
            if name in p.names:
                if slots[i] is not None:
                    raise EvalError(f"Duplicate arguments for function '{fn.title}': {name}", line=line, column=col)
                slots[i] = expr
    return slots


def _bind_error(node: Call, message: str) -> EvalError:
    return EvalError(message, line=node.line, column=node.column)


def check_argument(site: Site, param: Param, value: np.ndarray, where: Node) -> np.ndarray:
    """Enforce the declared type of one argument at every frame; numbers come back as float64."""
    if param.type == NUMBER:
        bad = first_string_index(value)
        if bad is not None:
            raise site.error(_type_message(site.fn, param, NUMBER, STRING), bad, where)
        return value if value.dtype != object else value.astype(np.float64)
    if param.type == STRING:
        if value.dtype != object:
            raise site.error(_type_message(site.fn, param, STRING, NUMBER), 0, where)
        if all(issubclass(kind, str) for kind in set(map(type, value))):  # the types once, not every frame
            return value
        for i, v in enumerate(value):
            if not isinstance(v, str):
                raise site.error(_type_message(site.fn, param, STRING, NUMBER), i, where)
    return value


def _type_message(fn: Function, param: Param, expected: str, got: str) -> str:
    return (f"Invalid argument type for argument '{param.label}' for function '{fn.title}'. "
            f"Expected type '{expected}', got '{got}'")


def default_value(param: Param, fr: Frames) -> np.ndarray | None:
    d = param.default
    if d is UNSEEDED:
        return None
    if callable(d):
        return d(fr)
    if isinstance(d, str):
        out = np.empty(fr.n, dtype=object)
        out[:] = d
        return out
    return np.full(fr.n, d, dtype=np.float64)


def unique_strings(values: np.ndarray):
    """(value, mask) for each distinct string in ``values`` (most calls pass one literal)."""
    first = values[0] if len(values) else None
    if len(values) == 0 or bool((values == first).all()):
        yield first, np.ones(len(values), dtype=bool)
        return
    for v in dict.fromkeys(values.tolist()):
        yield v, values == v




def var_default(name: str) -> Callable[[Frames], np.ndarray]:
    """A default that is the context variable ``name`` at each frame."""
    return lambda fr: fr.var(name)
