"""Benchmark (opt-in, issue 9): prompt travel in embedding mode against composable mode in a real A1111.

With 2 and 4 active prompts in every frame (equal weights), the same manifest is rendered through the Parseq
script in composable mode (A1111's AND: one UNet batch row per prompt, plus the uncond row) and in embedding mode
(one blended cond row plus the uncond row), alternating, in one run. The test-only recorder extension of the
real-host suite counts the UNet calls and their batch rows and times each UNet call, so "sampling time" is the UNet
time per frame; the wall time per frame (the whole img2img request: VAE, saving, the video) is printed too.
Target: embedding ≤ 1/N of composable's UNet work for the prompts.

Starts the webui the way the real-host suite does (``tests/real_host/webui_host.py``; the same environment
variables), or reuses ``PARSEQ_REAL_WEBUI_URL`` (UNet counts need the recorder extension loaded there):

    PARSEQ_REAL_WEBUI=/path/to/a1111 .venv/bin/python benchmarks/real_host_travel.py [--size 128] [--steps 8]
        [--frames 2] [--runs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "real_host"))

from parseq_script import first_infotext, img2img, parseq_script_info  # noqa: E402
from webui_client import video_note  # noqa: E402
from webui_host import webui_host  # noqa: E402

PROMPTS = ["a red fox", "a grey wolf", "a white owl", "a green frog"]
STRENGTH = 0.75
MODES = ("composable", "embedding")


def manifest(prompts: int, frames: int) -> dict:
    """``frames`` frames whose prompt has ``prompts`` parts of equal weight (the weights shift a little per frame)."""
    rendered = []
    for f in range(frames):
        weights = [1.0 + 0.1 * ((f + i) % prompts) for i in range(prompts)]
        text = " AND ".join(f"{PROMPTS[i]} :{w:g}" for i, w in enumerate(weights))
        rendered.append({"frame": f, "seed": 4000 + f, "scale": 7, "strength": STRENGTH, "deforum_prompt": text})
    return {"options": {"output_fps": 10}, "managedFields": ["seed", "scale", "strength"], "rendered_frames": rendered}


def measure(host, info, prompts: int, mode: str, args) -> dict:
    """One render: wall seconds per frame, and per frame the UNet calls, rows and seconds (None without recorder)."""
    recorder = host.has_recorder
    if recorder:
        host.unet_calls()
    started = time.perf_counter()
    response = img2img(host.client, info, manifest(prompts, args.frames), steps=args.steps, size=args.size,
                       **{"Prompt blending": mode, "Embedding blend method": "lerp"})
    wall = time.perf_counter() - started
    note = video_note(first_infotext(response))
    if note["written"] != args.frames:
        raise SystemExit(f"the {mode} render wrote {note['written']} of {args.frames} frames: {first_infotext(response)}")
    result = {"wall": wall / args.frames, "calls": None, "rows": None, "cond_rows": None, "unet": None}
    if recorder:
        calls = host.unet_calls()
        result.update(calls=len(calls) / args.frames, rows=sum(len(c["rows"]) for c in calls) / args.frames,
                      cond_rows=sum(len(c["rows"]) - 1 for c in calls) / args.frames,
                      unet=sum(c.get("seconds", 0.0) for c in calls) / args.frames)
    return result


def median(runs: list[dict], key: str) -> float | None:
    values = [run[key] for run in runs if run[key] is not None]
    return statistics.median(values) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=128, help="width and height in pixels (default 128)")
    parser.add_argument("--steps", type=int, default=8, help="sampling steps (default 8; img2img runs strength × steps)")
    parser.add_argument("--frames", type=int, default=2, help="frames per render (default 2)")
    parser.add_argument("--runs", type=int, default=2, help="renders per mode and prompt count (default 2; medians)")
    args = parser.parse_args()
    if not os.environ.get("PARSEQ_REAL_WEBUI"):
        raise SystemExit("set PARSEQ_REAL_WEBUI to a webui checkout with its venv (see README, Real-host suite)")
    with tempfile.TemporaryDirectory() as settings, webui_host(Path(settings)) as host:
        if host.kind != "a1111":
            raise SystemExit("embedding travel runs on A1111 only (Forge falls back to composable)")
        info = parseq_script_info(host.client)
        img2img(host.client, info, manifest(1, 1), steps=2, size=args.size)  # warm-up (and wakes the recorder)
        figures = {}
        for prompts in (2, 4):
            runs = {mode: [] for mode in MODES}
            for _ in range(args.runs):
                for mode in MODES:
                    runs[mode].append(measure(host, info, prompts, mode, args))
            figures[prompts] = {mode: {key: median(runs[mode], key) for key in runs[mode][0]} for mode in MODES}
    load = os.getloadavg()
    print(f"A1111 on CPU, {args.size}x{args.size}, {args.steps} steps at strength {STRENGTH}, {args.frames} frames per "
          f"render, medians of {args.runs}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for prompts, modes in figures.items():
        comp, emb = modes["composable"], modes["embedding"]
        print(f"\n{prompts} prompts               composable   embedding   embedding/composable")
        for key, label, unit in (("unet", "UNet time per frame", "s"), ("wall", "wall time per frame", "s"),
                                 ("calls", "UNet calls per frame", ""), ("rows", "UNet rows per frame", ""),
                                 ("cond_rows", "cond rows per frame", "")):
            if comp[key] is None:
                continue
            ratio = emb[key] / comp[key] if comp[key] else float("nan")
            print(f"  {label:<22} {comp[key]:>9.2f}{unit:<1}  {emb[key]:>9.2f}{unit:<1}   {ratio:.3f} (1/N = {1 / prompts:.3f})")
    print("\n" + json.dumps({"load_average": load, "args": vars(args), "figures": figures}))


if __name__ == "__main__":
    main()
