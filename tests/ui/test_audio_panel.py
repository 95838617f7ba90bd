"""The Audio panel's functions without a browser: analysis summary, chart, and the three merges."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("librosa", reason="librosa (requirements.txt) is needed for the Audio panel")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "audio"))

from audio_synth import click_track, write_wav  # noqa: E402

from lib_parseq.errors import AudioError  # noqa: E402
from lib_parseq.ui.audio_panel import analyse_upload, merge_from_panel, panel_chart, sync_options  # noqa: E402
from lib_parseq.ui.document import blank_document  # noqa: E402


@pytest.fixture(scope="module")
def analysis():
    import shutil

    from lib_parseq.uploads import upload_folders

    samples, _ = click_track(97, 8.0, first_beat_s=0.2)
    folder = upload_folders()[0] / "parseq-test-audio-panel"  # where gradio keeps uploads
    folder.mkdir(parents=True, exist_ok=True)
    try:
        path = write_wav(folder / "click.wav", samples)
        yield analyse_upload({"name": str(path)}, "full")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_file_outside_gradios_upload_folder_is_refused(tmp_path):
    from lib_parseq.errors import AudioError

    samples, _ = click_track(120, 2.0)
    path = write_wav(tmp_path / "server.wav", samples)
    with pytest.raises(AudioError, match="refused") as caught:
        analyse_upload({"name": str(path)}, "full")
    assert str(tmp_path) not in str(caught.value)


def test_summary_and_chart(analysis):
    result, summary = analysis
    assert "click.wav" in summary and "97." in summary and "4 beats per bar" in summary
    doc = blank_document(50)
    frames = panel_chart(doc, result, ["rms"], 0.0, True, "beats")
    with_more = panel_chart(doc, result, ["rms", "centroid", "pitch"], 0.0, True, "beats")
    assert frames.ndim == 3 and with_more.shape[0] > frames.shape[0], "one more row per series shown"
    assert panel_chart(doc, None, ["rms"], 0.0, True, "frames") is None


def test_the_three_merges(analysis):
    result, _ = analysis
    doc = blank_document(50)
    with_series, summary = merge_from_panel(doc, result, sync_options(doc, ["rms", "beats"], 0.0, True),
                                            with_series=True)
    assert [entry["alias"] for entry in with_series["timeSeries"]] == ["rms", "beat", "downbeat"]
    assert summary.keyframes_added == 0 and with_series["keyframes"] == doc["keyframes"]
    keyed, summary = merge_from_panel(doc, result, sync_options(doc, ["rms"], 0.0, True, keyframes="beats",
                                                                 extend=True), with_series=False)
    assert keyed["timeSeries"] == [] and summary.keyframes_added >= 10
    assert keyed["keyframes"][-1]["frame"] == int(np.floor((8.0 - keyed["meta"]["audio"]["start"]) * 20)) - 1
    bpm, _ = merge_from_panel(doc, result, sync_options(doc, [], 0.0, True, set_bpm=True), with_series=False)
    assert abs(bpm["options"]["bpm"] - 97) < 1 and len(bpm["keyframes"]) == 2
    with pytest.raises(AudioError, match="analyse a file first"):
        merge_from_panel(doc, None, sync_options(doc, [], 0.0, True), with_series=True)
    assert np.isclose(doc["options"]["bpm"], 140), "the document passed in is not changed"
