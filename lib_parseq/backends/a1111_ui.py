"""The img2img script's controls (gradio only, no A1111 import) and how their values arrive in ``run()``.

A1111 passes the values of the components ``ui()`` returns to ``run(p, *args)`` positionally, in that order, so
``build_controls`` and ``ScriptValues.from_args`` are kept side by side and must list the same things.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lib_parseq.backends.a1111_masks import MASK_SOURCES
from lib_parseq.backends.a1111_summary import summarize
from lib_parseq.frames.coherence import COLOUR_SOURCES
from lib_parseq.frames.colour import COLOUR_SPACES
from lib_parseq.frames.flow import FLOW_METHODS
from lib_parseq.frames.hybrid import MASK_KINDS as HYBRID_MASKS
from lib_parseq.frames.masks import EQUALISE_WHEN
from lib_parseq.render.settings import BORDER_MODES, HYBRID_COMPOSITES, HYBRID_MOTIONS, INTERPOLATIONS
from lib_parseq.uploads import guarded_upload

MANIFEST_ELEM_ID = "parseq_manifest"
START_NEW = "Start a new render"
CONTINUE_LAST = "Continue the last unfinished render"
UNFINISHED_CHOICES = (START_NEW, CONTINUE_LAST)


@dataclass(frozen=True)
class ControlDefaults:
    """The defaults of the controls that A1111's Settings tab sets (section "Parseq")."""

    template: str = ""
    unfinished: str = START_NEW
    gif: bool = False
    webm: bool = False


@dataclass(frozen=True)
class ScriptValues:
    """The script's UI values, in ``ui()`` order."""

    manifest_text: str = ""
    upload: Any = None
    input_video: str = ""
    output_template: str = ""
    fps: float = 0.0
    first_frame: int = 0
    last_frame: int = -1
    save_frames: bool = False
    dry_run: bool = False
    overlay: bool = False
    cc_override: bool = False
    cc_window_width: int = 0
    cc_window_slide_rate: float = 1.0
    cc_use_input: bool = False
    border: str = BORDER_MODES[0]
    unfinished: str = START_NEW
    gif: bool = False
    webm: bool = False
    audio_path: str = ""
    audio_upload: Any = None
    input_nth_frame: int = 1
    input_fps: float = 0.0
    sampling: str = INTERPOLATIONS[0]
    cadence: int = 0
    colour_space: str = COLOUR_SPACES[0]
    colour_source: str = COLOUR_SOURCES[0]
    colour_every: int = 0
    greyscale: bool = False
    hybrid: bool = False
    hybrid_motion: str = HYBRID_MOTIONS[0]
    hybrid_flow: str = FLOW_METHODS[0]
    hybrid_composite: str = HYBRID_COMPOSITES[0]
    hybrid_mask: str = HYBRID_MASKS[0]
    hybrid_mask_invert: bool = False
    hybrid_mask_equalise: str = EQUALISE_WHEN[0]
    hybrid_mask_auto_contrast: bool = False
    hybrid_use_previous_image: bool = False
    hybrid_first_frame_init: bool = False
    mask_source: str = MASK_SOURCES[0]
    mask_image: Any = None
    mask_video: str = ""
    mask_invert: bool = False
    mask_blur: int = 4
    mask_overlay: bool = False

    @classmethod
    def from_args(cls, *args: Any) -> ScriptValues:
        names = list(cls.__dataclass_fields__)
        if len(args) != len(names):
            raise TypeError(f"the Parseq script expects {len(names)} UI values, got {len(args)}")
        values = dict(zip(names, args, strict=True))
        return cls(
            manifest_text=str(values["manifest_text"] or ""),
            upload=values["upload"],
            input_video=str(values["input_video"] or "").strip(),
            output_template=str(values["output_template"] or "").strip(),
            fps=float(values["fps"] or 0),
            first_frame=int(values["first_frame"] or 0),
            last_frame=int(-1 if values["last_frame"] is None else values["last_frame"]),
            save_frames=bool(values["save_frames"]),
            dry_run=bool(values["dry_run"]),
            overlay=bool(values["overlay"]),
            cc_override=bool(values["cc_override"]),
            cc_window_width=int(values["cc_window_width"] or 0),
            cc_window_slide_rate=float(1.0 if values["cc_window_slide_rate"] is None else values["cc_window_slide_rate"]),
            cc_use_input=bool(values["cc_use_input"]),
            border=str(values["border"] or BORDER_MODES[0]),
            unfinished=str(values["unfinished"] or START_NEW),
            gif=bool(values["gif"]),
            webm=bool(values["webm"]),
            audio_path=str(values["audio_path"] or "").strip(),
            audio_upload=values["audio_upload"],
            input_nth_frame=int(values["input_nth_frame"] or 1),
            input_fps=float(values["input_fps"] or 0),
            **_motion_values(values),
        )

    @property
    def continue_last(self) -> bool:
        return self.unfinished == CONTINUE_LAST

    def frame_range(self) -> tuple[int | None, int | None] | None:
        """RenderSettings' ``frames``: (start, end exclusive); None when the whole manifest is wanted."""
        start = max(self.first_frame, 0)
        end = None if self.last_frame < 0 else self.last_frame + 1
        if start == 0 and end is None:
            return None
        return (start, end)


