"""The tab's Audio panel: analyse an uploaded song, see it against frames/seconds/beats, merge it in.

The analysis runs once per upload (``analyse_upload``) and is kept in a ``gr.State``; the chart and the
three buttons (add series, add keyframes at beats or onsets, take the BPM) re-sample it at the document's
fps, so they are instant. Frame 0 can sit on the first downbeat (``align``) so that beats line up with the
``b`` variable once the BPM is taken. The merges go through ``lib_parseq.audio`` like ``parseq audio``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lib_parseq.audio.choices import COMPONENTS
from lib_parseq.audio.features import COMPONENT_PREFIX, AudioAnalysis, FrameSeries, analyse_file
from lib_parseq.audio.keyframes import MergeSummary, merge_analysis
from lib_parseq.audio.pipeline import SyncOptions, sample_for_document
from lib_parseq.audio.track import audio_reference
from lib_parseq.errors import AudioError, DocumentError
from lib_parseq.ui.chart import X_UNITS, envelope, frames_to_x
from lib_parseq.uploads import guarded_upload, safe_upload_path

SERIES_CHOICES = ("onset", "rms", "centroid", "pitch", "beats", "onsets")
DEFAULT_SERIES = ("onset", "rms", "beats")
KEYFRAME_CHOICES = ("beats", "onsets")
UPLOAD_TYPES = [".wav", ".mp3", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".mp4", ".mov", ".webm", ".mkv"]
_COLOURS = {"onset": "#f59e0b", "rms": "#10b981", "centroid": "#8b5cf6", "pitch": "#ec4899", "voicing": "#a3a3a3"}


@dataclass
class AudioPanel:
    """The panel's widgets, for wiring in the tab."""

    upload: Any
    component: Any
    analyse_button: Any
    summary: Any
    series: Any
    smoothing: Any
    unit: Any
    align: Any
    chart: Any
    keyframe_mode: Any
    extend: Any
    add_series_button: Any
    add_keyframes_button: Any
    take_bpm_button: Any
    state: Any


def build_audio_panel(gr: Any) -> AudioPanel:
    """The panel's widgets, created inside the caller's current gradio layout block."""
    upload = guarded_upload(gr.File(label="Audio or video file (wav, mp3, flac, ogg, m4a, mp4 ...)",
                                    file_types=UPLOAD_TYPES, elem_id="parseq_audio_file"))
    with gr.Row():
        component = gr.Radio(choices=list(COMPONENTS), value="full", label="Analyse the full mix or one part (HPSS)",
                             elem_id="parseq_audio_component")
        analyse_button = gr.Button("Analyse", variant="primary", elem_id="parseq_audio_analyse")
    # gradio 3 writes a Markdown's elem_id on two nested elements; the id goes on a wrapper instead.
    with gr.Column(elem_id="parseq_audio_summary"):
        summary = gr.Markdown("Upload a file and press Analyse.")
    with gr.Row():
        series = gr.CheckboxGroup(choices=list(SERIES_CHOICES), value=list(DEFAULT_SERIES),
                                  label="Series (beats/onsets: 1 on the event frames)", elem_id="parseq_audio_series")
        smoothing = gr.Slider(minimum=0.0, maximum=1.0, value=0.0, step=0.05, label="Smoothing (seconds)",
                              elem_id="parseq_audio_smoothing")
    with gr.Row():
        unit = gr.Radio(choices=list(X_UNITS), value="seconds", label="x axis", elem_id="parseq_audio_x_unit")
        align = gr.Checkbox(value=True, label="Frame 0 on the first downbeat (so beats match b)",
                            elem_id="parseq_audio_align")
    chart = gr.Image(type="numpy", interactive=False, show_label=False, elem_id="parseq_audio_chart")
    with gr.Row():
        keyframe_mode = gr.Radio(choices=list(KEYFRAME_CHOICES), value="beats", label="Keyframes at",
                                 elem_id="parseq_audio_keyframe_mode")
        extend = gr.Checkbox(value=True, label="Extend the document to the end of the audio",
                             elem_id="parseq_audio_extend")
    with gr.Row():
        add_series_button = gr.Button("Add series to the document", elem_id="parseq_audio_add_series")
        add_keyframes_button = gr.Button("Add keyframes", elem_id="parseq_audio_add_keyframes")
        take_bpm_button = gr.Button("Take the BPM", elem_id="parseq_audio_take_bpm")
    return AudioPanel(upload, component, analyse_button, summary, series, smoothing, unit, align, chart,
                      keyframe_mode, extend, add_series_button, add_keyframes_button, take_bpm_button, gr.State(None))


