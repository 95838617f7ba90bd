"""``parseq check FILE...``: report every problem in a document or manifest, without rendering anything.

Each problem is printed with its JSON path and a plain-words message. A keyframe document with no errors is
also compiled, so expression errors (field, frame, line:column) show up too. Exit status: 0 clean,
1 warnings only, 2 errors.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

EXIT_CLEAN = 0
EXIT_WARNINGS = 1
EXIT_ERRORS = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="validate documents or manifests and report every problem (exit 0 clean, 1 warnings, 2 errors)",
        description="Validate Parseq keyframe documents or rendered manifests (files, URLs or '-' for stdin) "
        "and list every problem with its JSON path. Keyframe documents are also compiled.",
    )
    parser.add_argument("sources", nargs="+", metavar="FILE", help="a JSON file, an http(s) URL, or - for stdin")
    parser.add_argument("--max-frames", type=int, default=100_000, help="frame cap for documents (default 100000)")
    parser.add_argument("--no-compile", action="store_true", help="only validate; do not compile keyframe documents")
    parser.add_argument("--allow-private", action="store_true",
                        help="allow URLs on loopback/private addresses (off by default)")
    parser.add_argument("--json", action="store_true", help="print the problems as JSON lines")
    parser.set_defaults(func=run)


def _keyframe_path(obj: Any, error: Any) -> str:
    """The JSON path of the cell that declared a failing expression, as closely as the error tells."""
    field = getattr(error, "field", None)
    keyframes = obj.get("keyframes") if isinstance(obj, dict) else None
    match = re.search(r"from keyframe (\d+)", getattr(error, "source", None) or "")
    if field and isinstance(keyframes, list) and match:
        frame = int(match.group(1))
        for index, keyframe in enumerate(keyframes):
            if isinstance(keyframe, dict) and keyframe.get("frame") == frame:
                return f"$.keyframes[{index}].{field}_i"
    if error.path and str(error.path).startswith("$"):
        return str(error.path)
    return "$.keyframes" if field else "$"


def _compile_problems(obj: dict, max_frames: int) -> list:
    """Compile a valid keyframe document; its ParseErrors/EvalErrors become problems (none when it compiles)."""
    from lib_parseq.errors import ParseqError
    from lib_parseq.schedules.validate_problems import Problem

    try:
        from lib_parseq.schedules import compile_document, load_document
    except ImportError:
        return []
    try:
        compile_document(load_document(obj, max_frames=max_frames), max_frames=max_frames)
    except ParseqError as error:
        text = error.headline()
        excerpt = error.excerpt()
        if error.line is not None and not excerpt:
            text += f" (at {error.line}:{error.column or 1})"
        message = f"{text}\n{excerpt}" if excerpt else text
        return [Problem("error", _keyframe_path(obj, error), message)]
    except RecursionError:
        return [Problem("error", "$", "an expression is nested too deeply to compile")]
    return []


def _load(source: str, allow_private: bool) -> Any:
    from pathlib import Path

    from lib_parseq.json_input import read_json_file, read_json_object

    if source == "-":
        return read_json_file("-")
    if re.match(r"(?i)^https?://", source):
        from lib_parseq.net import load_manifest_source

        return load_manifest_source(source, allow_private=allow_private)
    return read_json_object(Path(source))


def check_source(source: str, *, max_frames: int = 100_000, compile_documents: bool = True,
                 allow_private: bool = False) -> tuple[str, list]:
    """(kind, problems) for one source; kind is "document", "manifest" or "unreadable"."""
    from lib_parseq.errors import DocumentError
    from lib_parseq.schedules.validate import is_manifest, validate_document, validate_manifest
    from lib_parseq.schedules.validate_problems import Problem

    try:
        obj = _load(source, allow_private)
    except DocumentError as error:
        return "unreadable", [Problem("error", "$", error.message)]
    if not isinstance(obj, dict):
        return "unreadable", [Problem("error", "$", "must be a JSON object (a Parseq document or manifest)")]
    if is_manifest(obj):
        return "manifest", validate_manifest(obj, max_frames=max_frames)
    problems = validate_document(obj, max_frames=max_frames)
    if compile_documents and not any(p.severity == "error" for p in problems):
        problems += _compile_problems(obj, max_frames)
    return "document", problems


def _summary(problems: list) -> str:
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if not problems:
        return "OK"
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts)


def run(args: argparse.Namespace) -> int:
    worst = EXIT_CLEAN
    for source in args.sources:
        kind, problems = check_source(source, max_frames=args.max_frames, compile_documents=not args.no_compile,
                                      allow_private=args.allow_private)
        if args.json:
            for problem in problems:
                print(json.dumps({"source": source, "kind": kind, "severity": problem.severity,
                                  "path": problem.path, "message": problem.message}, ensure_ascii=False))
        else:
            print(f"{source}: {kind}: {_summary(problems)}")
            for problem in problems:
                lines = problem.message.split("\n")
                print(f"  {problem.severity:<7} {problem.path}: {lines[0]}")
                for extra in lines[1:]:
                    print(f"          {extra}")
        if any(p.severity == "error" for p in problems):
            worst = EXIT_ERRORS
        elif problems:
            worst = max(worst, EXIT_WARNINGS)
    if worst == EXIT_ERRORS and not args.json:
        print("check: errors found", file=sys.stderr)
    return worst