def _motion_values(values: dict[str, Any]) -> dict[str, Any]:
    """The motion-toolkit values (appended controls), with their defaults for empty inputs."""
    def text(name: str, default: str) -> str:
        return str(values[name] or default)

    return dict(
        sampling=text("sampling", INTERPOLATIONS[0]), cadence=int(values["cadence"] or 0),
        colour_space=text("colour_space", COLOUR_SPACES[0]), colour_source=text("colour_source", COLOUR_SOURCES[0]),
        colour_every=int(values["colour_every"] or 0), greyscale=bool(values["greyscale"]),
        hybrid=bool(values["hybrid"]), hybrid_motion=text("hybrid_motion", HYBRID_MOTIONS[0]),
        hybrid_flow=text("hybrid_flow", FLOW_METHODS[0]), hybrid_composite=text("hybrid_composite", HYBRID_COMPOSITES[0]),
        hybrid_mask=text("hybrid_mask", HYBRID_MASKS[0]), hybrid_mask_invert=bool(values["hybrid_mask_invert"]),
        hybrid_mask_equalise=text("hybrid_mask_equalise", EQUALISE_WHEN[0]),
        hybrid_mask_auto_contrast=bool(values["hybrid_mask_auto_contrast"]),
        hybrid_use_previous_image=bool(values["hybrid_use_previous_image"]),
        hybrid_first_frame_init=bool(values["hybrid_first_frame_init"]), mask_source=text("mask_source", MASK_SOURCES[0]),
        mask_image=values["mask_image"], mask_video=str(values["mask_video"] or "").strip(),
        mask_invert=bool(values["mask_invert"]), mask_blur=int(values["mask_blur"] or 0),
        mask_overlay=bool(values["mask_overlay"]),
    )


