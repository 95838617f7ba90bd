"""Benchmark: the default ``render --dry-run`` (resume state on) against the code before issue 13, one run.

The issue's case: 120 frames of loopback with 3 blended frames, 3D rotation and a 4-frame colour window, from
the example init image, at 512×512 and 1024×1024. Each render runs the CLI command with its defaults in a
fresh process, timed from the command's start to its end after the imports (start-up is measured by
``benchmarks/cli.py``): the process first renders 2 frames untimed, so what either tree imports lazily is
loaded before the clock starts. The baseline is the same command on ``lib_parseq`` as of
``baseline.BASELINE_COMMIT``.
Runs alternate between the two trees so load from other processes hits both alike; the best of each counts.
The load average is printed with each size (absolute figures mean little on a busy machine; the ratio and the
CPU time per frame are steadier). Targets: ≥ 120 frames/s at 512² (≥ 2.4× the baseline), ≥ 35 frames/s at
1024². The default resume state of the dry run is "segments" (issue 13); the baseline kept a PNG per frame.

    .venv/bin/python benchmarks/dry_run.py [--rounds 3] [--frames 120] [--sizes 512,1024]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from baseline import REPO, baseline_tree

TARGETS = {512: 120.0, 1024: 35.0}
TARGET_RATIO = 2.4

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {tree!r}); sys.path.insert(0, {examples!r})
import lib_parseq.render, tqdm  # the imports are start-up, not throughput
from lib_parseq.cli import build_parser
warm = build_parser().parse_args({warm_argv!r})
warm.func(warm)  # 2 frames, untimed: whatever the command imports lazily
args = build_parser().parse_args({argv!r})
def cpu():
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                               resource.getrusage(resource.RUSAGE_CHILDREN)))
cpu_before, started = cpu(), time.perf_counter()
code = args.func(args)
print(json.dumps({{"seconds": time.perf_counter() - started, "cpu": cpu() - cpu_before, "code": code}}))
"""


def manifest(count: int) -> dict:
    """Loopback 3, zoom + rotation + pan + 3D rotation, colour window 4."""
    frames = [{"frame": f, "angle": 0.5 * f, "zoom": 1 + 0.002 * f, "translation_x": 0.3 * f,
               "rotation_3d_y": 3 * math.sin(f / 10), "loopback_frames": 3, "loopback_decay": 0.3}
              for f in range(count)]
    return {"options": {"output_fps": 20, "cc_window_width": 4, "cc_window_slide_rate": 1},
            "rendered_frames": frames}


def frames_per_second(tree: Path, folder: Path, size: int, count: int) -> tuple[float, float]:
    """Frames per second of wall time, and CPU milliseconds per frame (the process and its ffmpeg)."""
    argv = ["render", str(folder / "doc.json"), "--init", str(folder / "init.png"), "-o", str(folder / f"out-{size}.mp4"),
            "--dry-run", "--size", f"{size}x{size}", "--overwrite", "--quiet"]
    warm_argv = ["render", str(folder / "warm.json"), "--init", str(folder / "init.png"), "-o",
                 str(folder / f"warm-{size}.mp4"), "--dry-run", "--size", f"{size}x{size}", "--overwrite", "--quiet"]
    code = CHILD.format(tree=str(tree), examples=str(REPO / "examples"), argv=argv, warm_argv=warm_argv)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=folder)
    if done.returncode != 0:
        raise SystemExit(f"the render failed in {tree}: {done.stderr.strip()}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["code"] == 0, done.stderr
    return count / report["seconds"], 1000 * report["cpu"] / count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--frames", type=int, default=120)
    parser.add_argument("--sizes", default=",".join(str(size) for size in TARGETS),
                        help="square sizes to run (default 512,1024)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    sys.path.insert(0, str(REPO / "examples"))
    from make_init import draw_init

    met = True
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "doc.json").write_text(json.dumps(manifest(args.frames)))
        (folder / "warm.json").write_text(json.dumps(manifest(2)))
        draw_init(1024).save(folder / "init.png")
        baseline = baseline_tree(folder / "baseline")
        print(f"render --dry-run, defaults, {args.frames} frames; best of {args.rounds} alternating runs; "
              f"baseline {'lib_parseq at ' + baseline.name if baseline else 'unavailable (no git history)'}")
        print(f"{'size':>9} {'now':>9} {'before':>9} {'ratio':>7}   target")
        cpu_rows = []
        for size in sizes:
            target = TARGETS.get(size, float("nan"))
            load_before = os.getloadavg()[0]
            now, before, now_cpu, before_cpu = [], [], [], []
            for _ in range(args.rounds):
                fps, cpu = frames_per_second(REPO, folder, size, args.frames)
                now.append(fps)
                now_cpu.append(cpu)
                if baseline is not None:
                    fps, cpu = frames_per_second(baseline, folder, size, args.frames)
                    before.append(fps)
                    before_cpu.append(cpu)
            cpu_rows.append((size, min(now_cpu), min(before_cpu) if before_cpu else float("nan")))
            best = max(now)
            ratio = best / max(before) if before else float("nan")
            before_text = f"{max(before):9.1f}" if before else f"{'-':>9}"
            ok = best >= target and (size != 512 or not before or ratio >= TARGET_RATIO)
            met = met and ok
            print(f"{size:>4}x{size:<4} {best:9.1f} {before_text} {ratio:6.2f}x   >= {target:g} frames/s"
                  f"{f', >= {TARGET_RATIO}x' if size == 512 else ''}  {'met' if ok else 'NOT met'}  "
                  f"(runs: {', '.join(f'{v:.0f}' for v in now)} vs {', '.join(f'{v:.0f}' for v in before)}; "
                  f"load average {load_before:.1f} -> {os.getloadavg()[0]:.1f})")
        print("\nCPU per frame (render process + ffmpeg, user + system; less sensitive to other load), best run:")
        for size, now_cpu, before_cpu in cpu_rows:
            print(f"{size:>4}x{size:<4} {now_cpu:7.1f} ms vs {before_cpu:7.1f} ms  {before_cpu / now_cpu:5.2f}x")
    print("targets met" if met else "targets NOT met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