def upload_path(upload: Any) -> str | None:
    """The local path of a gradio File value, only inside gradio's upload folder (``lib_parseq.uploads``)."""
    try:
        path = safe_upload_path(upload)
    except DocumentError as exc:
        raise AudioError(exc.message) from None
    return None if path is None else str(path)


def analyse_upload(upload: Any, component: str) -> tuple[AudioAnalysis, str]:
    """Analyse the uploaded file; the summary line for the panel. Errors are AudioErrors."""
    path = upload_path(upload)
    if not path:
        raise AudioError("upload an audio or video file first")
    analysis = analyse_file(path, component=component or "full")
    rhythm = analysis.rhythm
    meter = f", {rhythm.beats_per_bar} beats per bar" if rhythm.beats_per_bar else ", no clear downbeat"
    summary = (f"**{Path(path).name}**: {analysis.duration_s:.1f} s, {component} mix, tempo **{rhythm.tempo:.2f} bpm**"
               f"{meter}, {rhythm.beats.size} beats, {rhythm.onsets.size} onsets.")
    return analysis, summary


def sync_options(doc: dict, series: list[str] | None, smoothing: float | None, align: bool, *,
                 keyframes: str = "none", extend: bool = False, set_bpm: bool = False) -> SyncOptions:
    """The merge options for ``doc``'s fps and the panel's controls (keyframes at beats need the beats...)."""
    options = doc.get("options") or {}
    features = tuple(dict.fromkeys([*(series or ()), *([keyframes] if keyframes != "none" else [])])) or ("beats",)
    return SyncOptions(fps=float(options.get("output_fps") or 20), features=features,
                       keyframes=keyframes, set_bpm=set_bpm, extend=extend, smoothing_s=float(smoothing or 0),
                       align_to_downbeat=bool(align))


def merge_from_panel(doc: dict, analysis: AudioAnalysis | None, options: SyncOptions, *, with_series: bool
                     ) -> tuple[dict, MergeSummary]:
    """``doc`` with the analysis merged as ``options`` says; without series for the keyframe/BPM buttons."""
    if analysis is None:
        raise AudioError("analyse a file first (upload it, then press Analyse)")
    frames = sample_for_document(analysis, options)
    reference = audio_reference(analysis, frames, None)
    if not with_series:
        frames.series = {}
    return merge_analysis(doc, frames, keyframes=options.keyframes, set_bpm=options.set_bpm, extend=options.extend,
                          audio_reference=reference)


def _markers(axes: Any, frames: np.ndarray, unit: str, fps: float, bpm: float, **style: Any) -> None:
    for x in frames_to_x(frames, unit, fps, bpm):
        axes.axvline(x, **style)


