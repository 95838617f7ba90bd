"""The standalone tab's Render panel: the manifest being edited to a video, by the dry run or diffusers.

The render runs in a worker thread through the same ``render`` as the CLI; the Render button's handler streams
its progress to the page and shows the video when done. Stop asks the running render to stop (the frame being
denoised is abandoned, every finished frame stays in a playable video, and the same render resumes from there).
diffusers is imported only when a diffusers render starts.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lib_parseq.errors import ParseqError, RenderError
from lib_parseq.uploads import guarded_upload, safe_upload_path

BACKEND_CHOICES = ("Dry run", "diffusers")
POLL_S = 0.25
_loaded_pipeline: dict[str, Any] = {}  # the last diffusers pipeline loaded: {"key": ..., "pipe": ...}


@dataclass
class RenderRequest:
    """What the panel's widgets hold."""

    backend: str = "Dry run"
    model: str = ""
    steps: int = 20
    batch: int = 1
    device: str = "auto"
    init_image: str | None = None
    video: str | None = None
    frames: str = ""
    output: str = "parseq-<timestamp>.mp4"
    resume: bool = False


@dataclass
class RenderJob:
    """One render started from the panel: its backend (to stop it) and the reports it sends back."""

    reports: queue.Queue = field(default_factory=queue.Queue)
    backend: Any = None
    stopped: bool = False

    def stop(self) -> None:
        self.stopped = True
        if self.backend is not None:
            self.backend.stop()


def parse_frames(text: str) -> tuple[int | None, int | None] | None:
    """``"A:B"`` (either may be empty) → (A, B); empty → None (all frames)."""
    if not text or not text.strip():
        return None
    match = re.fullmatch(r"\s*(\d*)\s*:\s*(\d*)\s*", text)
    if not match:
        raise RenderError(f"frames must look like A:B (frames A to B-1), got {text!r}")
    start, end = (int(g) if g else None for g in match.groups())
    return start, end


def make_backend(request: RenderRequest) -> Any:
    """The dry run, or a diffusers backend for the model named. The last loaded pipeline is kept, so rendering
    again with the same model, device and precision does not load it again."""
    from lib_parseq.render import DryRunBackend

    if request.backend != "diffusers":
        return DryRunBackend()
    from lib_parseq.backends.diffusers_options import DiffusersOptions, require_diffusers

    options = DiffusersOptions(model=request.model.strip(), steps=int(request.steps), batch=int(request.batch),
                               device=request.device)
    require_diffusers()
    from lib_parseq.backends.diffusers_backend import DiffusersBackend
    from lib_parseq.backends.diffusers_pipeline import load_pipeline, resolve_device

    key = (options.model, options.device, options.dtype, options.scheduler)
    if _loaded_pipeline.get("key") != key:
        _loaded_pipeline.clear()
        _loaded_pipeline.update(key=key, pipe=load_pipeline(options))
    return DiffusersBackend(_loaded_pipeline["pipe"], steps=options.steps, device=resolve_device(options.device),
                            max_batch=options.batch)


def run_render(manifest: Mapping[str, Any], request: RenderRequest, outputs_dir: Path, job: RenderJob) -> None:
    """Render in the calling thread, putting ("progress", report) and finally ("done"|"error", ...) on the job."""
    from lib_parseq.render import RenderSettings, plan_render, run_plan
    from lib_parseq.render.settings import backend_resume_state

    try:
        if (request.init_image is None) == (request.video is None):
            raise RenderError("give an init image (loopback) or an input video (vid2vid), not both")
        outputs_dir.mkdir(parents=True, exist_ok=True)
        default_state, default_every = backend_resume_state(request.backend)
        settings = RenderSettings(output=request.output or "parseq-<timestamp>.mp4", output_dir=outputs_dir,
                                  frames=parse_frames(request.frames), resume=request.resume,
                                  checkpoint_every=default_every, resume_state=default_state, handle_sigint=False)
        plan = plan_render(manifest, settings, init_image=request.init_image, video_path=request.video)
        job.reports.put(("status", "loading the model…" if request.backend == "diffusers" else "rendering…"))
        job.backend = make_backend(request)
        if job.stopped:
            job.backend.stop()
        result = run_plan(plan, settings, job.backend, progress=lambda report: job.reports.put(("progress", report)))
        job.reports.put(("done", result))
    except ParseqError as exc:
        job.reports.put(("error", exc))
    except Exception as exc:  # noqa: BLE001 - the page shows any failure as one line instead of a dead spinner
        job.reports.put(("error", RenderError(f"the render failed: {type(exc).__name__}: {exc}")))