def build_motion_controls() -> list:
    """Deforum's motion toolkit and init masks (appended after the original controls, in ``ScriptValues`` order)."""
    import gradio as gr

    with gr.Accordion("Motion toolkit: sampling, cadence, colour coherence, hybrid video", open=False):
        with gr.Row():
            sampling = gr.Dropdown(label="Sampling", choices=list(INTERPOLATIONS), value=INTERPOLATIONS[0],
                                   elem_id="parseq_sampling")
            cadence = gr.Number(label="Diffusion cadence (0: the manifest's)", value=0, precision=0,
                                elem_id="parseq_cadence")
        with gr.Row():
            colour_space = gr.Dropdown(label="Colour coherence space", choices=list(COLOUR_SPACES),
                                       value=COLOUR_SPACES[0], elem_id="parseq_colour_space")
            colour_source = gr.Dropdown(label="Colour coherence source", choices=list(COLOUR_SOURCES),
                                        value=COLOUR_SOURCES[0], elem_id="parseq_colour_source")
            colour_every = gr.Number(label="Refresh colour sample every N frames (0: never / every frame)", value=0,
                                     precision=0, elem_id="parseq_colour_every")
            greyscale = gr.Checkbox(label="Force greyscale", value=False, elem_id="parseq_greyscale")
        with gr.Row():
            hybrid = gr.Checkbox(label="Hybrid video: the input video guides the loopback (instead of vid2vid)",
                                 value=False, elem_id="parseq_hybrid")
            hybrid_motion = gr.Dropdown(label="Hybrid motion", choices=list(HYBRID_MOTIONS), value=HYBRID_MOTIONS[0],
                                        elem_id="parseq_hybrid_motion")
            hybrid_flow = gr.Dropdown(label="Hybrid flow method", choices=list(FLOW_METHODS), value=FLOW_METHODS[0],
                                      elem_id="parseq_hybrid_flow")
            hybrid_composite = gr.Dropdown(label="Hybrid composite", choices=list(HYBRID_COMPOSITES),
                                           value=HYBRID_COMPOSITES[0], elem_id="parseq_hybrid_composite")
            hybrid_mask = gr.Dropdown(label="Hybrid composite mask", choices=list(HYBRID_MASKS),
                                      value=HYBRID_MASKS[0], elem_id="parseq_hybrid_mask")
        with gr.Row():
            hybrid_mask_invert = gr.Checkbox(label="Invert the composite mask", value=False,
                                             elem_id="parseq_hybrid_mask_invert")
            hybrid_mask_equalise = gr.Dropdown(label="Equalise the composite mask", choices=list(EQUALISE_WHEN),
                                               value=EQUALISE_WHEN[0], elem_id="parseq_hybrid_mask_equalise")
            hybrid_mask_auto_contrast = gr.Checkbox(label="Auto-contrast the composite mask", value=False,
                                                    elem_id="parseq_hybrid_mask_auto_contrast")
            hybrid_use_previous_image = gr.Checkbox(label="Motion from the previous output to the video frame",
                                                    value=False, elem_id="parseq_hybrid_use_previous_image")
            hybrid_first_frame_init = gr.Checkbox(label="Start from the video's first frame", value=False,
                                                  elem_id="parseq_hybrid_first_frame_init")
    with gr.Accordion("Init mask", open=False):
        with gr.Row():
            mask_source = gr.Dropdown(label="Mask source (white = regenerate)", choices=list(MASK_SOURCES),
                                      value=MASK_SOURCES[0], elem_id="parseq_mask_source")
            mask_video = gr.Textbox(label="Mask video path on the server (one mask frame per frame)",
                                    elem_id="parseq_mask_video")
        mask_image = gr.Image(label="Mask image", type="pil", elem_id="parseq_mask_image")
        with gr.Row():
            mask_invert = gr.Checkbox(label="Invert mask", value=False, elem_id="parseq_mask_invert")
            mask_blur = gr.Number(label="Mask blur (pixels)", value=4, precision=0, elem_id="parseq_mask_blur")
            mask_overlay = gr.Checkbox(label="Overlay the init image outside the mask", value=False,
                                       elem_id="parseq_mask_overlay")
    return [sampling, cadence, colour_space, colour_source, colour_every, greyscale, hybrid, hybrid_motion,
            hybrid_flow, hybrid_composite, hybrid_mask, hybrid_mask_invert, hybrid_mask_equalise, hybrid_mask_auto_contrast,
            hybrid_use_previous_image, hybrid_first_frame_init, mask_source, mask_image, mask_video, mask_invert, mask_blur,
            mask_overlay]


