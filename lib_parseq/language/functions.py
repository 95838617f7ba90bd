"""The built-in functions (spec §5): the registry of every function, and invoking one at a call site.

Signatures and argument binding live in ``functions_binding``; the implementations, one module per kind
(oscillators, transitions, random, maths, keyframe info, context), each declare their ``DEFINITIONS``.

Every implementation takes the call site and its argument values (one array per parameter, in declaration
order, each with one element per evaluated frame) and returns one array. The vectorised evaluator calls them
once for a whole span; the per-frame evaluator calls them with length-1 arrays. Stateful functions keep
their memory per call site in the declaration's EvalState and scan the frames in order.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

import numpy as np

from lib_parseq.errors import EvalError
from lib_parseq.language import (
    functions_context,
    functions_info,
    functions_maths,
    functions_oscillators,
    functions_random,
    functions_transitions,
)
from lib_parseq.language.context import Frames, NotInPrompt
from lib_parseq.language.functions_binding import Function, Site, check_argument, default_value
from lib_parseq.language.functions_oscillators import legacy_positional
from lib_parseq.language.nodes import Call, Node

# --- the registry ----------------------------------------------------------------------------------

def _define() -> dict[str, Function]:
    fns: list[Function] = [
        *functions_oscillators.DEFINITIONS,
        *functions_transitions.DEFINITIONS,
        *functions_random.DEFINITIONS,
        *functions_maths.DEFINITIONS,
        *functions_info.DEFINITIONS,
        *functions_context.DEFINITIONS,
    ]
    return {fn.name: fn for fn in fns}


FUNCTIONS: dict[str, Function] = _define()
PROMPT_ONLY = frozenset({"posneg", "posneg_lora"})
STATEFUL = frozenset(name for name, fn in FUNCTIONS.items() if fn.stateful)
SEQUENTIAL = frozenset(name for name, fn in FUNCTIONS.items() if fn.sequential)
LEGACY_POSITIONAL: dict[str, Function] = {
    name: legacy_positional(FUNCTIONS[name]) for name in ("sin", "sq", "tri", "saw", "pulse")
}
"""The oscillators as a 2022 document calls them with positional arguments: ``sin(centre, phase, period, amp)``."""


def unknown_function(name: str, node: Call, extra_names=()) -> EvalError:
    close = difflib.get_close_matches(name, [*FUNCTIONS, *extra_names], n=1)
    hint = f" — did you mean '{close[0]}'?" if close else ""
    return EvalError(f"unknown function '{name}'{hint}", line=node.line, column=node.column)


def invoke(fn: Function, node: Call, fr: Frames, evaluate_argument: Callable[[Node, Frames], np.ndarray],
           binding: list[Node | None]) -> np.ndarray:
    """Evaluate the arguments in declaration order, check their types, and run the function over ``fr``."""
    site = Site(fn, node, fr)
    if fn.name in PROMPT_ONLY and fr.ctx.prompt_type not in ("positive", "negative"):
        raise site.error("posneg() can only be used in a prompt.")
    values: list[np.ndarray | None] = []
    try:
        for param, arg in zip(fn.params, binding, strict=True):
            if arg is None:
                value = default_value(param, fr)
            else:
                value = evaluate_argument(arg, fr)
            values.append(None if value is None else check_argument(site, param, value, arg or node))
        return fn.impl(site, values)
    except NotInPrompt as exc:
        raise exc.located(frame=fr.frame_at(0), line=node.line, column=node.column) from None
