"""Benchmark: compile a 20-field × 50-keyframe × 10,000-frame document.

Times ``compile_document`` (vectorised evaluation, best of a few runs) against the same document evaluated
by the language's per-frame tree-walking reference evaluator, measured in the same run, and prints both
times and the ratio. Targets: compile under 0.3 s, at least 20× faster than the per-frame walk.

Second case: the same document with two ``${…}`` in its prompts (a field and a ``posneg`` of an
oscillator). Times the prompt column built by evaluating each ``${…}`` once over all frames against the
same column with every ``${…}`` evaluated frame by frame, and the whole compile. Target: under 0.5 s.

    .venv/bin/python benchmarks/compile.py [--runs 5] [--baseline-runs 1]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib_parseq.language import evaluate_field_per_frame  # noqa: E402
from lib_parseq.schedules import compile_document, load_document  # noqa: E402
from lib_parseq.schedules.compiler import evaluate_fields, prompt_column  # noqa: E402

FIELDS = 20
KEYFRAMES = 50
FRAMES = 10_000
TARGET_SECONDS = 0.3
TARGET_RATIO = 20.0
PROMPT_TARGET_SECONDS = 0.5
PROMPT_POSITIVE = 'a cat ${prompt_weight_1} ${posneg("dog", sin(p=50))}'

EXPRESSIONS = (
    "sin(p=4b, a=2) + L",
    'bez(curve="easeInOut3")',
    "if f > 5000 1 else 0.5",
    "C",
    "tri(p=100, a=0.5, c=S)",
    "L * saw(p=2s) + 0.1",
    "bez(x1=0.2, y1=0.8) * if (f % 100 < 50) 1 else -1",
    "P * 0 + C * 0.5 + sq(p=30, a=0.1)",
    "pulse(p=50, pw=10) + max(L, 0.2)",
    "round(C, 2) + abs(sin(p=1000))",
)


def build_document() -> dict:
    """20 fields with mixed expressions, 50 keyframes spread over 10,000 frames, every field valued."""
    names = [f"field_{i:02d}" for i in range(FIELDS)]
    step = (FRAMES - 1) / (KEYFRAMES - 1)
    keyframes = []
    for index in range(KEYFRAMES):
        frame = round(index * step)
        keyframe: dict = {"frame": frame}
        for number, name in enumerate(names):
            keyframe[name] = ((index * 7 + number * 3) % 11) / 5.0
            if index % 10 == 0:
                keyframe[f"{name}_i"] = EXPRESSIONS[(number + index // 10) % len(EXPRESSIONS)]
        keyframes.append(keyframe)
    # a few cross-field references keep the dependency ordering honest
    keyframes[0]["field_19_i"] = "field_00 * 0.5 + field_01"
    return {
        "options": {"output_fps": 30, "bpm": 120},
        "managedFields": names,
        "keyframes": keyframes,
        "prompts": {"format": "v2", "enabled": True,
                    "promptList": [{"positive": "a cat", "negative": "blurry", "allFrames": True}]},
    }


def build_prompt_document() -> dict:
    """The benchmark document plus a ``prompt_weight_1`` field and two ``${…}`` in the positive prompt."""
    document = build_document()
    document["managedFields"] = [*document["managedFields"], "prompt_weight_1"]
    document["keyframes"][0]["prompt_weight_1"] = 0.0
    document["keyframes"][0]["prompt_weight_1_i"] = "0.5 + 0.5 * sin(p=300)"
    document["keyframes"][-1]["prompt_weight_1"] = 1.0
    document["prompts"]["promptList"][0]["positive"] = PROMPT_POSITIVE
    return document


def best_of(runs: int, action) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline-runs", type=int, default=1)
    args = parser.parse_args()

    source = build_document()
    document = load_document(source)
    manifest = compile_document(document)
    assert len(manifest["rendered_frames"]) == FRAMES

    compile_time = best_of(args.runs, lambda: compile_document(document))
    evaluation_time = best_of(args.runs, lambda: evaluate_fields(document))
    baseline_time = best_of(args.baseline_runs, lambda: evaluate_fields(document, evaluator=evaluate_field_per_frame))
    ratio = baseline_time / compile_time

    print(f"document: {FIELDS} fields x {KEYFRAMES} keyframes x {FRAMES:,} frames")
    print(f"compile_document (vectorised, whole manifest): {compile_time:.3f} s  (target < {TARGET_SECONDS} s)")
    print(f"  of which field evaluation:                  {evaluation_time:.3f} s")
    print(f"per-frame tree-walking evaluation (fields only): {baseline_time:.3f} s")
    print(f"ratio: {ratio:.1f}x  (target >= {TARGET_RATIO:.0f}x)")
    met = compile_time < TARGET_SECONDS and ratio >= TARGET_RATIO

    prompt_document = load_document(build_prompt_document())
    values = evaluate_fields(prompt_document)
    batched = prompt_column(prompt_document, values)
    assert batched == prompt_column(prompt_document, values, per_frame=True)
    prompt_compile_time = best_of(args.runs, lambda: compile_document(prompt_document))
    batched_time = best_of(args.runs, lambda: prompt_column(prompt_document, values))
    per_frame_time = best_of(args.baseline_runs, lambda: prompt_column(prompt_document, values, per_frame=True))
    print()
    print(f"prompts: {PROMPT_POSITIVE!r} over {FRAMES:,} frames")
    print(f"prompt column, each ${{…}} evaluated once over all frames: {batched_time:.3f} s")
    print(f"prompt column, each ${{…}} evaluated frame by frame:      {per_frame_time:.3f} s")
    print(f"ratio: {per_frame_time / batched_time:.1f}x")
    print(f"compile_document with these prompts: {prompt_compile_time:.3f} s  (target < {PROMPT_TARGET_SECONDS} s)")
    met = met and prompt_compile_time < PROMPT_TARGET_SECONDS
    print("targets met" if met else "targets NOT met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
