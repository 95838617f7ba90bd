"""Fixtures for the Parseq tab's browser tests: Debian's Chromium, free ports, the artefacts folder."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Debian's Chromium (Playwright never downloads its own browser here); skips only when none is installed."""
    for candidate in (shutil.which("chromium"), "/usr/bin/chromium", shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.skip("no Chromium executable (install Debian's chromium; tests/run.sh does)")


@pytest.fixture(scope="session")
def launch_chromium(chromium_executable):
    """A function that launches headless Chromium from a Playwright instance."""

    def launch(playwright):
        return playwright.chromium.launch(executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS)

    return launch


@pytest.fixture(scope="session")
def free_port():
    """A function returning a TCP port free on 127.0.0.1 right now."""

    def pick() -> int:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]

    return pick


@pytest.fixture(scope="session")
def artifacts_dir(repo_root) -> Path:
    """``tests/artifacts/`` (gitignored): screenshots and server logs kept after the run."""
    folder = repo_root / "tests" / "artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