def build_controls(defaults: ControlDefaults | None = None) -> list:
    """Create the controls inside the caller's gradio context; return the ones whose values go to ``run()``."""
    import gradio as gr

    defaults = defaults or ControlDefaults()
    default_template = defaults.template
    manifest = gr.Textbox(label="Parseq manifest or keyframe document (JSON), or an http(s) URL", lines=6,
                          max_lines=20, elem_id=MANIFEST_ELEM_ID,
                          placeholder="Paste JSON from the Parseq tab or the Parseq web app, or a URL to it")
    upload = guarded_upload(gr.File(label="...or upload a manifest / document (.json)", file_types=[".json"],
                                    elem_id="parseq_script_manifest_file"))
    summary = gr.Textbox(label="Manifest summary", value=summarize(""), lines=4, interactive=False,
                         elem_id="parseq_manifest_summary")
    with gr.Row():
        input_video = gr.Textbox(label="Input video path on the server (empty: loopback from the init image)",
                                 elem_id="parseq_input_video")
        output_template = gr.Textbox(label="Output file, relative to the img2img output folder (<timestamp> allowed)",
                                     placeholder=default_template or "parseq-<timestamp>.mp4",
                                     elem_id="parseq_output_template")
    with gr.Row():
        fps = gr.Number(label="FPS (0: the manifest's output_fps)", value=0, elem_id="parseq_script_fps")
        first_frame = gr.Number(label="First frame", value=0, precision=0, elem_id="parseq_script_first_frame")
        last_frame = gr.Number(label="Last frame (-1: the manifest's last)", value=-1, precision=0,
                               elem_id="parseq_script_last_frame")
    with gr.Row():
        save_frames = gr.Checkbox(label="Save frames (PNG with infotext)", value=False, elem_id="parseq_save_frames")
        dry_run = gr.Checkbox(label="Dry run (no diffusion: motion and blending only)", value=False,
                              elem_id="parseq_dry_run")
        overlay = gr.Checkbox(label="Overlay frame number and values", value=False, elem_id="parseq_overlay")
    with gr.Row():
        cc_override = gr.Checkbox(label="Override the manifest's colour correction", value=False,
                                  elem_id="parseq_cc_override")
        cc_window_width = gr.Number(label="Colour window (frames; 0 off, -1 all)", value=0, precision=0,
                                    elem_id="parseq_cc_window_width")
        cc_window_slide_rate = gr.Number(label="Colour window slide rate", value=1.0,
                                         elem_id="parseq_cc_window_slide_rate")
        cc_use_input = gr.Checkbox(label="Include the input frame in the colour target", value=False,
                                   elem_id="parseq_cc_use_input")
    border = gr.Dropdown(label="Border mode (what fills pixels moved in from outside)", choices=list(BORDER_MODES),
                         value=BORDER_MODES[0], elem_id="parseq_border")
    unfinished = gr.Radio(label="Render (an interrupted render keeps what it needs to continue into the same video)",
                          choices=list(UNFINISHED_CHOICES), value=defaults.unfinished, elem_id="parseq_unfinished")
    with gr.Row():
        gif = gr.Checkbox(label="Also write a GIF", value=defaults.gif, elem_id="parseq_gif")
        webm = gr.Checkbox(label="Also write a WebM (VP9)", value=defaults.webm, elem_id="parseq_webm")
    with gr.Row():
        audio_path = gr.Textbox(label="Audio track: path on the server (trimmed to the video)",
                                elem_id="parseq_audio_path")
        audio_upload = guarded_upload(gr.File(label="...or upload an audio file", file_types=["audio"],
                                              elem_id="parseq_audio_upload"))
    with gr.Row():
        input_nth_frame = gr.Number(label="Input video: use every Nth frame (1: all)", value=1, precision=0,
                                    elem_id="parseq_input_nth_frame")
        input_fps = gr.Number(label="Input video: read at this fps (0: the output fps)", value=0,
                              elem_id="parseq_input_fps")

    manifest.change(fn=summarize, inputs=[manifest, upload], outputs=[summary], show_progress="hidden")
    upload.change(fn=summarize, inputs=[manifest, upload], outputs=[summary], show_progress="hidden")
    motion = build_motion_controls()
    return [manifest, upload, input_video, output_template, fps, first_frame, last_frame, save_frames, dry_run,
            overlay, cc_override, cc_window_width, cc_window_slide_rate, cc_use_input, border, unfinished, gif, webm,
            audio_path, audio_upload, input_nth_frame, input_fps, *motion]
