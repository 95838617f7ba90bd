"""``parseq audio``, ``plot`` and ``render`` with audio: the document it writes works in expressions, merges
without loss, names its audio for the render, and bad files exit 2 with one clear line."""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest
from audio_synth import write_wav

from lib_parseq.cli import main
from lib_parseq.schedules import compile_document
from lib_parseq.video import probe_video
from lib_parseq.video.ffmpeg import run_ffmpeg


def run_cli(capsys, *args: str) -> tuple[int, str]:
    code = main([str(arg) for arg in args])
    return code, capsys.readouterr().err


def test_audio_writes_a_document_whose_series_and_labels_drive_expressions(capsys, tmp_path, click_120):
    path, _ = click_120
    out = tmp_path / "song.json"
    code, err = run_cli(capsys, "audio", path, "-o", out, "--fps", "24", "--set-bpm")
    assert code == 0, err
    doc = json.loads(out.read_text())
    assert abs(doc["options"]["bpm"] - 120) < 1
    assert Path(doc["meta"]["audio"]["path"]) == path.resolve()
    assert (tmp_path / doc["meta"]["audio"]["file"]).resolve() == path.resolve()
    aliases = {entry["alias"] for entry in doc["timeSeries"]}
    assert {"onset", "rms", "centroid", "pitch", "voicing", "beat", "downbeat", "onset_hit"} <= aliases
    labels = {kf["frame"]: kf.get("info") for kf in doc["keyframes"]}
    downbeats = [frame for frame, info in labels.items() if info == "downbeat"]
    beats = [frame for frame, info in labels.items() if info in ("beat", "downbeat")]
    assert len(downbeats) >= 3 and len(beats) >= 4 * len(downbeats) - 4
    # Beats are every 12 frames at 120 bpm and 24 fps; with --set-bpm, `b` counts them from frame 0.
    assert np.all(np.abs(np.diff(sorted(beats)) - 12) <= 1)
    doc["keyframes"][0].update(zoom=1, zoom_i="1 + 0.5 * beat + info_match(\"downbeat\")")
    manifest = compile_document(doc)
    zoom = np.array([frame["zoom"] for frame in manifest["rendered_frames"]])
    beat = np.zeros(zoom.size)
    beat[beats] = 1
    on_downbeat = np.zeros(zoom.size)
    for frame in downbeats:
        next_keyframe = min([f for f in labels if f > frame], default=zoom.size)
        on_downbeat[frame:next_keyframe] = 1
    assert np.allclose(zoom, 1 + 0.5 * beat + on_downbeat)
    beat_variable = np.array(sorted(beats)) * doc["options"]["bpm"] / (24 * 60)
    assert np.abs(beat_variable - np.round(beat_variable)).max() < 0.1


def test_merging_into_a_document_keeps_what_is_there(capsys, tmp_path, click_97):
    path, _ = click_97
    analysed = tmp_path / "first.json"
    run_cli(capsys, "audio", path, "-o", analysed, "--fps", "24", "--features", "beats", "--keyframes", "beats")
    beat_frame = next(kf["frame"] for kf in json.loads(analysed.read_text())["keyframes"] if kf.get("info"))
    doc = {
        "options": {"output_fps": 24, "bpm": 140},
        "managedFields": ["zoom"],
        "keyframes": [{"frame": 0, "zoom": 1}, {"frame": beat_frame, "zoom": 2, "info": "drop"},
                      {"frame": 200, "zoom": 1.5}],
        "timeSeries": [{"alias": "mine", "ts": {"data": [{"x": 0, "y": 3}], "timestampType": 0}}],
    }
    source = tmp_path / "doc.json"
    source.write_text(json.dumps(doc))
    out = tmp_path / "merged.json"
    code, err = run_cli(capsys, "audio", path, "--doc", source, "-o", out, "--features", "beats,rms",
                        "--component", "percussive")
    assert code == 0, err
    merged = json.loads(out.read_text())
    by_frame = {kf["frame"]: kf for kf in merged["keyframes"]}
    assert by_frame[beat_frame]["zoom"] == 2 and by_frame[beat_frame]["info"] in ("drop beat", "drop downbeat")
    assert by_frame[200] == {"frame": 200, "zoom": 1.5}
    assert max(by_frame) == 200
    assert merged["options"]["bpm"] == 140
    assert [entry["alias"] for entry in merged["timeSeries"]] == ["mine", "perc_rms", "perc_beat", "perc_downbeat"]
    compile_document(merged)


