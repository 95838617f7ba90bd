"""Dry-run render throughput and memory, against a naive reference measured in the same run.

Pipeline per frame: warp (zoom + rotation + pan) + blend of 3 frames + LAB colour correction against a
4-frame sliding window + H.264 encode (libx264, CRF 17). Ours is ``lib_parseq.render.render`` with the
dry-run backend. The naive reference does what the 2022 Parseq script did: it keeps every output in a list,
blends recursively in pairs, resizes and warps with Lanczos (cv2.INTER_LANCZOS4 through PIL images, as that
script did; PIL's own perspective transform has no Lanczos filter), builds the colour target as the mean LAB
image of the window and calls scikit-image ``match_histograms``, and writes to ffmpeg without overlap.

Memory: the same render at 96×96 (small frames and the ultrafast preset keep the 10,000-frame run short),
1,000 vs 10,000 frames, each in a fresh process: peak RSS, and the tracemalloc peak of the render itself
(the manifest, an input that grows with the frame count, is built before tracing starts).

Run: ``python benchmarks/pipeline.py`` (``--quick`` for fewer frames).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "examples"))

from make_init import draw_init  # noqa: E402

from lib_parseq.render import DryRunBackend, RenderSettings, render  # noqa: E402
from lib_parseq.video.ffmpeg import find_ffmpeg  # noqa: E402

WINDOW = 4
BLEND = 3
DECAY = 0.3


def manifest(count: int, *, rotate_3d: bool = False) -> dict:
    frames = []
    for f in range(count):
        entry = {"frame": f, "angle": 0.5 * f, "zoom": 1 + 0.002 * f, "translation_x": 0.3 * f,
                 "loopback_frames": BLEND, "loopback_decay": DECAY}
        if rotate_3d:
            entry["rotation_3d_y"] = 3 * math.sin(f / 10)
        frames.append(entry)
    return {"options": {"output_fps": 20, "cc_window_width": WINDOW, "cc_window_slide_rate": 1},
            "rendered_frames": frames}


def run_ours(size: int, count: int, folder: Path, *, preset: str = "ultrafast", resumable: bool = False,
             rotate_3d: bool = False) -> float:
    init = np.asarray(draw_init(size))
    settings = RenderSettings(output=f"ours-{size}.mp4", output_dir=folder, overwrite=True, preset=preset,
                              crf=17, resumable=resumable, handle_sigint=False)
    started = time.perf_counter()
    render(manifest(count, rotate_3d=rotate_3d), settings, DryRunBackend(), init_image=init)
    return count / (time.perf_counter() - started)


def naive_matrix(width: int, height: int, values: dict) -> np.ndarray:
    """The 2022 script's style: a full 3D projection matrix per frame for zoom, rotation and pan."""
    focal = math.hypot(width, height)
    a = math.radians(values["angle"])
    to_3d = np.array([[1, 0, -width / 2], [0, 1, -height / 2], [0, 0, 0], [0, 0, 1]], dtype=np.float64)
    rotate = np.array([[math.cos(a), math.sin(a), 0, 0], [-math.sin(a), math.cos(a), 0, 0], [0, 0, 1, 0],
                       [0, 0, 0, 1]])
    move = np.array([[1, 0, 0, values["translation_x"]], [0, 1, 0, 0], [0, 0, 1, focal / values["zoom"]],
                     [0, 0, 0, 1]])
    project = np.array([[focal, 0, width / 2, 0], [0, focal, height / 2, 0], [0, 0, 1, 0]])
    return project @ move @ rotate @ to_3d


def naive_blend(frames: list[np.ndarray], decay: float) -> np.ndarray:
    if len(frames) == 1:
        return frames[0]
    return cv2.addWeighted(frames[0], 1 - decay, naive_blend(frames[1:], decay), decay, 0)


def run_naive(size: int, count: int, folder: Path) -> float:
    from skimage.exposure import match_histograms

    frames = manifest(count)["rendered_frames"]
    init = np.asarray(draw_init(size))
    output = folder / f"naive-{size}.mp4"
    encoder = subprocess.Popen(
        [find_ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s",
         f"{size}x{size}", "-r", "20", "-i", "-", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "17",
         "-pix_fmt", "yuv420p", str(output)], stdin=subprocess.PIPE)
    history: list[np.ndarray] = []
    started = time.perf_counter()
    previous = np.eye(3)
    for f, values in enumerate(frames):
        source = init if f == 0 else history[-1]
        image = cv2.resize(source, (size, size), interpolation=cv2.INTER_LANCZOS4)
        older = history[max(0, f - BLEND) : max(0, f - 1)]
        image = naive_blend([image, *reversed(older)], DECAY)
        current = naive_matrix(size, size, values)
        step = current @ np.linalg.inv(previous)
        previous = current
        image = np.asarray(Image.fromarray(cv2.warpPerspective(
            np.asarray(Image.fromarray(image)), step, (size, size), flags=cv2.INTER_LANCZOS4,
            borderMode=cv2.BORDER_REFLECT)))
        end = f
        window = history[max(0, end - WINDOW) : end]
        if window:
            target = np.zeros(window[0].shape, np.float64)
            for frame in window:
                target += cv2.cvtColor(frame, cv2.COLOR_RGB2LAB).astype(np.float64) / len(window)
            lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB)
            matched = match_histograms(lab, target.astype(np.uint8), channel_axis=2)
            image = cv2.cvtColor(matched.astype(np.uint8), cv2.COLOR_LAB2RGB)
        encoder.stdin.write(image.astype(np.uint8).tobytes())
        history.append(image)
    encoder.stdin.close()
    encoder.wait()
    return count / (time.perf_counter() - started)


