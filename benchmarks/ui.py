"""Benchmark: one live edit of a 10,000-frame document in the Parseq tab, from grid to picture.

Runs what the tab's change handler runs after a cell edit, each edit after the one before as a user types:
merge the grid into the document, compile it (incrementally from the previous edit's preview), draw the
charts (each series reduced to a per-pixel min/max envelope), build the frame table, the prompt and the
manifest preview, and encode the chart as gradio sends it. The baseline, measured in the same run, is the
same edit redrawn naively: a new matplotlib figure each time, every frame of every field drawn. A second
baseline is today's code path before issue 13 (``baseline.BASELINE_COMMIT``), the same live edit in a child
process on that tree. Targets: under 1 s per edit against the naive redraw; 0.1 s (issue 13).

    .venv/bin/python benchmarks/ui.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.environ.get("PARSEQ_BENCHMARK_TREE") or str(Path(__file__).resolve().parents[1]))

import gradio as gr  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from lib_parseq.ui import grid as grid_model  # noqa: E402
from lib_parseq.ui.document import shown_fields  # noqa: E402
from lib_parseq.ui.preview import (  # noqa: E402
    compile_manifest,
    compile_preview,
    field_series,
    frame_table,
    manifest_preview,
    prompt_at,
)
from lib_parseq.ui.prompts_table import PROMPT_HEADERS, prompts_to_rows  # noqa: E402
from lib_parseq.ui.starters import load_starter  # noqa: E402
from lib_parseq.ui.tab import _document_from_inputs  # noqa: E402

FRAMES = 10_000
TARGET_SECONDS = 1.0
LIVE_TARGET_SECONDS = 0.1
FIELDS = {
    "seed": ("S + f", 1000),
    "strength": ('bez(curve="easeInOut3")', 0.6),
    "zoom": ("1 + sin(p=4b, a=0.02)", 1),
    "angle": ("L + sin(p=300, a=2)", 0),
    "translation_x": ("tri(p=1000, a=5) + pulse(p=50, pw=5)", 0),
    "rotation_3d_y": ("C", 0.5),
}


def ten_thousand_frame_document() -> dict:
    """Six shown fields with expressions, 20 keyframes over 10,000 frames, three fading prompts."""
    doc = load_starter("Multi-prompt morph")
    keyframes = []
    for index, frame in enumerate(range(0, FRAMES, FRAMES // 20)):
        keyframe = {"frame": frame, "info": f"k{index}"}
        for field, (expression, value) in FIELDS.items():
            keyframe[field] = value if field == "seed" else value + 0.05 * (index % 3)
            if index == 0:
                keyframe[f"{field}_i"] = expression
        keyframes.append(keyframe)
    keyframes[-1]["frame"] = FRAMES - 1
    doc["keyframes"] = keyframes
    doc["managedFields"] = list(FIELDS)
    doc["displayedFields"] = list(FIELDS)
    for prompt, (start, end) in zip(doc["prompts"]["promptList"], [(0, 4000), (3000, 8000), (7000, 9999)], strict=True):
        prompt.update({"from": start, "to": end})
    return doc


def naive_chart(manifest: dict, doc: dict) -> np.ndarray:
    """The baseline redraw: a new matplotlib figure per edit, every frame of every field drawn."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    series = field_series(manifest, doc, shown_fields(doc))
    figure = Figure(figsize=(9.0, 0.6 + 1.55 * len(series)), dpi=90)
    canvas = FigureCanvasAgg(figure)
    for axes, field in zip(figure.subplots(len(series), 1, sharex=True, squeeze=False)[:, 0], series, strict=True):
        axes.plot(np.arange(field.values.size), field.values, linewidth=1.2)
        axes.plot(field.keyframe_frames, field.values[field.keyframe_frames], "o", markersize=4.5)
        axes.set_ylabel(field.name)
        axes.grid(True, alpha=0.3)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[:, :, :3].copy()


