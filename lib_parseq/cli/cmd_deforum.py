"""``parseq deforum DOC_OR_MANIFEST.json``: print Deforum schedule strings (``0:(1), 30:(1.5)``) per field."""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "deforum",
        help="print Deforum schedule strings for a document's or manifest's fields",
        description="Print each field as a Deforum schedule string, keyed by its Deforum setting name. "
        "Motion fields are written as per-frame changes, as Deforum's own schedules mean them; only the "
        "frames where a field's slope changes are listed.",
    )
    parser.add_argument("source", metavar="DOC_OR_MANIFEST.json", help="a keyframe document or manifest (- for stdin)")
    parser.add_argument("--fields", default=None, help="comma-separated field names (default: all managed fields)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of 'key: schedule' lines")
    parser.add_argument("--max-frames", type=int, default=100_000, help="frame cap when compiling (default 100000)")
    parser.add_argument("--seed", type=int, default=None, help="seed for unseeded random functions when compiling")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from lib_parseq.schedules import as_manifest, read_json_file, to_deforum_schedules

    manifest = as_manifest(read_json_file(args.source), max_frames=args.max_frames, random_seed=args.seed)
    fields = [name.strip() for name in args.fields.split(",") if name.strip()] if args.fields else None
    schedules = to_deforum_schedules(manifest, fields)
    if args.json:
        sys.stdout.write(json.dumps(schedules, indent=2) + "\n")
    else:
        for key, schedule in schedules.items():
            sys.stdout.write(f"{key}: {schedule}\n")
    return 0
