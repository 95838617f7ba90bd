"""Fixtures for the Parseq tab's browser tests: free ports, the artefacts folder (Chromium: tests/conftest.py)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest


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