def test_plot_draws_series_and_beat_markers(capsys, tmp_path, click_120):
    path, _ = click_120
    doc = tmp_path / "song.json"
    run_cli(capsys, "audio", path, "-o", doc, "--features", "beats,rms")
    code, err = run_cli(capsys, "plot", doc, "-o", tmp_path / "plot.png")
    assert code == 0, err
    assert "3 time series" in err and "beat marker" in err
    assert (tmp_path / "plot.png").stat().st_size > 5000


def _wav_bytes(path: Path, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(22050)
        handle.writeframes(samples.astype("<i2").tobytes())
    return path


def _text_file(path: Path) -> Path:
    path.write_text("not audio at all")
    return path


def _silent_video(path: Path) -> Path:
    run_ffmpeg(["-y", "-f", "lavfi", "-i", "testsrc=duration=1:size=64x64:rate=10", "-pix_fmt", "yuv420p", str(path)],
               what="make a video without audio")
    return path


@pytest.mark.parametrize("make, expected", [
    (lambda d: d / "missing.wav", "audio file not found"),
    (lambda d: _text_file(d / "notes.wav"), "cannot be read as audio"),
    (lambda d: _silent_video(d / "clip.mp4"), "it has no audio track"),
    (lambda d: _wav_bytes(d / "empty.wav", np.zeros(0)), "holds no audio samples"),
    (lambda d: _wav_bytes(d / "silent.wav", np.zeros(22050)), "is silent"),
    (lambda d: write_wav(d / "short.wav", 0.5 * np.sin(np.arange(300) / 3)), "shorter than one frame"),
])
def test_bad_audio_exits_2_with_one_clear_line(capsys, tmp_path, make, expected):
    path = make(tmp_path)
    code, err = run_cli(capsys, "audio", path, "-o", tmp_path / "out.json", "--fps", "24")
    assert code == 2
    assert expected in err and str(path) in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out.json").exists()


def test_a_missing_librosa_is_one_message_with_the_install_command(capsys, tmp_path, monkeypatch, click_120):
    from lib_parseq.audio import dependency

    dependency.require_librosa.cache_clear()
    monkeypatch.setitem(sys.modules, "librosa", None)
    try:
        code, err = run_cli(capsys, "audio", click_120[0], "-o", tmp_path / "out.json")
    finally:
        dependency.require_librosa.cache_clear()
    assert code == 2
    assert "needs librosa" in err and "pip install" in err and "Traceback" not in err


def test_render_takes_the_documents_audio_from_its_start(repo_root, tmp_path, click_120):
    path, _ = click_120
    doc = tmp_path / "song.json"
    done = subprocess.run([sys.executable, "-m", "lib_parseq", "audio", str(path), "-o", str(doc), "--fps", "12",
                           "--features", "beats", "--set-bpm", "--end", "6"],
                          cwd=repo_root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    start = json.loads(doc.read_text())["meta"]["audio"]["start"]
    assert 0.25 < start < 0.35
    video = tmp_path / "out.mp4"
    done = subprocess.run([sys.executable, "-m", "lib_parseq", "render", str(doc), "--init",
                           str(repo_root / "examples" / "init.png"), "--size", "64x64", "-o", str(video),
                           "--dry-run", "--quiet", "--no-resume-state"],
                          cwd=repo_root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"Audio: {path}" in done.stderr and "from 0.3" in done.stderr
    assert probe_video(video).has_audio


def test_the_beat_synced_starter_takes_a_songs_series(capsys, tmp_path, repo_root, click_97):
    starter = repo_root / "lib_parseq" / "ui" / "starters" / "beat-synced-from-audio.json"
    out = tmp_path / "song.json"
    code, err = run_cli(capsys, "audio", click_97[0], "--doc", starter, "-o", out, "--set-bpm", "--extend",
                        "--features", "onset,rms,beats")
    assert code == 0, err
    assert "(4 replaced)" in err
    merged = json.loads(out.read_text())
    assert abs(merged["options"]["bpm"] - 97) < 1
    zoom = np.array([frame["zoom"] for frame in compile_document(merged)["rendered_frames"]])
    downbeats = [kf["frame"] for kf in merged["keyframes"] if kf.get("info") == "downbeat"]
    assert downbeats and all(zoom[frame] > 1.03 for frame in downbeats), "the zoom kicks on each downbeat"
