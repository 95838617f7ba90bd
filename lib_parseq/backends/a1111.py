"""The A1111 side of the img2img script: the backend that calls ``process_images`` per frame, and ``run_script``.

This is the only module of ``lib_parseq`` that imports A1111's ``modules``. It follows A1111's own loop scripts
(``scripts/loopback.py``): ``fix_seed`` once; batch count and size 1; no grid; ``state.job_count`` set before the
loop and ``state.job`` ("Frame 12/240") per frame, with ``state.textinfo`` ("Parseq frame 14 (12/240)"), the text
A1111's progress bar shows before its percentage; ``p.color_corrections`` set again before every call when
A1111's "Apply color correction" setting is on (``process_images`` clears it); and the render stops as soon as
``state.interrupted``, ``state.skipped`` or ``state.stopping_generation`` is set. A frame cut short by Interrupt
or Skip is incomplete, so it is not written; with "stop generating" the current frame completes and is kept.
The video written so far is closed normally and stays playable.

Frames are written to the video by the render loop. With "Save frames" each generated image is also saved with
A1111's ``images.save_image`` (PNG + infotext naming the Parseq frame and values) in ``<video name>-frames/``
beside the video; A1111's own per-image saving is turned off for the render (``do_not_save_samples``). The
returned ``Processed`` holds the first frame and the last ``KEEP_LAST`` frames only, so a long render does not keep
thousands of full-size images in memory; its info names the video.
"""

from __future__ import annotations

import bisect
import os
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from modules import images, processing, script_callbacks, shared
from PIL import Image

from lib_parseq.backends.a1111_input import ManifestInput, fetched_copy_path, load_input, save_fetched
from lib_parseq.backends.a1111_mapping import (
    Overrides,
    UiValues,
    infotext_params,
    managed_fields,
    overrides_of,
    processing_fields,
)
from lib_parseq.backends.a1111_masks import FrameMasks, MaskOptions
from lib_parseq.backends.a1111_noise import A1111NoiseDrift, drift_for_render, sampling
from lib_parseq.backends.a1111_travel import TravelValues
from lib_parseq.backends.a1111_ui import (
    CONTINUE_LAST,
    START_NEW,
    UNFINISHED_CHOICES,
    ControlDefaults,
    ScriptValues,
)
from lib_parseq.backends.a1111_unfinished import forget, last_unfinished, remember
from lib_parseq.errors import RenderError
from lib_parseq.render.genesis import EMBRYO, SUCCESSIVE, resolve_genesis
from lib_parseq.render.loop import RenderStopped
from lib_parseq.render.params import FrameParams
from lib_parseq.uploads import safe_upload_path

KEEP_LAST = 15
NEUTRAL_GREY = (128, 128, 128)
"""The init image of a fixed or embryo genesis render without one (at denoise 1 it is pure noise anyway)."""
OPTION_TEMPLATE = "parseq_output_template"
OPTION_CRF = "parseq_crf"
OPTION_PRESET = "parseq_preset"
OPTION_FFMPEG = "parseq_ffmpeg_path"
OPTION_KEEP_LAST = "parseq_keep_last"
OPTION_UNFINISHED = "parseq_unfinished"
OPTION_GIF = "parseq_gif"
OPTION_WEBM = "parseq_webm"
DEFAULT_TEMPLATE = "parseq-<timestamp>.mp4"
PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")
SETTINGS_SECTION = ("parseq", "Parseq")
CONTINUE_ADVICE = f'choose "{CONTINUE_LAST}" and generate again to finish it'


def option(key: str, default: Any) -> Any:
    """An A1111 setting, or ``default`` when the settings UI never registered it (API-only or headless runs)."""
    opts = shared.opts
    if opts is None:
        return default
    value = opts.data.get(key)
    return default if value is None else value