MEMORY_CHILD = """
import json, resource, sys, time, tracemalloc
sys.path.insert(0, {repo!r}); sys.path.insert(0, {bench!r})
import numpy as np
from pathlib import Path
from pipeline import manifest
from lib_parseq.render import DryRunBackend, RenderSettings, render
count = {count}
doc = manifest(count)
init = np.asarray(__import__('make_init').draw_init(96))
tracemalloc.start()
started = time.perf_counter()
render(doc, RenderSettings(output='memory.mp4', output_dir=Path({folder!r}), overwrite=True, preset='ultrafast',
       resumable={resumable}, handle_sigint=False), DryRunBackend(), init_image=init)
elapsed = time.perf_counter() - started
_, peak = tracemalloc.get_traced_memory()
print(json.dumps({{"frames": count, "seconds": elapsed, "traced_peak_mb": peak / 2**20,
                  "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def memory_run(count: int, folder: Path, resumable: bool) -> dict:
    code = MEMORY_CHILD.format(repo=str(REPO), bench=str(Path(__file__).parent), count=count, folder=str(folder),
                               resumable=resumable)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer frames (a smoke run)")
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    counts = {512: (60, 20), 1024: (20, 8)} if args.quick else {512: (240, 80), 1024: (60, 20)}
    rounds = 1 if args.quick else 3
    print(f"cv2 {cv2.__version__}, numpy {np.__version__}, {resource.getpagesize()}-byte pages; "
          f"ffmpeg {find_ffmpeg()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("\nThroughput, frames/s (warp + 3-frame blend + colour window 4 + H.264 CRF 17), "
              f"best of {rounds} alternating runs:")
        print(f"{'size':>9} {'ours':>8} {'naive':>8} {'ratio':>7}   notes")
        for size, (ours_n, naive_n) in counts.items():
            run_ours(size, 10, folder)  # warm up (imports, ffmpeg start)
            ours_runs, naive_runs = [], []
            for _ in range(rounds):  # alternate, so load from other processes hits both alike
                ours_runs.append(run_ours(size, ours_n, folder))
                naive_runs.append(run_naive(size, naive_n, folder))
            ours, naive = max(ours_runs), max(naive_runs)
            print(f"{size:>4}x{size:<4} {ours:8.1f} {naive:8.1f} {ours / naive:6.1f}x   "
                  f"x264 ultrafast, {ours_n} vs {naive_n} frames, no PNG copy; all runs: "
                  f"{', '.join(f'{v:.0f}' for v in ours_runs)} vs {', '.join(f'{v:.0f}' for v in naive_runs)}")
        print("\nOur other configurations at 512x512:")
        n = counts[512][0]
        for label, kwargs in [("x264 medium preset", {"preset": "medium"}),
                              ("resumable (PNG copy of every frame)", {"resumable": True}),
                              ("3D rotation (perspective warp)", {"rotate_3d": True})]:
            print(f"  {label:<40} {run_ours(512, n, folder, **kwargs):8.1f} frames/s")
        if args.skip_memory:
            return
        print("\nMemory, 96x96, ultrafast, resumable (the default), fresh process per run:")
        small, large = (300, 3000) if args.quick else (1000, 10000)
        rows = [memory_run(count, folder, True) for count in (small, large)]
        for row in rows:
            print(f"  {row['frames']:>6} frames: {row['seconds']:6.1f} s, peak RSS {row['rss_peak_mb']:6.1f} MiB, "
                  f"render tracemalloc peak {row['traced_peak_mb']:6.2f} MiB")
        print(f"  RSS ratio {rows[1]['rss_peak_mb'] / rows[0]['rss_peak_mb']:.2f}, traced-peak ratio "
              f"{rows[1]['traced_peak_mb'] / rows[0]['traced_peak_mb']:.2f} for {large // small}x the frames")


if __name__ == "__main__":
    main()
