"""Benchmark: whole CLI processes — ``compile`` of the ``benchmarks/compile.py`` document, and the start-up of
``eval``, ``check`` and ``render`` on tiny inputs — against the code before issue 13, in one run.

Each figure is a fresh ``python -m lib_parseq …`` process (the machine's real cost: imports, work, writing),
minus a bare ``python -c pass`` measured alongside ("beyond start-up"). The baseline runs the same command on
``lib_parseq`` as of ``baseline.BASELINE_COMMIT``; each tree runs once untimed first (bytecode caches), then
the runs alternate so load from other processes hits both alike; the median of each counts. The compile
outputs of both trees are compared as JSON values (``meta.generated_at`` aside). The processes run with
bytecode caching on, as an installed extension does (``PYTHONDONTWRITEBYTECODE`` is dropped for them: with it,
every run would compile ``lib_parseq`` from source, about 0.2 s that no user pays). On a busy machine wall
and CPU times swing; ``--instructions`` also counts each command's instructions under valgrind's callgrind
(slow, one run per tree, independent of load), beyond a bare ``python -c pass``.
Targets: compile ≤ 0.2 s beyond start-up and ≥ 2.3× faster than the baseline.

    .venv/bin/python benchmarks/cli.py [--runs 5] [--instructions]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from baseline import REPO, baseline_tree
from compile import build_document

TARGET_SECONDS = 0.2
TARGET_RATIO = 2.3


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], tree: Path, folder: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, with the command's own children) of one process."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    environment["PYTHONPATH"] = str(tree)
    cpu_before, started = _children_cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=folder, env=environment, capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - started, _children_cpu() - cpu_before
    if done.returncode not in (0, 1):  # check exits 1 on warnings
        raise SystemExit(f"{' '.join(command)} failed in {tree}: {done.stderr.strip()}")
    return elapsed, cpu


def instructions(command: list[str], tree: Path, folder: Path) -> int | None:
    """Instructions one process executes, counted by callgrind (None without valgrind)."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    environment["PYTHONPATH"] = str(tree)
    try:
        done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
                              cwd=folder, env=environment, capture_output=True, text=True)
    except OSError:
        return None
    counted = re.search(r"Collected : (\d+)", done.stderr)
    return int(counted.group(1)) if counted else None


def _numeric_differences(ours: object, theirs: object) -> tuple[int | None, float]:
    """How many numbers differ between two JSON values of the same shape, and the largest relative difference;
    (None, inf) when anything but a number differs."""
    pending, count, largest = [(ours, theirs)], 0, 0.0
    while pending:
        a, b = pending.pop()
        if isinstance(a, dict) and isinstance(b, dict) and list(a) == list(b):
            pending.extend((a[key], b[key]) for key in a)
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            pending.extend(zip(a, b, strict=True))
        elif isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
            if a != b:
                count += 1
                largest = max(largest, abs(a - b) / max(abs(a), abs(b)))
        elif a != b:
            return None, float("inf")
    return count, largest


