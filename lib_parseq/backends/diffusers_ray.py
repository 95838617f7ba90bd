"""Scale-out: the diffusers backend on a Ray cluster, one pipeline per worker (one per GPU where there are GPUs).

The render loop on the driver stays the single owner of the frame pipeline and the encoder: it prepares a round
of ``workers × batch`` independent vid2vid frames, this backend cuts the round into chunks of ``batch`` frames
(the same calls a one-machine ``--batch`` render makes), runs the chunks on the workers at once, and hands the
outputs back in frame order. A worker that dies has its chunk run again on a live one; the render fails with one
clear error only when none is left. Resume and stop are the loop's own, so they stay exact. Loopback frames
depend on each other and go to one worker at a time. CPU workers compute with the driver's number of torch
threads (Ray would give them one): float sums depend on the thread count, and the same count makes every
frame identical to a one-machine render.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
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
    """A BatchBackend over Ray actors; ``start`` connects (or starts a local cluster) and loads the workers."""

    def __init__(self, workers: list[Any], chunk: int, *, owns_ray: bool) -> None:
        if not workers:
            raise RenderError("no Ray workers to render on")
        self.workers = list(workers)
        self.chunk = chunk
        self.max_batch = chunk * len(self.workers)
        self.owns_ray = owns_ray
        self.rerun_chunks = 0

    @classmethod
    def start(cls, options: DiffusersOptions, *, address: str | None = None,
              workers: int | None = None) -> RayBackend:
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
        return cls(handles, options.batch, owns_ray=owns_ray)

    def worker_pids(self) -> list[int]:
        return ray.get([worker.pid.remote() for worker in self.workers])

    def generate_batch(self, images: Sequence[np.ndarray], params: Sequence[FrameParams]) -> list[np.ndarray]:
        """Outputs in order; chunks of ``chunk`` frames run on the workers at once, a dead worker's chunk again."""
        chunks = [(start, min(start + self.chunk, len(images))) for start in range(0, len(images), self.chunk)]
        outputs: list[list[np.ndarray] | None] = [None] * len(chunks)
        waiting = list(range(len(chunks)))
        while waiting:
            if not self.workers:
                raise RenderError("every Ray worker died; the frames finished so far are kept",
                                  frame=params[chunks[waiting[0]][0]].frame)
            running = {}
            for position, index in enumerate(waiting):
                worker = self.workers[position % len(self.workers)]
                start, end = chunks[index]
                running[index] = (worker, worker.generate_batch.remote(list(images[start:end]), list(params[start:end])))
            waiting = []
            for index, (worker, ref) in running.items():
                try:
                    outputs[index] = ray.get(ref)
                except RayActorError:
                    if worker in self.workers:
                        self.workers.remove(worker)
                    self.rerun_chunks += 1
                    waiting.append(index)
                except ray.exceptions.RayTaskError as exc:
                    cause = getattr(exc, "cause", None)
                    if isinstance(cause, RenderError):
                        raise cause from exc
                    raise
        return [image for chunk in outputs for image in chunk]

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
