"""Analysis of synthesized audio whose truth is known: tempo, beats, downbeats, HPSS, pitch, loudness, codecs."""

from __future__ import annotations

import numpy as np
import pytest

from lib_parseq.audio import analyse_file, frame_features
from lib_parseq.video.ffmpeg import run_ffmpeg

FPS = 24


def frames_of(times_s: np.ndarray) -> np.ndarray:
    return np.floor(np.asarray(times_s) * FPS + 0.5).astype(int)


def truth_at_frames(per_sample: np.ndarray, count: int, rate: int = 22050) -> np.ndarray:
    index = np.minimum((np.arange(count) / FPS * rate).astype(int), per_sample.size - 1)
    return per_sample[index]


@pytest.mark.parametrize("fixture, bpm", [("click_120", 120.0), ("click_97", 97.0)])
def test_click_track_tempo_beats_and_downbeats(request, fixture, bpm):
    path, beats = request.getfixturevalue(fixture)
    analysis = analyse_file(path)
    assert abs(analysis.rhythm.tempo - bpm) < 1.0
    frames = frame_features(analysis, FPS)
    detected = frames.beat_frames
    truth = frames_of(beats)
    # Every detected beat is within one frame of a true beat, and the tracker misses at most the edges.
    distance = np.abs(detected[:, None] - truth[None, :]).min(axis=1)
    assert distance.max() <= 1
    assert detected.size >= truth.size - 2
    assert analysis.rhythm.beats_per_bar == 4
    downbeats = frames.downbeat_frames
    accented = truth[::4]
    assert downbeats.size >= accented.size - 1
    assert np.abs(downbeats[:, None] - accented[None, :]).min(axis=1).max() <= 1


def test_percussive_component_follows_the_kicks_and_harmonic_the_pad(drums):
    path, kicks, hats, changes = drums
    percussive = frame_features(analyse_file(path, component="percussive", with_pitch=False), FPS,
                                normalise_to=None)
    harmonic = frame_features(analyse_file(path, component="harmonic", with_pitch=False), FPS, normalise_to=None)
    perc_rms = percussive.series["perc_rms"]
    assert perc_rms[frames_of(kicks)].min() > 3 * np.median(perc_rms)
    assert perc_rms[frames_of(kicks)].mean() > 2 * perc_rms[frames_of(hats)].mean()
    # Every kick is a percussive onset, within a frame; the pad's chord changes are weaker there than the
    # kicks, while in the harmonic component they dominate.
    onsets = percussive.onset_frames
    assert np.abs(frames_of(kicks)[:, None] - onsets[None, :]).min(axis=1).max() <= 1
    perc_onset = percussive.series["perc_onset"]
    assert perc_onset[frames_of(kicks)].mean() > perc_onset[frames_of(changes)].mean()
    harm_onset = harmonic.series["harm_onset"]
    assert harm_onset[frames_of(changes)].mean() > 2 * harm_onset[frames_of(kicks)].mean()
    assert "perc_pitch" not in percussive.series


def test_pitch_sweep_f0_within_a_semitone(sweep):
    path, f0 = sweep
    frames = frame_features(analyse_file(path), FPS)
    pitch = frames.series["pitch"]
    truth = truth_at_frames(f0, frames.frame_count)
    voiced = pitch > 0
    assert voiced.mean() > 0.9
    semitones = 12 * np.abs(np.log2(pitch[voiced] / truth[voiced]))
    assert semitones.max() < 1.0
    assert frames.series["voicing"][voiced].min() >= 0.5


def test_rms_follows_the_loudness_envelope(loudness):
    path, amplitude = loudness
    frames = frame_features(analyse_file(path, with_pitch=False), FPS, normalise_to=None)
    rms = frames.series["rms"]
    truth = truth_at_frames(amplitude, frames.frame_count) / np.sqrt(2)
    assert np.corrcoef(rms, truth)[0, 1] > 0.99
    assert np.abs(rms - truth).max() < 0.05
    normalised = frame_features(analyse_file(path, with_pitch=False), FPS).series["rms"]
    assert normalised.min() == 0.0 and normalised.max() == 1.0


@pytest.mark.parametrize("suffix, codec", [(".mp3", ["-c:a", "libmp3lame", "-b:a", "192k"]),
                                           (".m4a", ["-c:a", "aac", "-b:a", "192k"])])
def test_compressed_files_decode_to_the_same_features_as_the_wav(click_97, suffix, codec):
    wav, _ = click_97
    encoded = wav.with_suffix(suffix)
    run_ffmpeg(["-y", "-i", str(wav), *codec, str(encoded)], what="encode the test file")
    reference_analysis = analyse_file(wav)
    reference = frame_features(reference_analysis, FPS)
    decoded_analysis = analyse_file(encoded)
    decoded = frame_features(decoded_analysis, FPS)
    assert decoded.frame_count == reference.frame_count
    assert abs(decoded_analysis.rhythm.tempo - reference.tempo) < 0.1
    assert np.array_equal(decoded.beat_frames, reference.beat_frames)
    assert np.array_equal(decoded.downbeat_frames, reference.downbeat_frames)
    for name in ("rms", "onset"):
        assert np.corrcoef(decoded.series[name], reference.series[name])[0, 1] > 0.98, name
    # Brightness (Hz) is compared where there is sound: in the silences between clicks it is codec noise.
    raw_reference = frame_features(reference_analysis, FPS, normalise_to=None).series
    raw_decoded = frame_features(decoded_analysis, FPS, normalise_to=None).series
    sounding = raw_reference["rms"] > 0.05
    assert sounding.sum() >= 15
    relative = np.abs(raw_decoded["centroid"][sounding] / raw_reference["centroid"][sounding] - 1)
    assert np.median(relative) < 0.05, np.median(relative)


def test_the_audio_track_of_a_video_is_analysed(click_120):
    wav, _ = click_120
    video = wav.with_name("click120-video.mp4")
    run_ffmpeg(["-y", "-f", "lavfi", "-i", "color=c=black:size=64x64:rate=10:duration=10", "-i", str(wav),
                "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(video)],
               what="make a video with the click track")
    analysis = analyse_file(video, with_pitch=False)
    assert abs(analysis.rhythm.tempo - 120) < 1
    assert analysis.duration_s == pytest.approx(10.0, abs=0.1)


def test_trim_and_origin_shift_the_frames(click_120):
    path, beats = click_120
    trimmed = analyse_file(path, start_s=2.0, end_s=8.0, with_pitch=False)
    assert trimmed.duration_s == pytest.approx(6.0, abs=0.01)
    frames = frame_features(trimmed, FPS, features=("beats",))
    expected = frames_of(beats[(beats >= 2.0) & (beats < 8.0)] - 2.0)
    assert np.abs(frames.beat_frames[:, None] - expected[None, :]).min(axis=1).max() <= 1
    assert frames.frame_count == 6 * FPS
