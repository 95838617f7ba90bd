"""``parseq eval``: evaluate one expression over a range of frames (spec §9), or a stream of JSON-lines requests.

    parseq eval 'sin(p=4b, a=2)' --frames 60 --keyframes 0=5,30=0,59=10 --fps 30 --bpm 140
    parseq eval --jsonl < requests.jsonl     # {"expr", "frames", "keyframes", "fps", "bpm", "info"} per line

Each answer is ``{"values": [...]}`` or ``{"error": "..."}``; non-finite numbers are written as ``null``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

MAX_FRAMES = 100_000
DEFAULT_FPS = 30.0
DEFAULT_BPM = 140.0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("eval", help="evaluate a Parseq expression over frames and print a JSON array",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("expr", nargs="?", help="the expression (omit with --jsonl)")
    parser.add_argument("--frames", type=int, default=None, help="number of frames (default: last keyframe + 1)")
    parser.add_argument("--keyframes", default="0=0", help="the field's keyframes as FRAME=VALUE,... (default 0=0)")
    parser.add_argument("--fps", type=float, default=DEFAULT_FPS, help="output frames per second (default 30)")
    parser.add_argument("--bpm", type=float, default=DEFAULT_BPM, help="beats per minute (default 140)")
    parser.add_argument("--jsonl", action="store_true", help="read JSON-lines requests on stdin, answer one line each")
    parser.set_defaults(func=run)


def _keyframes_option(text: str) -> list[list[float]]:
    from lib_parseq.errors import DocumentError

    pairs = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        frame, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            pairs.append([int(frame), float(value)])
        except ValueError:
            raise DocumentError(f"--keyframes: '{item}' is not FRAME=VALUE (e.g. 0=5,10=1)") from None
    return pairs


def _json_value(v: Any) -> Any:
    if isinstance(v, str):
        return v
    v = float(v)
    if not math.isfinite(v):
        return None
    if v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v


def evaluate_request(request: Any) -> list:
    """Evaluate one request object; raises a ParseqError for a bad request or a failing expression."""
    import numpy as np

    from lib_parseq.errors import DocumentError
    from lib_parseq.language import FieldProgram, KeyframeInfo, Timing, evaluate_field

    if not isinstance(request, dict):
        raise DocumentError("a request must be a JSON object")
    expr = request.get("expr")
    if not isinstance(expr, str):
        raise DocumentError("'expr' must be a string", path="$.expr")
    raw_keyframes = request.get("keyframes", [[0, 0]])
    if not isinstance(raw_keyframes, list) or not all(
        isinstance(kf, list) and len(kf) == 2 and all(_is_number(x) for x in kf) for kf in raw_keyframes
    ):
        raise DocumentError("'keyframes' must be a list of [frame, value] pairs of numbers", path="$.keyframes")
    defined: dict[int, float] = {}
    for frame, value in raw_keyframes:
        if frame != int(frame) or frame < 0:
            raise DocumentError(f"keyframe frame {frame} is not a non-negative integer", path="$.keyframes")
        defined[int(frame)] = float(value)
    info = request.get("info") or {}
    if not isinstance(info, dict):
        raise DocumentError("'info' must be an object {\"<frame>\": \"label\"}", path="$.info")
    labels: dict[int, str] = {}
    for key, label in info.items():
        try:
            labels[int(key)] = str(label)
        except ValueError:
            raise DocumentError(f"info key {key!r} is not a frame number", path="$.info") from None
    last = max([*defined, *labels], default=0)
    frames = request.get("frames", last + 1)
    if not _is_number(frames) or frames != int(frames) or frames < 0:
        raise DocumentError("'frames' must be a non-negative integer", path="$.frames")
    if frames > MAX_FRAMES:
        raise DocumentError(f"'frames' is {int(frames)}; the limit is {MAX_FRAMES}", path="$.frames")
    fps, bpm = request.get("fps", DEFAULT_FPS), request.get("bpm", DEFAULT_BPM)
    if not _is_number(fps) or fps <= 0 or not _is_number(bpm) or bpm <= 0:
        raise DocumentError("'fps' and 'bpm' must be positive numbers")
    keyframes = [KeyframeInfo(frame, labels.get(frame)) for frame in sorted({*defined, *labels})]
    program = FieldProgram("value", int(frames), sorted(defined.items()), [(0, expr)], 0.0)
    result = evaluate_field(program, timing=Timing(float(fps), float(bpm)), keyframes=keyframes, other_fields={})
    return [_json_value(v) for v in np.asarray(result.raw).tolist()]


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def answer_line(line: str) -> str:
    """One JSON-lines answer: ``{"values": [...]}`` or ``{"error": "..."}`` (the ``eval --jsonl`` code path)."""
    from lib_parseq.errors import ParseqError
    from lib_parseq.json_input import parse_json_text

    try:
        request = parse_json_text(line, origin="the request")
    except ParseqError as exc:
        return json.dumps({"error": f"invalid JSON request: {exc.message}"})
    try:
        return json.dumps({"values": evaluate_request(request)}, allow_nan=False)
    except ParseqError as exc:
        return json.dumps({"error": str(exc)})


def run(args: argparse.Namespace) -> int:
    from lib_parseq.errors import DocumentError

    if args.jsonl:
        if args.expr is not None:
            raise DocumentError("give either an expression or --jsonl, not both")
        for line in sys.stdin:
            if line.strip():
                print(answer_line(line), flush=True)
        return 0
    if args.expr is None:
        raise DocumentError("no expression given (or use --jsonl to read requests from stdin)")
    request: dict[str, Any] = {"expr": args.expr, "keyframes": _keyframes_option(args.keyframes),
                               "fps": args.fps, "bpm": args.bpm}
    if args.frames is not None:
        request["frames"] = args.frames
    print(json.dumps(evaluate_request(request), allow_nan=False))
    return 0
