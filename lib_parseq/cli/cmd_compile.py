"""``parseq compile DOC.json -o MANIFEST.json``: compile a keyframe document into a rendered manifest."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compile",
        help="compile a keyframe document into a rendered manifest (what Deforum and the renderer read)",
        description="Compile a Parseq keyframe document (modern or 2022 format) into a rendered manifest. "
        "A manifest given as input is checked and written back unchanged.",
    )
    parser.add_argument("document", metavar="DOC.json", help="the keyframe document (- for stdin)")
    parser.add_argument("-o", "--output", default="-", metavar="MANIFEST.json",
                        help="where to write the manifest (- for stdout, the default)")
    parser.add_argument("--max-frames", type=int, default=100_000, help="frame cap (default 100000)")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed for rand()/smrand()/perlin()/vibe() calls that give no seed of their own")
    parser.add_argument("--indent", type=int, default=None, help="indent the JSON by this many spaces")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from lib_parseq.atomic import write_text_atomic
    from lib_parseq.cli.outputs import check_output_file
    from lib_parseq.json_output import to_json
    from lib_parseq.schedules import as_manifest, read_json_file
    from lib_parseq.schedules.validate import validate

    if args.output != "-":
        check_output_file(args.output)
    source = read_json_file(args.document)
    for problem in validate(source, max_frames=args.max_frames):
        if problem.severity == "warning":
            print(f"Warning: {problem.path}: {problem.message}", file=sys.stderr)
    manifest = as_manifest(source, max_frames=args.max_frames, random_seed=args.seed)
    text = to_json(manifest, indent=args.indent)
    if args.output == "-":
        sys.stdout.write(text + "\n")
    else:
        write_text_atomic(args.output, text + "\n")
        frames = len(manifest["rendered_frames"])
        print(f"Wrote {args.output}: {frames} frames, {len(manifest.get('managedFields', []))} fields.",
              file=sys.stderr)
    return 0
