"""Merging into documents and naming the audio for renders, without analysing anything."""

from __future__ import annotations

import numpy as np

from lib_parseq.audio.features import FrameSeries
from lib_parseq.audio.keyframes import compact_samples, merge_analysis
from lib_parseq.audio.track import audio_for_render, document_audio
from lib_parseq.schedules import compile_document


def test_compacted_series_look_up_exactly_like_the_full_one():
    values = np.array([0, 0, 0, 1, 0, 0, 0.5, 0.5, 0.5, 0.25, 1, 1, 0, 0, 0, 0, 0.75, 0.75], dtype=float)
    samples = compact_samples(values)
    assert len(samples) < values.size
    doc = {
        "options": {"output_fps": 24, "bpm": 120},
        "managedFields": ["zoom", "angle"],
        "keyframes": [{"frame": 0, "zoom": 0, "zoom_i": "pulses", "angle": 0, "angle_i": "pulses(f, 1)"},
                      {"frame": values.size - 1}],
        "timeSeries": [{"alias": "pulses", "ts": {"data": samples, "timestampType": 0}}],
    }
    frames = compile_document(doc)["rendered_frames"]
    assert [frame["zoom"] for frame in frames] == values.tolist()
    assert [frame["angle"] for frame in frames] == values.tolist(), "linear lookup at integer frames too"


def test_merge_labels_existing_keyframes_and_stays_inside_the_document():
    frames = FrameSeries(fps=24, origin_s=0.0, frame_count=100, series={"rms": np.linspace(0, 1, 100)},
                         beat_frames=np.array([0, 12, 24, 36, 48, 60]), downbeat_frames=np.array([0, 48]), tempo=120.0)
    doc = {"keyframes": [{"frame": 0, "zoom": 1, "info": "intro"}, {"frame": 30, "zoom": 2}],
           "timeSeries": [{"alias": "rms", "ts": {"data": [{"x": 0, "y": 9}]}}]}
    merged, summary = merge_analysis(doc, frames, keyframes="beats", set_bpm=True,
                                     audio_reference={"file": "a.wav", "start": 0.5})
    assert [kf["frame"] for kf in merged["keyframes"]] == [0, 12, 24, 30]
    assert merged["keyframes"][0] == {"frame": 0, "zoom": 1, "info": "intro downbeat"}
    assert merged["keyframes"][1] == {"frame": 12, "info": "beat"}
    assert summary.series_replaced == ["rms"] and summary.keyframes_added == 2 and summary.keyframes_labelled == 1
    assert merged["options"]["bpm"] == 120.0 and merged["meta"]["audio"]["start"] == 0.5
    assert doc["keyframes"][0]["info"] == "intro" and doc["timeSeries"][0]["ts"]["data"] == [{"x": 0, "y": 9}]
    again, summary = merge_analysis(merged, frames, keyframes="beats", extend=True)
    assert [kf["frame"] for kf in again["keyframes"]] == [0, 12, 24, 30, 36, 48, 60, 99]
    assert again["keyframes"][0]["info"] == "intro downbeat", "a label is not added twice"


def test_the_render_audio_comes_from_the_document_unless_given(tmp_path):
    song = tmp_path / "music" / "song.wav"
    song.parent.mkdir()
    song.write_bytes(b"RIFF")
    doc = {"meta": {"audio": {"file": "music/song.wav", "path": str(song), "start": 1.25}}}
    assert document_audio(doc, tmp_path) == audio_for_render(doc, None, tmp_path)
    assert document_audio(doc, tmp_path).path == tmp_path / "music" / "song.wav"
    assert document_audio(doc, tmp_path).start_s == 1.25
    pasted = audio_for_render(doc, None)
    assert pasted.path == song, "a document without a folder (A1111's text box) uses the absolute path"
    explicit = audio_for_render(doc, tmp_path / "other.mp3")
    assert explicit.path == tmp_path / "other.mp3" and explicit.start_s == 0.0
    song.unlink()
    assert audio_for_render(doc, None, tmp_path) is None
    assert document_audio({"meta": {"audio": {"file": 3}}}, tmp_path) is None
    assert document_audio({"meta": "x"}, tmp_path) is None
