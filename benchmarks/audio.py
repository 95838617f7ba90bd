"""Benchmark: full audio analysis of a 3-minute track made here, against real time and librosa's defaults.

The track (drums, a chord pad and a gliding lead at 44.1 kHz) is written as a WAV, then:

1. ``analyse_file`` on it, full mix with every feature (onset strength, onsets, beats/downbeats, RMS,
   centroid, pYIN pitch), best of ``--runs``: seconds and times faster than real time (target >= 60x on
   2 cores). Also the percussive component (HPSS).
2. The same features with librosa's defaults, measured in the same run: ``librosa.load``, then
   ``onset_strength``, ``onset_detect``, ``beat_track``, ``rms``, ``spectral_centroid`` and ``pyin`` (fmin C2,
   fmax C7) with default settings, on the first ``--baseline-seconds`` and scaled to the full track (pYIN at
   its defaults runs at a few times real time, so the whole track would take minutes).
3. Memory: a fresh process analyses the 3-minute track, another the same track looped to 30 minutes
   (streamed from ffmpeg in blocks, so the two should need the same): the peak of the analysis' own
   allocations (tracemalloc, which numpy reports to) and the process' peak RSS (mostly librosa, numba and
   their compiled code).

    .venv/bin/python benchmarks/audio.py [--runs 2] [--baseline-seconds 30] [--skip-long]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib_parseq.audio import analyse_file, require_librosa  # noqa: E402
from lib_parseq.video.ffmpeg import run_ffmpeg  # noqa: E402

RATE = 44100
SECONDS = 180.0
LONG_LOOPS = 10
TARGET_RATIO = 60.0


def make_track(path: Path, seconds: float = SECONDS, rate: int = RATE) -> Path:
    """Drums at 112 bpm, a pad changing chord every bar and a gliding lead, 16-bit mono WAV."""
    rng = np.random.default_rng(1)
    t = np.arange(int(seconds * rate)) / rate
    beat = 60.0 / 112
    bar = np.floor(t / (4 * beat)).astype(int)
    roots = np.array([110.0, 146.83, 130.81, 98.0])[bar % 4]
    out = 0.08 * (np.sin(2 * np.pi * np.cumsum(roots) / rate) + 0.6 * np.sin(2 * np.pi * np.cumsum(1.5 * roots) / rate))
    lead = 440.0 * 2 ** (np.sin(2 * np.pi * t / 7.0) * 0.5)
    out += 0.05 * np.sin(2 * np.pi * np.cumsum(lead) / rate) * (np.sin(2 * np.pi * t / 3.0) > -0.3)
    decay = np.arange(int(0.3 * rate)) / rate
    kick = 0.7 * np.sin(2 * np.pi * (50 * decay + 2.0 * (1 - np.exp(-decay / 0.02)))) * np.exp(-decay / 0.05)
    hat = 0.15 * rng.standard_normal(int(0.04 * rate)) * np.exp(-np.arange(int(0.04 * rate)) / (0.008 * rate))
    for index, start in enumerate(np.arange(0.1, seconds - 0.5, beat / 2)):
        sound = kick if index % 2 == 0 else hat
        begin = int(start * rate)
        out[begin : begin + sound.size] += sound[: out.size - begin]
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes((np.clip(out, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def best_of(runs: int, action) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process, all threads) of the fastest of ``runs`` calls.

    CPU time is the fairer figure on a shared machine: wall time also counts the time other processes
    held the cores.
    """
    times = []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        action()
        times.append((time.perf_counter() - start, time.process_time() - cpu))
    return min(times)


def librosa_defaults(path: Path, seconds: float) -> None:
    librosa = require_librosa()
    y, sr = librosa.load(str(path), sr=22050, duration=seconds)
    envelope = librosa.onset.onset_strength(y=y, sr=sr)
    librosa.onset.onset_detect(onset_envelope=envelope, sr=sr)
    librosa.beat.beat_track(onset_envelope=envelope, sr=sr)
    librosa.feature.rms(y=y)
    librosa.feature.spectral_centroid(y=y, sr=sr)
    librosa.pyin(y, fmin=librosa.note_to_hz("C2"), fmax=librosa.note_to_hz("C7"), sr=sr)


