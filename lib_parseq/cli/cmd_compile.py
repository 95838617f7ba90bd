"""``parseq compile DOC.json -o MANIFEST.json``: compile a keyframe document into a rendered manifest."""

from __future__ import annotations

import argparse
import gc
import sys
from typing import BinaryIO


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
    # A manifest is hundreds of thousands of small objects, none in a reference cycle: the cyclic garbage
    # collector would walk them again and again while they are built (a fifth of the command's time).
    gc.disable()
    try:
        return _compile(args)
    finally:
        gc.enable()


def _compile(args: argparse.Namespace) -> int:
    from lib_parseq.atomic import write_atomic
    from lib_parseq.cli.outputs import check_output_file
    from lib_parseq.schedules.compiler import compile_columns
    from lib_parseq.schedules.document import load_document, read_json_file
    from lib_parseq.schedules.validate import is_manifest, validate
    from lib_parseq.schedules.validate_problems import raise_for_problems

    if args.output != "-":
        check_output_file(args.output)
    source = read_json_file(args.document)
    problems = validate(source, max_frames=args.max_frames)
    for problem in problems:
        if problem.severity == "warning":
            print(f"Warning: {problem.path}: {problem.message}", file=sys.stderr)
    if is_manifest(source):  # checked and written back unchanged
        from lib_parseq.json_output import to_json_bytes

        raise_for_problems(problems, what="manifest")
        data, frames = to_json_bytes(dict(source), indent=args.indent), len(source["rendered_frames"])
        fields = len(source.get("managedFields", []))
    else:  # validated once, above: loading does not validate again
        raise_for_problems(problems)
        document = load_document(source, max_frames=args.max_frames, checked=True)
        compiled = compile_columns(document, max_frames=args.max_frames, random_seed=args.seed)
        data, frames = compiled.to_json_bytes(indent=args.indent), compiled.frame_count
        fields = len(compiled.header.get("managedFields", []))
    # Bytes straight from the encoder to the file: no str copy of a manifest that can be tens of megabytes.
    if args.output == "-":
        _write_stdout(data + b"\n")
    else:
        def write_manifest(handle: BinaryIO) -> None:
            handle.write(data)
            handle.write(b"\n")

        write_atomic(args.output, write_manifest)
        print(f"Wrote {args.output}: {frames} frames, {fields} fields.",
              file=sys.stderr)
    return 0


def _write_stdout(data: bytes) -> None:
    """JSON is UTF-8: write the bytes as they are (through the text layer only where stdout has no buffer)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    sys.stdout.flush()
    buffer.write(data)
    buffer.flush()
