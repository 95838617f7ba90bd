"""``parseq ui``: open the Parseq editor in a browser, without A1111."""

from __future__ import annotations

import argparse
import errno
import socket

from lib_parseq.errors import ParseqError


class UiError(ParseqError):
    """The editor cannot start: gradio missing, or the address cannot be listened on."""

    kind = "Error"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ui",
        help="start the Parseq editor (keyframes, live charts, import/export) as a local web page",
        description="Start the Parseq editor as a local web page (the same tab A1111 shows), without A1111.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=_port, default=None, help="port (default: gradio's first free port from 7860)")
    parser.add_argument("--outputs", default="outputs", metavar="DIR",
                        help="folder the Render tab writes videos to (default: ./outputs)")
    parser.add_argument("--open", action="store_true", help="open the page in the default browser")
    parser.set_defaults(func=run)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is outside 1 to 65535")
    return port


def check_can_listen(host: str, port: int) -> None:
    """UiError when ``host:port`` cannot be listened on (in use, no such address, not permitted)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UiError(f"cannot listen on {host}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            reason = "it is in use (choose another with --port)" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise UiError(f"cannot listen on {host} port {port}: {reason}") from None


def run(args: argparse.Namespace) -> int:
    if args.port is not None:
        check_can_listen(args.host, args.port)
    try:
        import gradio  # noqa: F401 - only to say clearly when it is missing
    except ImportError:
        raise UiError("the editor needs gradio, which is not installed here: "
                      "pip install -r requirements-test.txt (or gradio==3.41.2), or use the Parseq tab in A1111") from None
    from pathlib import Path

    from lib_parseq.ui.standalone import launch

    launch(args.host, args.port, block=True, open_browser=args.open, render_dir=Path(args.outputs))
    return 0
