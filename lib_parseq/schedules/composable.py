"""Reading a composable prompt back into its parts: ``"a: 0.5 AND b: 1"`` → ``[("a", 0.5), ("b", 1.0)]``.

``join_prompts`` writes a frame's active prompts this way (Deforum's composable-diffusion syntax); the backends
read it back with ``weighted_parts`` and each turns the weights into what its engine understands.
"""

from __future__ import annotations

import re

_AND = re.compile(r"\bAND\b")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?Infinity|NaN"
_TRAILING_WEIGHT = re.compile(rf"^(?P<text>(?:\s|.)*?)\s*:\s*(?P<weight>{_NUMBER})\s*$")


def weighted_parts(text: str) -> list[tuple[str, float | None]]:
    """The AND parts of a prompt, stripped, with their trailing weight (None when a part has none)."""
    parts: list[tuple[str, float | None]] = []
    for part in _AND.split(text):
        match = _TRAILING_WEIGHT.match(part)
        if match is None:
            parts.append((part.strip(), None))
            continue
        weight = float(match.group("weight").replace("Infinity", "inf"))
        parts.append((match.group("text").strip(), weight))
    return parts