def on_ui_settings() -> None:
    """The "Parseq" section of A1111's Settings tab."""
    import gradio as gr

    section = SETTINGS_SECTION
    shared.opts.add_option(OPTION_TEMPLATE, shared.OptionInfo(
        DEFAULT_TEMPLATE, "Default output file, relative to the img2img output folder (<timestamp> allowed)",
        section=section))
    shared.opts.add_option(OPTION_CRF, shared.OptionInfo(
        17, "Video quality: H.264 CRF (lower is better; 17 is visually lossless)", gr.Slider,
        {"minimum": 0, "maximum": 51, "step": 1}, section=section))
    shared.opts.add_option(OPTION_PRESET, shared.OptionInfo(
        "medium", "H.264 encoder preset (slower: smaller files)", gr.Dropdown, {"choices": list(PRESETS)},
        section=section))
    shared.opts.add_option(OPTION_FFMPEG, shared.OptionInfo(
        "", "ffmpeg executable (empty: the system's, else the one imageio-ffmpeg ships)", section=section))
    shared.opts.add_option(OPTION_KEEP_LAST, shared.OptionInfo(
        KEEP_LAST, "Frames shown in the gallery after a render: the first plus this many of the last", gr.Slider,
        {"minimum": 0, "maximum": 200, "step": 1}, section=section))
    shared.opts.add_option(OPTION_UNFINISHED, shared.OptionInfo(
        START_NEW, "Render choice shown first in the script", gr.Radio, {"choices": list(UNFINISHED_CHOICES)},
        section=section))
    shared.opts.add_option(OPTION_GIF, shared.OptionInfo(False, "Also write a GIF (script default)", section=section))
    shared.opts.add_option(OPTION_WEBM, shared.OptionInfo(False, "Also write a WebM (script default)",
                                                          section=section))


def control_defaults() -> ControlDefaults:
    """The script controls' defaults from the "Parseq" settings (A1111 registers settings before script UIs)."""
    unfinished = str(option(OPTION_UNFINISHED, START_NEW))
    return ControlDefaults(template=str(option(OPTION_TEMPLATE, DEFAULT_TEMPLATE)),
                           unfinished=unfinished if unfinished in UNFINISHED_CHOICES else START_NEW,
                           gif=bool(option(OPTION_GIF, False)), webm=bool(option(OPTION_WEBM, False)))


def register_callbacks() -> None:
    script_callbacks.on_ui_settings(on_ui_settings)


