"""Chunks of frames run on several workers at once, their outputs handed back in chunk order as they complete.

A scale-out backend (Ray) submits chunks to its workers and waits for whichever finishes first; the render loop
needs them in frame order, for its single encoder. ``run_in_order`` keeps at most ``limit`` chunks between
submission and hand-back (running, queued on a worker, or finished early and held in the reorder buffer), so
memory stays bounded however long the render, and pulls the next chunk from its source only when there is room
(the source prepares frames lazily). A chunk whose worker died (``collect`` raises ``ChunkLost``) is submitted
again, to whichever worker ``submit`` picks. No backend library is imported here: the caller supplies how to
submit, wait and collect.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

Chunk = TypeVar("Chunk")
Handle = TypeVar("Handle")
Result = TypeVar("Result")


class ChunkLost(Exception):
    """The worker running a chunk is gone; the chunk has to run again elsewhere."""


def run_in_order(chunks: Iterable[Chunk], submit: Callable[[Chunk], Handle],
                 wait: Callable[[list[Handle]], list[Handle]], collect: Callable[[Handle], Result],
                 limit: int) -> Iterator[Result]:
    """Yield each chunk's result in the order of ``chunks``.

    ``submit(chunk)`` starts a chunk and returns a handle; ``wait(handles)`` blocks until at least one of them
    is done and returns the done ones; ``collect(handle)`` returns a done chunk's result or raises ChunkLost.
    At most ``limit`` (≥ 1) chunks are submitted and not yet yielded at any time.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    source = iter(chunks)
    running: dict[Handle, int] = {}
    inputs: dict[int, Chunk] = {}
    finished: dict[int, Result] = {}
    submitted = yielded = 0
    exhausted = False
    while True:
        while not exhausted and submitted - yielded < limit:
            try:
                chunk = next(source)
            except StopIteration:
                exhausted = True
                break
            inputs[submitted] = chunk
            running[submit(chunk)] = submitted
            submitted += 1
        if yielded in finished:
            del inputs[yielded]
            yield finished.pop(yielded)
            yielded += 1
            continue
        if not running:
            return
        for handle in wait(list(running)):
            index = running.pop(handle)
            try:
                finished[index] = collect(handle)
            except ChunkLost:
                running[submit(inputs[index])] = index
