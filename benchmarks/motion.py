"""Costs of Deforum's motion toolkit, as ratios against baselines measured in the same run.

1. Diffusion cadence: backend calls and dry-run wall time for a loopback render at cadence N vs 1 (same
   manifest, 512², H.264 ultrafast, no resume state). In a real render the backend dominates, so the saving
   approaches N×; the dry run shows what the in-betweens themselves cost.
2. Optical flow per 512² frame pair (median of repeats): DIS medium, DIS fine, Farnebäck, plus the
   feature-matched affine and perspective fits, each against DIS medium.
2b. The affine/perspective fit (ORB descriptor matching + RANSAC, refined; ``frames.features``) against
   Lucas–Kanade corner tracking + RANSAC (the method it replaced, kept here as the baseline): time per 512²
   pair and the largest error at four points near the corners, for a small and a large camera move.
3. The whole dry-run pipeline with hybrid video (optical flow, DIS medium, + composite) vs plain loopback
   and vs hybrid without motion.

Run: ``python benchmarks/motion.py`` (``--quick`` for fewer frames).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lib_parseq.frames.features import feature_matrix  # noqa: E402
from lib_parseq.frames.flow import FLOW_METHODS, backward_flow  # noqa: E402
from lib_parseq.render import DryRunBackend, RenderSettings, render  # noqa: E402
from lib_parseq.render.settings import HybridSettings  # noqa: E402
from lib_parseq.video import VideoWriter  # noqa: E402

SIZE = 512


class CountingBackend(DryRunBackend):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def generate(self, image, params):
        self.calls += 1
        return image


def scene(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return cv2.GaussianBlur(rng.integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8), (0, 0), 2.0)


def manifest(count: int) -> dict:
    frames = [{"frame": f, "angle": 0.3 * f, "zoom": 1 + 0.002 * f, "translation_x": 0.5 * f,
               "hybrid_comp_alpha": 0.2} for f in range(count)]
    return {"options": {"output_fps": 20}, "rendered_frames": frames}


def moving_video(path: Path, count: int) -> Path:
    base = scene(1)
    writer = VideoWriter(path, SIZE, SIZE, 20, crf=17, preset="ultrafast")
    for f in range(count):
        writer.write(np.roll(base, (f * 2, f * 3), axis=(0, 1)))
    writer.close()
    return path


def tracked_matrix(previous: np.ndarray, current: np.ndarray, kind: str) -> np.ndarray:
    """The baseline: corners tracked by pyramidal Lucas–Kanade, one matrix fitted with RANSAC."""
    first, second = (cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) for image in (previous, current))
    corners = cv2.goodFeaturesToTrack(first, maxCorners=400, qualityLevel=0.01, minDistance=max(4, SIZE // 40),
                                      blockSize=7)
    tracked, status, _ = cv2.calcOpticalFlowPyrLK(first, second, corners, None, winSize=(21, 21), maxLevel=4)
    found = status.ravel() == 1
    source, target = corners[found].reshape(-1, 2), tracked[found].reshape(-1, 2)
    if kind == "affine":
        matrix, _ = cv2.estimateAffine2D(source, target, method=cv2.RANSAC, ransacReprojThreshold=1.0)
        return np.eye(3) if matrix is None else np.vstack([matrix, [0.0, 0.0, 1.0]])
    matrix, _ = cv2.findHomography(source, target, cv2.RANSAC, 1.0)
    return np.eye(3) if matrix is None else matrix / matrix[2, 2]


def camera_moves() -> dict[str, dict[str, np.ndarray]]:
    """A small and a large camera move (rotation, zoom, pan; with a keystone for perspective), as 3×3 matrices."""
    def turn(angle: float, scale: float, shift: tuple[float, float]) -> np.ndarray:
        matrix = np.vstack([cv2.getRotationMatrix2D((SIZE / 2, SIZE / 2), angle, scale), [0.0, 0.0, 1.0]])
        matrix[:2, 2] += shift
        return matrix

    corners = np.float32([[0, 0], [SIZE, 0], [SIZE, SIZE], [0, SIZE]])
    keystone = cv2.getPerspectiveTransform(corners, corners + np.float32([[9, 6], [-15, -6], [6, 9], [-3, -9]]))
    turns = {"small": turn(3.0, 1.03, (12.0, -8.0)), "large": turn(25.0, 1.25, (90.0, -60.0))}
    return {move: {"affine": matrix, "perspective": keystone @ matrix} for move, matrix in turns.items()}


def corners_error(found: np.ndarray, expected: np.ndarray) -> float:
    points = np.array([[20, 20, 1], [SIZE - 20, 20, 1], [20, SIZE - 20, 1], [SIZE - 20, SIZE - 20, 1]], float)
    project = [(points @ m.T)[:, :2] / (points @ m.T)[:, 2:] for m in (found, expected)]
    return float(np.abs(project[0] - project[1]).max())


def feature_fits(repeats: int) -> dict:
    """Matched features vs tracked corners: ms per 512² pair and the corner error, per move and kind."""
    scene_image = scene(3)
    for seed in range(12):  # shapes give the scene corners a photo has (noise alone has few strong ones)
        rng = np.random.default_rng(seed)
        x, y = (int(v) for v in rng.integers(0, SIZE, 2))
        cv2.circle(scene_image, (x, y), int(rng.integers(8, 40)), tuple(int(v) for v in rng.integers(0, 256, 3)), -1)
    results = {}
    for move, matrices in camera_moves().items():
        for kind, matrix in matrices.items():
            moved = cv2.warpPerspective(scene_image, matrix, (SIZE, SIZE), flags=cv2.INTER_CUBIC,
                                        borderMode=cv2.BORDER_REFLECT)
            row = {}
            for name, fit in (("matched", feature_matrix), ("tracked", tracked_matrix)):
                row[f"{name}_ms"] = round(median_ms(lambda f=fit, k=kind, m=moved: f(scene_image, m, k), repeats), 1)
                row[f"{name}_error_px"] = round(corners_error(fit(scene_image, moved, kind), matrix), 3)
            row["time_ratio"] = round(row["matched_ms"] / row["tracked_ms"], 2)
            results[f"{move}_{kind}"] = row
    return results


def timed_render(folder: Path, count: int, **kwargs) -> tuple[float, int]:
    video = kwargs.pop("video", None)
    settings = RenderSettings(output="out.mp4", output_dir=folder, preset="ultrafast", resumable=False,
                              overwrite=True, **kwargs)
    backend = CountingBackend()
    started = time.perf_counter()
    render(manifest(count), settings, backend, init_image=scene(2), video_path=video)
    return time.perf_counter() - started, backend.calls


def best_render(folder: Path, count: int, repeats: int, **kwargs) -> tuple[float, int]:
    runs = [timed_render(folder, count, **kwargs) for _ in range(repeats)]
    return min(t for t, _ in runs), runs[0][1]


def median_ms(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    count, repeats = (30, 1) if args.quick else (90, 3)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        video = moving_video(folder / "guide.mp4", count)

        base_time, base_calls = best_render(folder, count, repeats, cadence=1)
        cadence = {"1": {"calls": base_calls, "seconds": round(base_time, 3), "fps": round(count / base_time, 1)}}
        for n in (2, 3, 4):
            seconds, calls = best_render(folder, count, repeats, cadence=n)
            cadence[str(n)] = {"calls": calls, "seconds": round(seconds, 3), "fps": round(count / seconds, 1),
                               "calls_ratio": round(calls / base_calls, 3), "time_ratio": round(seconds / base_time, 3)}
        results["cadence"] = cadence

        previous, current = scene(1), np.roll(scene(1), (2, 3), axis=(0, 1))
        flow_repeats = 5 if args.quick else 15
        flow = {m: median_ms(lambda m=m: backward_flow(previous, current, m), flow_repeats) for m in FLOW_METHODS}
        for kind in ("affine", "perspective"):
            flow[kind] = median_ms(lambda k=kind: feature_matrix(previous, current, k), flow_repeats)
        reference = flow["dis_medium"]
        results["flow_512"] = {k: {"ms": round(v, 2), "vs_dis_medium": round(v / reference, 2)}
                               for k, v in flow.items()}
        results["feature_fit_512"] = feature_fits(flow_repeats)

        plain, _ = best_render(folder, count, repeats)
        no_motion, _ = best_render(folder, count, repeats, video=video, hybrid=HybridSettings(composite="normal"))
        flowing, _ = best_render(folder, count, repeats, video=video,
                                 hybrid=HybridSettings(motion="optical_flow", composite="normal"))
        results["hybrid_pipeline"] = {
            "loopback_fps": round(count / plain, 1),
            "hybrid_composite_fps": round(count / no_motion, 1),
            "hybrid_flow_fps": round(count / flowing, 1),
            "hybrid_flow_vs_loopback_time": round(flowing / plain, 2),
            "hybrid_composite_vs_loopback_time": round(no_motion / plain, 2),
        }
    print(json.dumps({"frames": count, "size": SIZE, **results}, indent=2))


if __name__ == "__main__":
    main()