def audio_chart(frames: FrameSeries, shown: list[str], unit: str, bpm: float) -> np.ndarray:
    """Loudness as a waveform envelope and the ``shown`` series against ``unit``; beats (dotted), downbeats
    (solid) and onsets (blue) marked on every row."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    loudness = next(values for name, values in frames.series.items() if name.endswith("rms"))
    figure = Figure(figsize=(9.0, 1.2 + 1.1 * (1 + len(shown))), dpi=90)
    canvas = FigureCanvasAgg(figure)
    axes = figure.subplots(1 + len(shown), 1, sharex=True, squeeze=False)[:, 0]
    fps = frames.fps
    for axis, name in zip(axes, ["loudness", *shown], strict=True):
        x_frames, values = envelope(loudness if name == "loudness" else frames.series[name])
        x = frames_to_x(x_frames, unit, fps, bpm)
        if name == "loudness":
            axis.fill_between(x, -values, values, color="#64748b", linewidth=0)
        else:
            axis.plot(x, values, linewidth=1.0, color=_COLOURS.get(name.split("_")[-1], "#3b82f6"))
        axis.set_ylabel(name, fontsize=8, rotation=0, ha="right")
        _markers(axis, frames.beat_frames, unit, fps, bpm, color="#ef4444", linewidth=0.5, linestyle=":")
        _markers(axis, frames.downbeat_frames, unit, fps, bpm, color="#ef4444", linewidth=1.0)
        _markers(axis, frames.onset_frames, unit, fps, bpm, color="#0ea5e9", linewidth=0.4, alpha=0.5)
        axis.tick_params(labelsize=7)
    axes[-1].set_xlabel(unit, fontsize=8)
    figure.subplots_adjust(left=0.14, right=0.98, top=0.97, bottom=0.5 / figure.get_figheight(), hspace=0.12)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[:, :, :3].copy()


def panel_chart(doc: dict, analysis: AudioAnalysis | None, series: list[str] | None, smoothing: float | None,
                align: bool, unit: str) -> np.ndarray | None:
    """The panel's chart for the current controls (None before an analysis); x in beats uses the document's bpm."""
    if analysis is None:
        return None
    options = sync_options(doc, [*(series or ()), "rms", "beats", "onsets"], smoothing, align)
    frames = sample_for_document(analysis, options)
    prefix = COMPONENT_PREFIX[analysis.features.component]
    wanted = [*(series or ()), *(["voicing"] if "pitch" in (series or ()) else [])]
    chosen = [prefix + name for name in ("onset", "rms", "centroid", "pitch", "voicing")
              if name in wanted and prefix + name in frames.series]
    return audio_chart(frames, chosen, unit or "seconds", float(doc["options"].get("bpm") or 140))


def wire_audio_panel(gr: Any, panel: AudioPanel, doc_inputs: list, all_outputs: list, redraw: Any, failed: Any) -> None:
    """Connect the panel's events. ``doc_inputs`` are the tab's (document, preview, x unit) states;
    ``redraw(doc, preview, unit, message)`` and ``failed(doc, preview, error)`` give the tab's ``all_outputs``."""

    def on_analyse(upload, component, doc, series, smoothing, align, unit):
        try:
            analysis, summary = analyse_upload(upload, component)
            return analysis, summary, panel_chart(doc, analysis, series, smoothing, align, unit)
        except AudioError as error:
            return None, f"**Error:** {error}", None

    def on_view(doc, analysis, series, smoothing, align, unit):
        return panel_chart(doc, analysis, series, smoothing, align, unit) if analysis is not None else gr.update()

    def merger(kind: str):
        def handler(doc, previous, x_unit, analysis, series, smoothing, align, mode, extend):
            options = sync_options(doc, series, smoothing, align, keyframes=mode if kind == "keyframes" else "none",
                                   extend=bool(extend) and kind == "keyframes", set_bpm=kind == "bpm")
            try:
                merged, summary = merge_from_panel(doc, analysis, options, with_series=kind == "series")
            except AudioError as error:
                return failed(doc, previous, error)
            return redraw(merged, previous, x_unit, f"Audio: {summary.describe()}.")

        return handler

    controls = [panel.series, panel.smoothing, panel.align, panel.unit]
    panel.analyse_button.click(on_analyse, [panel.upload, panel.component, doc_inputs[0], *controls],
                               [panel.state, panel.summary, panel.chart])
    for control in controls:
        control.change(on_view, [doc_inputs[0], panel.state, *controls], [panel.chart])
    merge_inputs = [*doc_inputs, panel.state, panel.series, panel.smoothing, panel.align, panel.keyframe_mode,
                    panel.extend]
    panel.add_series_button.click(merger("series"), merge_inputs, all_outputs)
    panel.add_keyframes_button.click(merger("keyframes"), merge_inputs, all_outputs)
    panel.take_bpm_button.click(merger("bpm"), merge_inputs, all_outputs)