class A1111Backend:
    """Generates each frame with ``processing.process_images(p)``; see the module docstring."""

    def __init__(self, p: Any, manifest: dict[str, Any], *, ui: UiValues, total: int, frames_dir: Path | None,
                 start: int = 0, init_image: Image.Image | None = None, dry_run: bool = False,
                 keep_last: int = KEEP_LAST, masks: FrameMasks | None = None) -> None:
        self.p = p
        self.masks = masks
        self.overrides: Overrides = overrides_of(manifest)
        self.fields = managed_fields(manifest)
        self.ui = ui
        self.total = total
        self.frames_dir = frames_dir
        self.dry_run = dry_run
        self.start = start
        self.diffused: list[int] | None = None  # the frames the backend is called for (cadence), once planned
        self.noise_drift: A1111NoiseDrift | None = None
        self.aborted = False
        self.making_embryo = False
        self.first: tuple[Image.Image, str, int, str] | None = None
        self.recent: deque[tuple[Image.Image, str, int, str]] = deque(maxlen=max(keep_last, 0) or 1)
        self.keep_last = keep_last
        self.frame_files: list[str] = []
        self.base_extra = dict(p.extra_generation_params or {})
        self.color_target = None
        if shared.opts.img2img_color_correction and init_image is not None:
            self.color_target = processing.setup_color_correction(init_image)

    def should_stop(self) -> bool:
        state = shared.state
        return self.aborted or bool(state.interrupted or state.skipped or state.stopping_generation)

    def generate(self, image: np.ndarray, params: FrameParams) -> np.ndarray:
        state, p = shared.state, self.p
        position = params.frame - self.start
        fields = processing_fields(params, position, self.overrides, self.ui)
        for name, value in fields.items():
            setattr(p, name, value)
        p.init_images = [Image.fromarray(image)]
        p.extra_generation_params = {**self.base_extra, **infotext_params(params, self.fields)}
        call = position if self.diffused is None else bisect.bisect_left(self.diffused, params.frame)
        state.job = f"Frame {call + 1}/{self.total}"
        state.textinfo = f"Parseq frame {params.frame} ({call + 1}/{self.total})"
        if self.making_embryo:
            state.job, state.textinfo = "Embryo", f"Parseq embryo (frame {params.frame}'s parameters)"
        state.job_no = call
        if self.dry_run:
            state.nextjob()
            extra = ", ".join(f"{k}: {v}" for k, v in p.extra_generation_params.items())
            info = f"{fields['prompt']}\nParseq dry run, {extra}"
            self._keep(Image.fromarray(image), info, int(fields["seed"]), fields["prompt"], params)
            return image
        if self.color_target is not None:
            p.color_corrections = [self.color_target]
        mask = self.masks.apply(p, params.frame) if self.masks is not None else None
        drift = None if self.making_embryo else self.noise_drift
        with sampling(drift, params.frame):
            processed = processing.process_images(p)
        if state.interrupted or state.skipped or not processed.images:
            self.aborted = True
            raise FrameAborted(params.frame)
        if drift is not None:
            drift.check(params.frame)
        output = processed.images[processed.index_of_first_image]
        if mask is not None and self.masks.options.overlay:
            output = Image.fromarray(self.masks.overlay(np.asarray(output.convert("RGB")), mask))
        info = processed.infotexts[processed.index_of_first_image] if processed.infotexts else processed.info
        self._keep(output, info, processed.seed, processed.prompt, params)
        return np.asarray(output.convert("RGB"))

    def generate_embryo(self, image: np.ndarray, params: FrameParams) -> np.ndarray:
        """Embryo genesis's common image: generated like a frame, but not shown, saved or drifted as one."""
        self.making_embryo = True
        try:
            return self.generate(image, params)
        finally:
            self.making_embryo = False

    def _keep(self, output: Image.Image, info: str, seed: int, prompt: str, params: FrameParams) -> None:
        if self.making_embryo:
            return
        record = (output, info, seed, prompt)
        if self.first is None:
            self.first = record
        elif self.keep_last > 0:
            self.recent.append(record)
        if self.frames_dir is not None:
            fullfn, _ = images.save_image(output, str(self.frames_dir), "", seed, prompt, "png", info=info,
                                          p=self.p, forced_filename=f"{params.frame:05d}", save_to_dirs=False)
            self.frame_files.append(fullfn)

    def kept(self) -> list[tuple[Image.Image, str, int, str]]:
        return ([self.first] if self.first is not None else []) + list(self.recent)


class FrameAborted(RenderStopped):
    """The user interrupted or skipped while a frame was being generated: the loop stops without writing it."""


def _ui_values(p: Any) -> UiValues:
    return UiValues(seed=int(p.seed), subseed=int(p.subseed), subseed_strength=float(p.subseed_strength),
                    cfg_scale=float(p.cfg_scale), denoising_strength=float(p.denoising_strength),
                    prompt=p.prompt if isinstance(p.prompt, str) else p.prompt[0],
                    negative_prompt=p.negative_prompt if isinstance(p.negative_prompt, str) else p.negative_prompt[0])


def _frame_total(manifest: dict[str, Any], values: ScriptValues) -> int:
    count = len(manifest.get("rendered_frames") or [])
    frames = values.frame_range()
    if frames is None:
        return count
    start, end = frames
    end = count if end is None else min(end, count)
    return max(end - (start or 0), 0)


def _unused(video: Path) -> Path:
    """``video``, or ``NAME-2.mp4``, ``NAME-3.mp4``... when a render already wrote there (two in one second)."""
    candidate, number = video, 1
    while candidate.exists() or candidate.with_name(f"{candidate.stem}-frames").exists():
        number += 1
        candidate = video.with_name(f"{video.stem}-{number}{video.suffix}")
    return candidate


