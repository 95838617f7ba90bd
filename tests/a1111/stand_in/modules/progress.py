"""A1111's ``modules.progress``: the task bookkeeping and ``progressapi`` behind the UI's progress bar.

As in A1111 1.10.1 (live preview left out): progress is ``job_no / job_count`` plus the current job's share
``sampling_step / sampling_steps``; ``textinfo`` is ``state.textinfo``. The page's ``progressbar.js`` shows
``textinfo + " " + "NN% ETA: ..."`` (textinfo only when it is one line); ``state.job`` is not shown in the UI.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from pydantic import BaseModel, Field

from modules import shared

current_task = None
pending_tasks: OrderedDict = OrderedDict()
finished_tasks: list = []


def start_task(id_task):
    global current_task
    current_task = id_task
    pending_tasks.pop(id_task, None)


def finish_task(id_task):
    global current_task
    if current_task == id_task:
        current_task = None
    finished_tasks.append(id_task)
    if len(finished_tasks) > 16:
        finished_tasks.pop(0)


def add_task_to_queue(id_job):
    pending_tasks[id_job] = time.time()


class ProgressRequest(BaseModel):
    id_task: str = Field(default=None, title="Task ID")
    id_live_preview: int = Field(default=-1, title="Live preview image ID")
    live_preview: bool = Field(default=True, title="Include live preview")


class ProgressResponse(BaseModel):
    active: bool = Field(title="Whether the task is being worked on right now")
    queued: bool = Field(title="Whether the task is in queue")
    completed: bool = Field(title="Whether the task has already finished")
    progress: float = Field(default=None, title="Progress")
    eta: float = Field(default=None, title="ETA in secs")
    live_preview: str = Field(default=None, title="Live preview image")
    id_live_preview: int = Field(default=None, title="Live preview image ID")
    textinfo: str = Field(default=None, title="Info text")


def progressapi(req: ProgressRequest) -> ProgressResponse:
    active = req.id_task == current_task
    queued = req.id_task in pending_tasks
    completed = req.id_task in finished_tasks
    if not active:
        textinfo = "Waiting..."
        if queued:
            sorted_queued = sorted(pending_tasks.keys(), key=lambda x: pending_tasks[x])
            textinfo = f"In queue: {sorted_queued.index(req.id_task) + 1}/{len(sorted_queued)}"
        return ProgressResponse(active=active, queued=queued, completed=completed, id_live_preview=-1,
                                textinfo=textinfo)
    state = shared.state
    progress = 0.0
    job_count, job_no = state.job_count, state.job_no
    sampling_steps, sampling_step = state.sampling_steps, state.sampling_step
    if job_count > 0:
        progress += job_no / job_count
    if sampling_steps > 0 and job_count > 0:
        progress += 1 / job_count * sampling_step / sampling_steps
    progress = min(progress, 1)
    elapsed = time.time() - state.time_start
    predicted = elapsed / progress if progress > 0 else None
    eta = predicted - elapsed if predicted is not None else None
    return ProgressResponse(active=active, queued=queued, completed=completed, progress=progress, eta=eta,
                            id_live_preview=req.id_live_preview, textinfo=state.textinfo)
