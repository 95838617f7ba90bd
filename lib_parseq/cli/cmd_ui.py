"""``parseq ui``: open the Parseq editor in a browser, without A1111."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ui",
        help="start the Parseq editor (keyframes, live charts, import/export) as a local web page",
        description="Start the Parseq editor as a local web page (the same tab A1111 shows), without A1111.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=None, help="port (default: gradio's first free port from 7860)")
    parser.add_argument("--outputs", default="outputs", metavar="DIR",
                        help="folder the Render tab writes videos to (default: ./outputs)")
    parser.add_argument("--open", action="store_true", help="open the page in the default browser")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from lib_parseq.ui.standalone import launch

    launch(args.host, args.port, block=True, open_browser=args.open, render_dir=Path(args.outputs))
    return 0
