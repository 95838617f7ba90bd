"""``python -m lib_parseq`` / ``parseq``: one sub-command per module in this package.

Each ``cmd_<name>.py`` module defines ``register(subparsers)``, which adds its parser and sets
``func=run`` where ``run(args) -> int`` returns the exit code. Command modules import heavy libraries
(gradio, cv2, matplotlib) inside ``run`` so that every command starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from lib_parseq.errors import ParseqError

COMMAND_MODULES = ("eval", "compile", "plot", "deforum", "render", "check", "audio", "ui")

EXIT_OK = 0
EXIT_WARNINGS = 1
EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command-line parser; given the arguments, only the named command's module is imported (each
    imports what its options need, e.g. the renderer's device list), unless none or an unknown one is named."""
    parser = argparse.ArgumentParser(
        prog="parseq",
        description="Parseq: compile keyframe documents into per-frame schedules and render them to video.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    named = argv[0] if argv else None
    for name in (named,) if named in COMMAND_MODULES else COMMAND_MODULES:
        importlib.import_module(f"lib_parseq.cli.cmd_{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; user errors print one clear message on stderr and exit 2, never a traceback."""
    for stream in (sys.stdout, sys.stderr):  # a name that is not valid UTF-8 prints escaped, never crashes
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    try:
        status = int(args.func(args) or EXIT_OK)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # The reader went away (``parseq check ... | head``): stop quietly, as Unix tools do on SIGPIPE.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_BROKEN_PIPE
    except ParseqError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USER_ERROR
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        print(f"Error: {exc.strerror or exc}: {exc.filename}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
