"""Benchmark: the diffusers backend on the tiny random-weight pipeline of the tests (CPU, or a GPU if present).

All in one run, each against a baseline measured in the same run:
1. Per-frame overhead: a vid2vid render through the whole frame pipeline (decode, warp, the backend's prompt
   embedding and seeded noise, write PNG + H.264) against the bare pipeline call on the same frames and
   settings. Target: under 5 % more time per frame.
2. Batching: frames/s with ``--batch 4`` against ``--batch 1`` (vid2vid, no loopback blend), with exact batches
   (the CPU's default: the UNet per frame, bit-for-bit the frames of batch 1) and without (one UNet call for the
   batch, as on a GPU: equal up to float rounding).
3. Ray: frames/s on a local Ray cluster with 2 workers against 1 worker (``--batch 1`` each, streamed).

    .venv-diffusers/bin/python benchmarks/diffusers_render.py [--frames 16] [--size 128] [--steps 8] [--runs 3] [--no-ray]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "diffusers"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402
from tiny_pipeline import save_tiny_pipeline  # noqa: E402

from lib_parseq.backends.diffusers_backend import DiffusersBackend  # noqa: E402
from lib_parseq.backends.diffusers_options import DiffusersOptions  # noqa: E402
from lib_parseq.render import RenderSettings, render  # noqa: E402
from lib_parseq.video import VideoReader, probe_video  # noqa: E402
from lib_parseq.video.ffmpeg import find_ffmpeg  # noqa: E402

TARGET_OVERHEAD = 0.05
PROMPT = "red cat walking"
STRENGTH = 0.5


def make_inputs(folder: Path, frames: int, size: int) -> tuple[dict, Path]:
    import subprocess

    video = folder / "in.mp4"
    subprocess.run([find_ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=size={size}x{size}:rate=10", "-frames:v", str(frames), "-c:v", "libx264",
                    "-pix_fmt", "yuv420p", str(video)], check=True)
    manifest = {"options": {"output_fps": 10}, "rendered_frames": [
        {"frame": f, "seed": 1000 + f, "scale": 7.0, "strength": 1 - STRENGTH, "zoom": 1.0 + 0.002 * f,
         "deforum_prompt": f"{PROMPT} --neg blurry"} for f in range(frames)]}
    return manifest, video


def timed_render(manifest: dict, video: Path, backend, folder: Path, name: str) -> float:
    settings = RenderSettings(output=f"{name}.mp4", output_dir=folder, preset="ultrafast", overwrite=True,
                              checkpoint_every=1, handle_sigint=False)
    started = time.perf_counter()
    render(manifest, settings, backend, video_path=video)
    return time.perf_counter() - started


def bare_calls(pipe, video: Path, frames: int, steps: int) -> float:
    """The pipeline alone: same frames (decoded beforehand), prompt embeddings (encoded beforehand, as the
    backend's cache does), strength and steps, one seeded call per frame."""
    info = probe_video(video, fps=10)
    with VideoReader(info) as reader:
        images = [Image.fromarray(frame) for frame in reader][:frames]
    embeds, negative = pipe.encode_prompt(prompt=PROMPT, device=pipe.device, num_images_per_prompt=1,
                                          do_classifier_free_guidance=True, negative_prompt="blurry")
    started = time.perf_counter()
    for f, image in enumerate(images):
        pipe(prompt_embeds=embeds, negative_prompt_embeds=negative, image=image, strength=STRENGTH,
             guidance_scale=7.0, num_inference_steps=steps, generator=torch.Generator("cpu").manual_seed(1000 + f),
             output_type="np")
    return time.perf_counter() - started


def ray_rate(model: Path, steps: int, workers: int, manifest: dict, video: Path, folder: Path) -> float:
    from lib_parseq.backends.diffusers_ray import RayBackend

    backend = RayBackend.start(DiffusersOptions(model=str(model), steps=steps, device="cpu"), workers=workers)
    try:
        timed_render(manifest, video, backend, folder, f"ray{workers}")  # warm-up (workers' first calls)
        return len(manifest["rendered_frames"]) / timed_render(manifest, video, backend, folder, f"ray{workers}")
    finally:
        backend.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=16)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3, help="alternating runs of each side; the best counts")
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="parseq-bench-"))
    model = save_tiny_pipeline(folder / "tiny")
    manifest, video = make_inputs(folder, args.frames, args.size)
    backend = DiffusersBackend.from_options(DiffusersOptions(model=str(model), steps=args.steps))
    print(f"device {backend.device}, {args.frames} frames {args.size}x{args.size}, {args.steps} steps, "
          f"strength {STRENGTH}, torch threads {torch.get_num_threads()}")

    timed_render(manifest, video, backend, folder, "warm")
    bare_calls(backend.pipe, video, 2, args.steps)
    bare_runs, our_runs, bare_cpu, our_cpu = [], [], [], []
    for _ in range(args.runs):  # alternated, so a busy moment on a shared machine hits both sides
        started = time.process_time()
        bare_runs.append(bare_calls(backend.pipe, video, args.frames, args.steps))
        bare_cpu.append(time.process_time() - started)
        started = time.process_time()
        our_runs.append(timed_render(manifest, video, backend, folder, "ours"))
        our_cpu.append(time.process_time() - started)  # this process only (ffmpeg encodes in its own)
    bare, ours = min(bare_runs), min(our_runs)
    overhead = ours / bare - 1
    cpu_overhead = min(our_cpu) / min(bare_cpu) - 1
    print(f"1. per frame: bare pipeline {1000 * bare / args.frames:.1f} ms, render loop "
          f"{1000 * ours / args.frames:.1f} ms, overhead {100 * overhead:+.1f} % (target < "
          f"{100 * TARGET_OVERHEAD:.0f} %) {'OK' if overhead < TARGET_OVERHEAD else 'OVER'}; CPU time per frame "
          f"{1000 * min(bare_cpu) / args.frames:.1f} vs {1000 * min(our_cpu) / args.frames:.1f} ms "
          f"({100 * cpu_overhead:+.1f} %)")

    backend.max_batch = 4
    exact_runs, fast_runs = [], []
    for _ in range(args.runs):
        backend.exact_batches = True
        exact_runs.append(timed_render(manifest, video, backend, folder, "batch4"))
        backend.exact_batches = False
        fast_runs.append(timed_render(manifest, video, backend, folder, "batch4"))
    exact, fast = min(exact_runs), min(fast_runs)
    print(f"2. batch 1: {args.frames / ours:.2f} frames/s; batch 4 exact: {args.frames / exact:.2f} frames/s "
          f"(ratio {ours / exact:.2f}x); batch 4 one UNet call: {args.frames / fast:.2f} frames/s "
          f"(ratio {ours / fast:.2f}x)")
    backend.exact_batches = True

    if not args.no_ray:
        import ray

        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
                 runtime_env={"env_vars": {"PYTHONPATH": str(REPO)}})
        try:
            one = ray_rate(model, args.steps, 1, manifest, video, folder)
            two = ray_rate(model, args.steps, 2, manifest, video, folder)
        finally:
            ray.shutdown()
        print(f"3. Ray 1 worker: {one:.2f} frames/s, 2 workers: {two:.2f} frames/s, ratio {two / one:.2f}x")
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