def child(path: str) -> None:
    """Analyse one file in this fresh process and print its time and peak RSS as JSON."""
    require_librosa()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    start = time.process_time()
    analysis = analyse_file(path)
    seconds = time.process_time() - start
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "duration": analysis.duration_s, "rss_before_mb": before / 1024,
                      "rss_peak_mb": peak / 1024, "traced_peak_mb": traced_peak / 2**20}))


def measure_in_child(path: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def speed(track: Path, args: argparse.Namespace) -> None:
    """Part 1 and 2: our analysis and librosa's defaults on the 3-minute track."""
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    full, full_cpu = best_of(args.runs, lambda: analyse_file(track))
    percussive, percussive_cpu = best_of(args.runs, lambda: analyse_file(track, component="percussive"))
    base_part, base_part_cpu = best_of(1, lambda: librosa_defaults(track, args.baseline_seconds))
    scale = SECONDS / args.baseline_seconds
    baseline, baseline_cpu = base_part * scale, base_part_cpu * scale
    ratio, ratio_cpu = SECONDS / full, SECONDS / full_cpu
    print(f"3-minute track, full mix, all features: wall {full:.2f} s = {ratio:.0f}x real time, "
          f"CPU {full_cpu:.2f} s = {ratio_cpu:.0f}x (target >= {TARGET_RATIO:.0f}x): "
          f"{'PASS' if max(ratio, ratio_cpu) >= TARGET_RATIO else 'MISS'}")
    print(f"  percussive component (HPSS): wall {percussive:.2f} s = {SECONDS / percussive:.0f}x, "
          f"CPU {percussive_cpu:.2f} s = {SECONDS / percussive_cpu:.0f}x real time")
    print(f"  librosa defaults: wall {base_part:.2f} s / CPU {base_part_cpu:.2f} s for the first "
          f"{args.baseline_seconds:g} s, scaled to 3 minutes: wall {baseline:.1f} s, CPU {baseline_cpu:.1f} s "
          f"({SECONDS / baseline_cpu:.1f}x real time); ours is {baseline / full:.1f}x faster (wall), "
          f"{baseline_cpu / full_cpu:.1f}x (CPU)")


def memory(track: Path, folder: Path) -> None:
    """Part 3: the 3-minute track and the same looped to 30 minutes, each in a fresh process."""
    long_track = folder / "long.wav"
    run_ffmpeg(["-y", "-stream_loop", str(LONG_LOOPS - 1), "-i", str(track), "-c", "copy", str(long_track)],
               what="loop the track")
    short = measure_in_child(track)
    long = measure_in_child(long_track)
    print(f"memory: analysis peak (tracemalloc) {short['traced_peak_mb']:.0f} MB for 3 minutes, "
          f"{long['traced_peak_mb']:.0f} MB for 30 minutes; process peak RSS {short['rss_peak_mb']:.0f} MB and "
          f"{long['rss_peak_mb']:.0f} MB; 30-minute analysis CPU {long['seconds']:.1f} s "
          f"= {long['duration'] / long['seconds']:.0f}x real time (slowed by tracemalloc)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--baseline-seconds", type=float, default=30.0)
    parser.add_argument("--skip-long", action="store_true", help="skip the 30-minute memory measurement")
    parser.add_argument("--memory-only", action="store_true", help="only the 3- vs 30-minute memory measurement")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    with tempfile.TemporaryDirectory(prefix="parseq-audio-bench-") as folder:
        track = make_track(Path(folder) / "track.wav")
        analyse_file(track, end_s=5.0)  # load librosa and numba's compiled functions once
        if not args.memory_only:
            speed(track, args)
        if args.skip_long:
            return 0
        memory(track, Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