def init_image_of(p: Any) -> Image.Image | None:
    """img2img's image as RGB, flattened as A1111 flattens it, or None when there is none.

    Without an image A1111 sets ``init_images`` to ``[None]``. The UI gives RGBA images, the API any mode (L, LA,
    P, RGBA...); A1111's ``images.flatten`` fills transparency with ``img2img_background_color``."""
    image = (p.init_images or [None])[0]
    if image is None:
        return None
    return images.flatten(image, option("img2img_background_color", "#ffffff"))


def output_folder(p: Any) -> Path:
    """The img2img output folder as an absolute path.

    A1111 ships relative folders (``outputs/img2img-images``) and uses them relative to its working directory,
    the webui folder; every path the render derives must start from the same absolute folder."""
    folder = p.outpath_samples or shared.opts.outdir_samples or shared.opts.outdir_img2img_samples
    return Path(folder).expanduser().absolute()


def _render_settings(p: Any, values: ScriptValues, video: Path, output_dir: Path, *,
                     audio: tuple[Path | None, float], input_fps: float | None, resume: bool):
    from lib_parseq.render.settings import HybridSettings, RenderSettings

    settings = RenderSettings(
        output=str(video.relative_to(output_dir)),
        output_dir=output_dir,
        img2img_output_path=output_dir,
        size=(int(p.width), int(p.height)),
        fps=values.fps or None,
        input_fps=input_fps,
        frames=values.frame_range(),
        border=values.border,
        overlay=values.overlay,
        crf=int(option(OPTION_CRF, 17)),
        preset=str(option(OPTION_PRESET, "medium")),
        gif=values.gif,
        webm=values.webm,
        audio=audio[0],
        audio_start_s=audio[1],
        resume=resume,
        handle_sigint=False,
        interpolation=values.sampling,
        cadence=values.cadence or None,
        colour_space=values.colour_space,
        colour_source=values.colour_source,
        colour_every=values.colour_every,
        greyscale=values.greyscale,
        hybrid=HybridSettings(
            motion=values.hybrid_motion, flow_method=values.hybrid_flow,
            use_previous_image=values.hybrid_use_previous_image, composite=values.hybrid_composite,
            mask=values.hybrid_mask, mask_invert=values.hybrid_mask_invert, mask_equalise=values.hybrid_mask_equalise,
            mask_auto_contrast=values.hybrid_mask_auto_contrast, first_frame_init=values.hybrid_first_frame_init,
        ) if values.hybrid else None,
    )
    if values.cc_override:
        settings.cc_window_width = values.cc_window_width
        settings.cc_window_slide_rate = values.cc_window_slide_rate
        settings.cc_use_input = values.cc_use_input
    return settings


def _audio_track(values: ScriptValues, source: ManifestInput) -> tuple[Path | None, float]:
    """The audio file and where frame 0 falls in it: an upload (only from gradio's upload folder) or a path on
    the server, not both; else the file a pasted or uploaded document was analysed from (``meta.audio``, as
    ``parseq audio`` and the tab's Audio panel record it; never for a document fetched from a URL)."""
    from lib_parseq.audio.track import document_audio

    uploaded = safe_upload_path(values.audio_upload)
    if uploaded is not None and values.audio_path:
        raise RenderError("give the audio track as a server path or as an upload, not both")
    if uploaded is not None:
        return uploaded, 0.0
    if values.audio_path:
        path = Path(values.audio_path).expanduser()
        if not path.is_file():
            raise RenderError(f"audio file {values.audio_path} does not exist", path=values.audio_path)
        return path, 0.0
    named = document_audio(source.document, None) if source.document is not None else None
    return (named.path, named.start_s) if named is not None else (None, 0.0)