def follow(manifest: Mapping[str, Any] | None, request: RenderRequest, outputs_dir: Path,
           job: RenderJob) -> Iterator[tuple[str, str | None]]:
    """Start the render in a thread and yield (status line, video path or None) until it ends."""
    if manifest is None:
        yield "Fix the document's errors first: there is no manifest to render.", None
        return
    worker = threading.Thread(target=run_render, args=(manifest, request, outputs_dir, job), daemon=True)
    worker.start()
    while True:
        try:
            kind, payload = job.reports.get(timeout=POLL_S)
        except queue.Empty:
            continue
        if kind == "status":
            yield f"Render: {payload}", None
        elif kind == "progress":
            yield f"Render: frame {payload.frame} done, {payload.done} of {payload.total} ({payload.elapsed_s:.1f} s)", None
        elif kind == "done":
            yield _done_line(payload), str(payload.video_path) if payload.frames_written else None
            return
        else:
            kept = getattr(payload, "result", None)
            video = str(kept.video_path) if kept is not None and kept.frames_written else None
            yield f"Render failed: {payload}", video
            return


def _done_line(result: Any) -> str:
    if result.interrupted:
        return (f"Stopped: {result.video_path} holds {result.frames_written} of {result.total_frames} frames; "
                "tick Resume and render again to finish it.")
    return f"Done: {result.video_path}, {result.frames_written} frames."


def build_render_panel(preview_state: Any, outputs_dir: Path) -> None:
    """The panel's widgets and events, inside the caller's ``gr.Blocks`` (a Tab of the standalone page)."""
    import gradio as gr

    from lib_parseq.backends.diffusers_options import DEVICES

    jobs: list[RenderJob] = []
    gr.Markdown(f"Render the current manifest to a video in `{outputs_dir}`: the dry run runs the frame pipeline "
                "without diffusion; diffusers renders with a local model (`pip install \".[diffusers]\"`).")
    with gr.Row():
        backend = gr.Radio(list(BACKEND_CHOICES), value=BACKEND_CHOICES[0], label="Backend",
                           elem_id="parseq_render_backend")
        model = gr.Textbox(label="Model (diffusers folder, .safetensors file or hub ID)",
                           elem_id="parseq_render_model", scale=3)
    with gr.Row():
        steps = gr.Number(value=20, precision=0, label="Steps", elem_id="parseq_render_steps")
        batch = gr.Number(value=1, precision=0, label="Batch (vid2vid)", elem_id="parseq_render_batch")
        device = gr.Dropdown(list(DEVICES), value="auto", label="Device", elem_id="parseq_render_device")
        frames = gr.Textbox(label="Frames A:B (empty: all)", elem_id="parseq_render_frames")
        output = gr.Textbox(value="parseq-<timestamp>.mp4", label="Output file", elem_id="parseq_render_output")
        resume = gr.Checkbox(value=False, label="Resume", elem_id="parseq_render_resume")
    with gr.Row():
        init_image = gr.Image(type="filepath", label="Init image (loopback)", elem_id="parseq_render_init")
        video_in = guarded_upload(gr.File(label="…or input video (vid2vid)", file_types=["video"],
                                          elem_id="parseq_render_video"))
    with gr.Row():
        start_button = gr.Button("Render", variant="primary", elem_id="parseq_render_start")
        stop_button = gr.Button("Stop", elem_id="parseq_render_stop")
    status = gr.Markdown("", elem_id="parseq_render_status")
    video_out = gr.Video(label="Rendered video", interactive=False, elem_id="parseq_render_video_out")

    def on_render(preview, backend_name, model_text, steps_value, batch_value, device_name, image_path, video_file,
                  frames_text, output_text, resume_flag):
        request = RenderRequest(backend=backend_name, model=model_text or "", steps=int(steps_value or 20),
                                batch=int(batch_value or 1), device=device_name or "auto", init_image=image_path or None,
                                video=_file_path(video_file), frames=frames_text or "",
                                output=output_text or "", resume=bool(resume_flag))
        job = RenderJob()
        jobs.append(job)
        try:
            manifest = None if preview is None or preview.error else preview.manifest
            yield from follow(manifest, request, outputs_dir, job)
        finally:
            jobs.remove(job)

    def on_stop():
        for job in list(jobs):
            job.stop()
        return "Stopping after the current frame…" if jobs else "No render is running."

    start_button.click(on_render, [preview_state, backend, model, steps, batch, device, init_image, video_in, frames,
                                   output, resume], [status, video_out])
    stop_button.click(on_stop, None, [status], queue=False)


def _file_path(value: Any) -> str | None:
    """A gr.File value's path, only inside gradio's upload folder (``lib_parseq.uploads``)."""
    path = safe_upload_path(value)
    return None if path is None else str(path)