def tiny_inputs(folder: Path) -> dict[str, list[str]]:
    import numpy as np
    from PIL import Image

    (folder / "tiny-doc.json").write_text(json.dumps({
        "options": {"output_fps": 10}, "managedFields": ["zoom"],
        "keyframes": [{"frame": 0, "zoom": 1}, {"frame": 5, "zoom": 2}]}))
    (folder / "tiny-manifest.json").write_text(json.dumps({
        "options": {"output_fps": 10}, "rendered_frames": [{"frame": 0, "zoom": 1}, {"frame": 1, "zoom": 1.01}]}))
    Image.fromarray(np.zeros((16, 16, 3), np.uint8)).save(folder / "tiny.png")
    return {
        "compile (10,000 frames)": ["compile", "doc.json", "-o", "manifest.json"],
        "eval (3 frames)": ["eval", "sin(p=10)", "--frames", "3"],
        "check (tiny document)": ["check", "tiny-doc.json"],
        "render (2 frames, 16x16)": ["render", "tiny-manifest.json", "--init", "tiny.png", "-o", "tiny.mp4",
                                     "--dry-run", "--overwrite", "--quiet"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--instructions", action="store_true", help="also count instructions with callgrind")
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{load:.2f}' for load in os.getloadavg())} ({os.cpu_count()} CPUs)")
    python = sys.executable
    met = True
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "doc.json").write_text(json.dumps(build_document()))
        commands = tiny_inputs(folder)
        baseline = baseline_tree(folder / "baseline")
        trees = {"now": REPO} | ({"before": baseline} if baseline else {})
        for tree in trees.values():  # bytecode caches and disk caches warm for both
            for command in commands.values():
                timed([python, "-m", "lib_parseq", *command], tree, folder)
        bare_runs = [timed([python, "-c", "pass"], REPO, folder) for _ in range(args.runs)]
        bare = statistics.median(run[0] for run in bare_runs)
        bare_cpu = statistics.median(run[1] for run in bare_runs)
        print(f"python start-up (python -c pass): {bare * 1000:.0f} ms; figures below are beyond it, "
              f"median of {args.runs} alternating runs; baseline "
              f"{'lib_parseq at ' + baseline.name if baseline else 'unavailable (no git history)'}")
        print(f"{'command':<28} {'now':>9} {'before':>9} {'ratio':>7}   {'CPU now':>9} {'before':>9} {'ratio':>7}")
        for label, command in commands.items():
            times: dict[str, list[float]] = {name: [] for name in trees}
            cpus: dict[str, list[float]] = {name: [] for name in trees}
            for _ in range(args.runs):
                for name, tree in trees.items():
                    wall, cpu = timed([python, "-m", "lib_parseq", *command], tree, folder)
                    times[name].append(wall - bare)
                    cpus[name].append(cpu - bare_cpu)
            now = statistics.median(times["now"])
            before = statistics.median(times["before"]) if "before" in times else float("nan")
            now_cpu = statistics.median(cpus["now"])
            before_cpu = statistics.median(cpus["before"]) if "before" in cpus else float("nan")
            print(f"{label:<28} {now * 1000:7.0f}ms {before * 1000:7.0f}ms {before / now:6.2f}x   "
                  f"{now_cpu * 1000:7.0f}ms {before_cpu * 1000:7.0f}ms {before_cpu / now_cpu:6.2f}x")
            if label.startswith("compile"):
                ok = now <= TARGET_SECONDS and (baseline is None or before / now >= TARGET_RATIO)
                met = met and ok
                print(f"{'':<28} target <= {TARGET_SECONDS * 1000:.0f} ms and >= {TARGET_RATIO}x: "
                      f"{'met' if ok else 'NOT met'}")
        if args.instructions:
            bare_count = instructions([python, "-c", "pass"], REPO, folder) or 0
            print(f"instructions beyond python -c pass ({bare_count / 1e6:.0f} M), callgrind, one run per tree:")
            for label, command in commands.items():
                counts = {name: instructions([python, "-m", "lib_parseq", *command], tree, folder)
                          for name, tree in trees.items()}
                if counts["now"] is None:
                    print("  valgrind is not installed")
                    break
                now_count = counts["now"] - bare_count
                before_count = (counts.get("before") or float("nan")) - bare_count
                print(f"  {label:<28} {now_count / 1e6:7.0f} M {before_count / 1e6:7.0f} M {before_count / now_count:6.2f}x")
        if baseline is not None:
            # each tree writes its own file (the timed runs all wrote manifest.json, the baseline's last)
            timed([python, "-m", "lib_parseq", "compile", "doc.json", "-o", "now.json"], REPO, folder)
            ours = json.loads((folder / "now.json").read_text())
            timed([python, "-m", "lib_parseq", "compile", "doc.json", "-o", "before.json"], baseline, folder)
            theirs = json.loads((folder / "before.json").read_text())
            for manifest in (ours, theirs):
                manifest.get("meta", {}).pop("generated_at", None)
            same = ours == theirs
            print(f"compile outputs equal as JSON values: {same}")
            if not same:
                count, largest = _numeric_differences(ours, theirs)
                close = count is not None and largest <= 1e-9
                print(f"  {count} numbers differ, by at most {largest:.1e} relative; structure and all else equal"
                      if count is not None else "  they differ beyond numbers")
                if close:
                    print("  (the natural spline's slopes are solved by a Thomas loop since issue 13 instead of scipy's "
                          "banded solver: rounding differences in its values and in the deltas of them)")
                met = met and close
    print("targets met" if met else "targets NOT met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
