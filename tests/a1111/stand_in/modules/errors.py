"""A1111's ``modules.errors``: ``report`` prints an error and carries on (the loader and callbacks use it).

The stand-in also keeps every report in ``reported`` so tests can assert that nothing failed silently.
"""

from __future__ import annotations

import sys
import traceback

reported: list[str] = []


def report(message: str, *, exc_info: bool = False) -> None:
    text = message
    if exc_info:
        text += "\n" + traceback.format_exc()
    reported.append(text)
    print("*** " + text, file=sys.stderr)


def display(e: Exception, task: str, *, full_traceback: bool = False) -> None:
    report(f"{task}: {type(e).__name__}: {e}", exc_info=True)