def _input_fps(values: ScriptValues, input_video: Path | None) -> float | None:
    """The rate to read the input video at: every Nth frame of it (Deforum's extract_nth_frame), or an fps;
    None reads it at the output fps."""
    if values.input_nth_frame < 1:
        raise RenderError(f"input video: every Nth frame needs N of 1 or more, got {values.input_nth_frame}")
    if values.input_fps < 0:
        raise RenderError(f"input video fps must be positive (or 0 for the output fps), got {values.input_fps:g}")
    sampled = values.input_nth_frame > 1 or values.input_fps > 0
    if input_video is None:
        if sampled:
            raise RenderError("every Nth frame and the input fps apply to an input video; none was given")
        return None
    if values.input_nth_frame > 1 and values.input_fps > 0:
        raise RenderError("choose either every Nth frame or an input fps for the input video, not both")
    if values.input_fps > 0:
        return values.input_fps
    if values.input_nth_frame == 1:
        return None
    from lib_parseq.video.probe import probe_video

    source_fps = probe_video(input_video).source_fps
    if not source_fps:
        raise RenderError(f"cannot tell the frame rate of {input_video.name} to take every "
                          f"{values.input_nth_frame}th frame; give an input fps instead", path=str(input_video))
    return source_fps / values.input_nth_frame


def _output_video(p: Any, values: ScriptValues, output_dir: Path) -> Path:
    """Where this render writes: the last unfinished render's video on continue (its seeds restored on ``p``),
    else a new file from the template."""
    from lib_parseq.video.paths import resolve_output_path

    if values.continue_last:
        video, entry = last_unfinished(output_dir)
        p.seed, p.subseed = entry.seed, entry.subseed
        return video
    template = values.output_template or str(option(OPTION_TEMPLATE, DEFAULT_TEMPLATE)) or DEFAULT_TEMPLATE
    return _unused(resolve_output_path(template, output_dir, img2img_output_path=output_dir))


@contextmanager
def _ffmpeg_from_settings() -> Iterator[None]:
    """The ffmpeg executable of the "Parseq" settings, for the duration of the block."""
    from lib_parseq.video.ffmpeg import FFMPEG_ENV

    ffmpeg = str(option(OPTION_FFMPEG, "")).strip()
    saved_env = os.environ.get(FFMPEG_ENV)
    if ffmpeg:
        os.environ[FFMPEG_ENV] = ffmpeg
    try:
        yield
    finally:
        if ffmpeg:
            if saved_env is None:
                os.environ.pop(FFMPEG_ENV, None)
            else:
                os.environ[FFMPEG_ENV] = saved_env