def one_edit(doc: dict, value: str, *, naive: bool, previous=None) -> tuple[float, object]:
    """Seconds for one grid edit through the functions the tab's change handler calls, given the preview of
    the previous edit as the tab keeps it (or the naive redraw); and the new preview."""
    fields = shown_fields(doc)
    headers = grid_model.grid_headers(fields)
    rows = grid_model.keyframes_to_rows(doc["keyframes"], fields)
    rows[3][headers.index("strength")] = value
    grid_value = pd.DataFrame(rows, columns=headers)
    prompts = doc["prompts"]
    prompt_rows = pd.DataFrame(prompts_to_rows(prompts), columns=PROMPT_HEADERS)
    common = prompts["commonPrompt"]
    image = gr.Image(type="numpy", interactive=False)
    start = time.perf_counter()
    updated = _document_from_inputs(
        doc, grid_value, prompt_rows, True, common["positive"], common["negative"],
        prompts["commonPromptPos"], doc["options"]["output_fps"], doc["options"]["bpm"],
    )
    preview = None
    if naive:
        source = compile_manifest(updated)
        chart = naive_chart(source, updated)
    else:
        preview = compile_preview(updated, "frames", previous=previous)
        if preview.error:
            raise SystemExit(f"the benchmark document does not compile:\n{preview.error}")
        # the tab's view functions read the compiled columns (the code before issue 13: the manifest)
        source, chart = getattr(preview, "compiled", None) or preview.manifest, preview.chart
    frame_table(source, shown_fields(updated), 0)
    prompt_at(source, 5000)
    manifest_preview(source)
    image.postprocess(chart)
    return time.perf_counter() - start, preview


def live_edits(doc: dict, runs: int) -> list[float]:
    """Seconds of ``runs`` successive live edits, each after the one before (as a user types)."""
    _, preview = one_edit(doc, "0.7", naive=False)
    times = []
    for run in range(runs):
        elapsed, preview = one_edit(doc, f"0.{5 + run % 4}", naive=False, previous=preview)
        times.append(elapsed)
    return times


def baseline_live(runs: int) -> list[float] | None:
    """The live edit on the code before issue 13, in a child process (None without git history)."""
    from baseline import baseline_tree

    with tempfile.TemporaryDirectory() as tmp:
        tree = baseline_tree(Path(tmp))
        if tree is None:
            return None
        done = subprocess.run([sys.executable, __file__, "--runs", str(runs), "--live-only"],
                              env={**os.environ, "PARSEQ_BENCHMARK_TREE": str(tree)},
                              capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--live-only", action="store_true", help="print the live edits' times as JSON (child)")
    args = parser.parse_args()
    doc = ten_thousand_frame_document()
    if args.live_only:
        print(json.dumps(live_edits(doc, args.runs)))
        return 0
    before = baseline_live(args.runs)
    live = live_edits(doc, args.runs)
    one_edit(doc, "0.7", naive=True)
    naive = [one_edit(doc, f"0.{5 + run % 4}", naive=True)[0] for run in range(args.runs)]
    live_s, naive_s = statistics.median(live), statistics.median(naive)
    print(f"load average: {' '.join(f'{load:.2f}' for load in os.getloadavg())} ({os.cpu_count()} CPUs)")
    print(f"document: {FRAMES} frames, {len(FIELDS)} shown fields, {len(doc['keyframes'])} keyframes")
    print(f"live edit (incremental, raster):  median {live_s:.3f} s  (runs: {', '.join(f'{t:.3f}' for t in live)})")
    print(f"baseline (new figure, all points): median {naive_s:.3f} s  (runs: {', '.join(f'{t:.3f}' for t in naive)})")
    print(f"speed-up: {naive_s / live_s:.2f}x; target < {TARGET_SECONDS:.1f} s: {'met' if live_s < TARGET_SECONDS else 'MISSED'}")
    if before is not None:
        before_s = statistics.median(before)
        print(f"live edit before issue 13: median {before_s:.3f} s  (runs: {', '.join(f'{t:.3f}' for t in before)}); "
              f"now {before_s / live_s:.2f}x faster")
    print(f"issue 13 target < {LIVE_TARGET_SECONDS} s: {'met' if live_s < LIVE_TARGET_SECONDS else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
