"""Audio fixtures: synthesized files where the truth is known, analysed once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("librosa", reason="librosa (requirements.txt) is needed for the audio tests")

from audio_synth import click_track, drum_pattern, loudness_envelope, pitch_sweep, write_wav  # noqa: E402


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("audio")


@pytest.fixture(scope="session")
def click_120(audio_dir):
    samples, beats = click_track(120, 10.0, first_beat_s=0.3)
    return write_wav(audio_dir / "click120.wav", samples), beats


@pytest.fixture(scope="session")
def click_97(audio_dir):
    samples, beats = click_track(97, 10.0, first_beat_s=0.45)
    return write_wav(audio_dir / "click97.wav", samples), beats


@pytest.fixture(scope="session")
def drums(audio_dir):
    samples, kicks, hats, changes = drum_pattern(100, 8.0)
    return write_wav(audio_dir / "drums.wav", samples), kicks, hats, changes


@pytest.fixture(scope="session")
def sweep(audio_dir):
    samples, f0 = pitch_sweep(110.0, 880.0, 5.0)
    return write_wav(audio_dir / "sweep.wav", samples), f0


@pytest.fixture(scope="session")
def loudness(audio_dir):
    samples, amplitude = loudness_envelope(6.0)
    return write_wav(audio_dir / "loudness.wav", samples), amplitude