def run_script(p: Any, *args: Any, travel: TravelValues | None = None):
    """``Script.run``: render the manifest with img2img and return a ``Processed`` naming the video.
    ``travel`` holds the values of the controls of ``a1111_travel`` (export tools, prompt blending)."""
    from lib_parseq.render import plan_render, run_plan
    from lib_parseq.video.paths import check_sidecars

    values = ScriptValues.from_args(*args)
    source: ManifestInput = load_input(values.manifest_text, values.upload)
    manifest = source.manifest

    output_dir = output_folder(p)
    video = _output_video(p, values, output_dir)
    video.parent.mkdir(parents=True, exist_ok=True)
    frames_dir = video.parent / f"{video.stem}-frames" if values.save_frames else None
    check_sidecars(video, frames_dir, fetched_copy_path(video))
    input_video = Path(values.input_video) if values.input_video else None
    if input_video is not None and not input_video.is_file():
        raise RenderError(f"input video {values.input_video} does not exist", path=values.input_video)
    travel = travel or TravelValues()
    genesis = resolve_genesis(travel.genesis_setting, manifest.get("options") or {})
    first_image = init_image_of(p) if input_video is None else None
    grey_start = input_video is None and first_image is None and genesis != SUCCESSIVE
    if grey_start:
        first_image = Image.new("RGB", (int(p.width), int(p.height)), NEUTRAL_GREY)
    if input_video is None and first_image is None:
        raise RenderError("loopback needs an init image: add one to img2img, or give an input video path")
    if values.hybrid and input_video is None:
        raise RenderError("hybrid video needs an input video path to guide the loopback")
    if values.hybrid and first_image is None:
        first_image = init_image_of(p)
    masks = FrameMasks(MaskOptions(values.mask_source, values.mask_image, values.mask_video, values.mask_invert,
                                   values.mask_blur, values.mask_overlay),
                       p.init_images[0] if p.init_images else None, int(p.width), int(p.height))
    settings = _render_settings(p, values, video, output_dir, audio=_audio_track(values, source),
                                input_fps=_input_fps(values, input_video), resume=values.continue_last)

    processing.fix_seed(p)
    p.n_iter = 1
    p.batch_size = 1
    p.do_not_save_grid = True
    p.do_not_save_samples = True
    total = _frame_total(manifest, values)
    shared.state.job_count = total
    from lib_parseq.backends.a1111_embedding import EmbeddingBackend, resolve_blending

    travel.apply_to(settings)
    blending = resolve_blending(manifest, travel.prompt_blending, travel.blend_method)
    backend_type, blending_args = ((EmbeddingBackend, {"blending": blending}) if blending.mode == "embedding"
                                   else (A1111Backend, {}))
    start = (values.frame_range() or (0, None))[0] or 0
    backend = backend_type(p, manifest, ui=_ui_values(p), total=total, start=start, frames_dir=frames_dir,
                           init_image=None if grey_start else first_image, dry_run=values.dry_run,
                           keep_last=int(option(OPTION_KEEP_LAST, KEEP_LAST)), masks=masks if masks.active else None,
                           **blending_args)
    calls = total

    def progress(report) -> None:
        shared.state.job_count = calls

    try:
        with _ffmpeg_from_settings():
            save_fetched(source, video)
            plan = plan_render(manifest, settings, init_image=None if first_image is None else np.asarray(first_image),
                               video_path=input_video)
            backend.diffused = plan.diffused.as_list()
            calls = backend.total = shared.state.job_count = len(backend.diffused) + (
                genesis == EMBRYO and not values.continue_last)
            backend.noise_drift = drift_for_render(p, manifest, backend.diffused, start=start,
                                                   overrides=backend.overrides, ui=backend.ui)
            result = run_plan(plan, settings, backend, progress=progress)
    except RenderError as exc:
        stopped = getattr(exc, "result", None)
        if stopped is None or stopped.state_dir is None or not (stopped.state_dir / "checkpoint.json").is_file():
            raise
        remember(output_dir, video, seed=backend.ui.seed, subseed=backend.ui.subseed)
        raise RenderError(_in_script_words(exc.message), frame=exc.frame, path=exc.path) from exc
    finally:
        masks.close()
    if result.interrupted:
        remember(output_dir, video, seed=backend.ui.seed, subseed=backend.ui.subseed)
    else:
        forget(output_dir, video)
    return _processed(p, backend, result, total, blending.note)


def _in_script_words(message: str) -> str:
    """A render error's advice as the script's user acts on it (the render loop words it for the CLI)."""
    return message.replace("run the same command with --resume to continue", CONTINUE_ADVICE)


def _processed(p: Any, backend: A1111Backend, result: Any, total: int, blending_note: str = ""):
    """The ``Processed`` A1111 shows: the kept frames, and a note naming the video (and its GIF/WebM)."""
    kept = backend.kept()
    stopped = f", stopped early: {CONTINUE_ADVICE}" if result.interrupted or backend.should_stop() else ""
    also = [str(path) for path in (result.gif_path, result.webm_path) if path is not None]
    extra = f", also {', '.join(also)}" if also else ""
    note = f"Parseq video: {result.video_path} ({result.frames_written} of {total} frames{stopped}{extra})"
    if blending_note:
        note = f"{note}; {blending_note}"
    infotexts = [info for _, info, _, _ in kept]
    if infotexts:
        infotexts[0] = f"{infotexts[0]}, {note}"
    info = infotexts[0] if infotexts else note
    return processing.Processed(
        p, [image for image, _, _, _ in kept], seed=kept[0][2] if kept else p.seed, info=info,
        all_prompts=[prompt for _, _, _, prompt in kept] or None, all_seeds=[seed for _, _, seed, _ in kept] or None,
        infotexts=infotexts or None)
