"""Scale-out: the diffusers backend on a Ray cluster, one pipeline per worker (one per GPU where there are GPUs).

The render loop on the driver stays the single owner of the frame pipeline and the encoder. It hands this backend
a lazy stream of chunks of ``batch`` independent vid2vid frames (the same calls a one-machine ``--batch`` render
makes); the backend keeps up to ``in_flight`` chunks out (two per worker by default: one running, one queued,
so a worker never waits for the driver), each on the least busy live worker, waits with ``ray.wait`` for
whichever finishes first and hands the outputs back in frame order through a reorder buffer
(``render.streaming.run_in_order``): the encoder gets each chunk as soon as the chunks before it are done, and
memory holds at most ``in_flight`` chunks. A worker that dies has its chunks run again on a live one; the
render fails with one clear error only when none is left. Resume and stop are the loop's own, so they stay
exact (a stop lets the chunks out finish and be written). Loopback frames depend on each other and go to one
worker at a time. CPU workers compute with the driver's number of torch threads (Ray would give them one):
the kernels' blocking depends on the thread count, and the same count makes every frame identical to a
one-machine render.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import ray
import torch
from ray.exceptions import RayActorError

from lib_parseq.backends.diffusers_options import DiffusersOptions
from lib_parseq.errors import RenderError
from lib_parseq.render.batching import StoppableBatchBackend
from lib_parseq.render.params import FrameParams
from lib_parseq.render.streaming import ChunkLost, run_in_order

PACKAGE_DIR = Path(__file__).resolve().parents[1]


class PipelineWorker:
    """One Ray actor: a loaded pipeline that renders chunks of frames."""

    def __init__(self, options: DiffusersOptions, threads: int | None) -> None:
        from lib_parseq.backends.diffusers_backend import DiffusersBackend

        if threads:
            torch.set_num_threads(threads)
        self.backend = DiffusersBackend.from_options(options)

    def pid(self) -> int:
        return os.getpid()

    def generate_batch(self, images: Sequence[np.ndarray], params: Sequence[FrameParams]) -> list[np.ndarray]:
        return self.backend.generate_batch(images, params)


class RayBackend(StoppableBatchBackend):
    """A streaming batch backend over Ray actors; ``start`` connects (or starts a local cluster) and loads them."""

    def __init__(self, workers: list[Any], chunk: int, *, owns_ray: bool, in_flight: int | None = None) -> None:
        if not workers:
            raise RenderError("no Ray workers to render on")
        self.workers = list(workers)
        self.max_batch = chunk
        self.in_flight = in_flight or 2 * len(self.workers)
        self.owns_ray = owns_ray
        self.rerun_chunks = 0
        self._busy: dict[Any, int] = {}  # tasks out per live worker

    @classmethod
    def start(cls, options: DiffusersOptions, *, address: str | None = None, workers: int | None = None,
              in_flight: int | None = None) -> RayBackend:
        """Connect to ``address`` (None: this machine's cluster, started if need be) and start the workers."""
        owns_ray = not ray.is_initialized()
        if owns_ray:
            try:
                _connect(address)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise RenderError(f"cannot connect to the Ray cluster {address or '(local)'}: {exc}") from exc
        resources = ray.cluster_resources()
        gpus = int(resources.get("GPU", 0))
        count = workers or gpus or max(1, len([n for n in ray.nodes() if n.get("Alive")]))
        per_worker = {"num_gpus": 1} if gpus else {"num_cpus": 1}
        actor = ray.remote(**per_worker)(PipelineWorker)
        threads = None if gpus else torch.get_num_threads()
        handles = [actor.remote(options, threads) for _ in range(count)]
        try:
            ray.get([handle.pid.remote() for handle in handles])
        except ray.exceptions.RayTaskError as exc:
            for handle in handles:
                ray.kill(handle)
            cause = exc.cause if isinstance(getattr(exc, "cause", None), RenderError) else exc
            raise RenderError(f"a Ray worker could not load the model: {getattr(cause, 'message', cause)}") from exc
        return cls(handles, options.batch, owns_ray=owns_ray, in_flight=in_flight)

    def worker_pids(self) -> list[int]:
        return ray.get([worker.pid.remote() for worker in self.workers])

    def generate_batch(self, images: Sequence[np.ndarray], params: Sequence[FrameParams]) -> list[np.ndarray]:
        """One chunk's outputs (loopback frames, one at a time), run again elsewhere if its worker dies."""
        return next(iter(self.generate_stream([(images, params)])))

    def generate_stream(self, batches: Iterable[tuple[Sequence[np.ndarray], Sequence[FrameParams]]]
                        ) -> Iterator[list[np.ndarray]]:
        """Each chunk's outputs in order, as they complete (see the module docstring)."""
        running: dict[Any, Any] = {}  # task → its worker

        def submit(batch: tuple[Sequence[np.ndarray], Sequence[FrameParams]]) -> Any:
            images, params = batch
            if not self.workers:
                raise RenderError("every Ray worker died; the frames finished so far are kept",
                                  frame=params[0].frame)
            worker = min(self.workers, key=lambda w: self._busy.get(w, 0))
            self._busy[worker] = self._busy.get(worker, 0) + 1
            task = worker.generate_batch.remote(list(images), list(params))
            running[task] = worker
            return task

        def wait(tasks: list[Any]) -> list[Any]:
            done, _ = ray.wait(tasks, num_returns=1)
            return done

        def collect(task: Any) -> list[np.ndarray]:
            worker = running.pop(task)
            if worker in self._busy:
                self._busy[worker] -= 1
            try:
                return ray.get(task)
            except RayActorError as exc:
                if worker in self.workers:
                    self.workers.remove(worker)
                    self._busy.pop(worker, None)
                self.rerun_chunks += 1
                raise ChunkLost from exc
            except ray.exceptions.RayTaskError as exc:
                cause = getattr(exc, "cause", None)
                if isinstance(cause, RenderError):
                    raise cause from exc
                raise

        return run_in_order(batches, submit, wait, collect, self.in_flight)

    def close(self) -> None:
        """Stop the workers, and the local Ray cluster when this backend started it."""
        for worker in self.workers:
            ray.kill(worker)
        self.workers = []
        if self.owns_ray:
            ray.shutdown()


def _connect(address: str | None) -> None:
    if address is None:
        path = os.pathsep.join(p for p in (str(PACKAGE_DIR.parent), os.environ.get("PYTHONPATH")) if p)
        ray.init(runtime_env={"env_vars": {"PYTHONPATH": path}}, include_dashboard=False, log_to_driver=False)
    else:
        ray.init(address=address, runtime_env={"py_modules": [str(PACKAGE_DIR)]}, log_to_driver=False)
