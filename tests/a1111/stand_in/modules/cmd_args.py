"""The parts of A1111's command-line parser (``modules/cmd_args.py``) that extensions read."""

from __future__ import annotations

import argparse
import os

from modules import paths


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=str, default=paths.data_path)
    parser.add_argument("--embeddings-dir", type=str, default=os.path.join(paths.data_path, "embeddings"))
    parser.add_argument("--skip-install", action="store_true")
    parser.add_argument("--skip-prepare-environment", action="store_true")
    parser.add_argument("--ui-debug-mode", action="store_true")
    parser.add_argument("--disable-all-extensions", action="store_true")
    parser.add_argument("--disable-extra-extensions", action="store_true")
    parser.add_argument("--listen", action="store_true")
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--no-half", action="store_true")
    parser.add_argument("--use-cpu", nargs="+", default=[])
    return parser
