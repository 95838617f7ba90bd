"""From a rendered manifest to a video: frame parameters, backends, settings, the render loop, resume."""

from lib_parseq.render.backend import Backend, DryRunBackend
from lib_parseq.render.inputs import load_image, manifest_frames
from lib_parseq.render.loop import RenderPlan, RenderStopped, plan_render, render, render_frame, run_plan
from lib_parseq.render.params import FrameParams, frame_params
from lib_parseq.render.settings import HybridSettings, RenderProgress, RenderResult, RenderSettings

__all__ = [
    "Backend",
    "DryRunBackend",
    "FrameParams",
    "HybridSettings",
    "RenderPlan",
    "RenderProgress",
    "RenderResult",
    "RenderSettings",
    "RenderStopped",
    "frame_params",
    "load_image",
    "manifest_frames",
    "plan_render",
    "render",
    "render_frame",
    "run_plan",
]
