"""``parseq plot DOC_OR_MANIFEST.json -o schedules.png``: one small chart per animated field and time series.

Keyframes labelled ``beat``/``downbeat`` (what ``parseq audio`` adds) are drawn as vertical markers on every
chart: dotted for beats, solid for downbeats.
"""

from __future__ import annotations

import argparse
import io
import math
import re
import sys
from pathlib import Path

from lib_parseq.errors import RenderError

COLUMNS = 3
CHART_SIZE = (4.0, 2.2)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "plot",
        help="draw every animated (non-constant) field of a document or manifest to a PNG",
        description="Compile a keyframe document (or read a manifest) and draw one small chart per field "
        "whose value changes over the render, with its keyframes marked, and one per time series; "
        "keyframes labelled beat/downbeat are drawn as vertical markers.",
    )
    parser.add_argument("source", metavar="DOC_OR_MANIFEST.json", help="a keyframe document or manifest (- for stdin)")
    parser.add_argument("-o", "--output", default="schedules.png", metavar="schedules.png", help="the image to write")
    parser.add_argument("--fields", default=None,
                        help="comma-separated field or time-series names (default: every animated field and series)")
    parser.add_argument("--max-frames", type=int, default=100_000, help="frame cap when compiling (default 100000)")
    parser.add_argument("--seed", type=int, default=None, help="seed for unseeded random functions when compiling")
    parser.set_defaults(func=run)


def _series(frames: list[dict], name: str) -> list[float]:
    values = []
    for frame in frames:
        value = frame.get(name)
        values.append(float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else math.nan)
    return values


def _animated_fields(manifest: dict) -> list[str]:
    """Managed fields whose values are not all the same (NaN counts as a change)."""
    frames = manifest["rendered_frames"]
    names = manifest.get("managedFields") or [
        key for key in frames[0] if key != "frame" and not key.endswith(("_delta", "_pc"))
        and isinstance(frames[0][key], (int, float, type(None)))
    ]
    animated = []
    for name in names:
        values = _series(frames, name)
        finite = [v for v in values if not math.isnan(v)]
        if len(finite) != len(values) or (finite and min(finite) != max(finite)):
            animated.append(name)
    return animated


def beat_markers(manifest: dict) -> tuple[list[int], list[int]]:
    """(beat frames, downbeat frames): keyframes whose ``info`` has the word beat / downbeat."""
    beats, downbeats = [], []
    for keyframe in manifest.get("keyframes") or []:
        if not isinstance(keyframe, dict) or not isinstance(keyframe.get("frame"), int):
            continue
        info = keyframe.get("info") if isinstance(keyframe.get("info"), str) else ""
        if re.search(r"\bdownbeat\b", info):
            downbeats.append(keyframe["frame"])
        elif re.search(r"\bbeat\b", info):
            beats.append(keyframe["frame"])
    return sorted(beats), sorted(downbeats)


def time_series_samples(manifest: dict) -> dict[str, tuple[list[float], list[float]]]:
    """Each time series' samples as (frames, values); millisecond series are converted to frames."""
    fps = float((manifest.get("options") or {}).get("output_fps") or 20)
    out = {}
    for entry in manifest.get("timeSeries") or []:
        ts = entry.get("ts") if isinstance(entry, dict) else None
        if not isinstance(ts, dict) or not isinstance(entry.get("alias"), str):
            continue
        scale = fps / 1000.0 if ts.get("timestampType") == 1 else 1.0
        points = sorted((float(p["x"]) * scale, float(p["y"])) for p in ts.get("data") or [])
        out[entry["alias"]] = ([x for x, _ in points], [y for _, y in points])
    return out


def _draw_markers(axis, beats: list[int], downbeats: list[int]) -> None:
    for frame in beats:
        axis.axvline(frame, color="tab:red", linewidth=0.6, linestyle=":", alpha=0.6)
    for frame in downbeats:
        axis.axvline(frame, color="tab:red", linewidth=0.9, alpha=0.8)


def run(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backend_bases import FigureCanvasBase

    from lib_parseq.atomic import write_bytes_atomic
    from lib_parseq.cli.outputs import check_output_file
    from lib_parseq.schedules import as_manifest, read_json_file

    formats = FigureCanvasBase.get_supported_filetypes()
    suffix = Path(args.output).suffix.lower().lstrip(".")
    if suffix not in formats:
        raise RenderError(f"cannot write a chart as {suffix or 'a file without an extension'}: "
                          f"use one of {', '.join('.' + f for f in sorted(formats))}", path=args.output)
    check_output_file(args.output)
    manifest = as_manifest(read_json_file(args.source), max_frames=args.max_frames, random_seed=args.seed)
    frames = manifest["rendered_frames"]
    series = time_series_samples(manifest)
    if args.fields:
        chosen = [name.strip() for name in args.fields.split(",") if name.strip()]
        missing = [name for name in chosen if name not in frames[0] and name not in series]
        if missing:
            raise RenderError(f"not in the manifest: {', '.join(missing)}")
        names = [name for name in chosen if name in frames[0]]
        series = {name: series[name] for name in chosen if name in series and name not in frames[0]}
    else:
        names = _animated_fields(manifest)
    beats, downbeats = beat_markers(manifest)
    keyframe_frames = sorted({kf.get("frame") for kf in manifest.get("keyframes") or [] if isinstance(kf, dict)
                              and isinstance(kf.get("frame"), int)})
    x = [frame.get("frame", index) for index, frame in enumerate(frames)]
    charts = len(names) + len(series)
    columns = max(1, min(COLUMNS, charts))
    rows = max(1, math.ceil(charts / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(CHART_SIZE[0] * columns, CHART_SIZE[1] * rows),
                                squeeze=False)
    for axis in axes.flat[charts:]:
        axis.set_visible(False)
    if not charts:
        axes[0][0].set_visible(True)
        axes[0][0].axis("off")
        axes[0][0].text(0.5, 0.5, "No animated fields: every field is constant.", ha="center", va="center")
    for axis, name in zip(axes.flat, names, strict=False):
        values = _series(frames, name)
        axis.plot(x, values, linewidth=1.2)
        by_frame = dict(zip(x, values, strict=True))
        marks = [frame for frame in keyframe_frames if frame in by_frame]
        axis.plot(marks, [by_frame[frame] for frame in marks], "o", markersize=3)
        axis.set_title(name, fontsize=9)
        axis.tick_params(labelsize=7)
        axis.grid(alpha=0.3)
        _draw_markers(axis, beats, downbeats)
    for axis, (alias, (xs, ys)) in zip(axes.flat[len(names):], series.items(), strict=False):
        axis.step(xs, ys, where="post", linewidth=1.0, color="tab:green")
        axis.set_title(f"{alias} (time series)", fontsize=9)
        axis.tick_params(labelsize=7)
        axis.grid(alpha=0.3)
        _draw_markers(axis, beats, downbeats)
    figure.tight_layout()
    output = Path(args.output)
    image = io.BytesIO()
    try:
        figure.savefig(image, dpi=100, format=output.suffix[1:].lower() or "png")
        write_bytes_atomic(output, image.getvalue())
    except OSError as error:
        raise RenderError(f"cannot write the image: {error.strerror or error}", path=str(output)) from None
    finally:
        plt.close(figure)
    marks = f", {len(beats) + len(downbeats)} beat marker(s)" if beats or downbeats else ""
    print(f"Wrote {output}: {len(names)} animated field(s), {len(series)} time series{marks}.", file=sys.stderr)
    return 0
