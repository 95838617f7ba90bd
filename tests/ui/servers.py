"""Start a local web server for a browser test, wait until it is ready, and always stop it afterwards."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest


def answers(url: str) -> Callable[[], bool]:
    """Readiness check: ``url`` answers 200."""

    def ready() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    return ready


@contextmanager
def running_server(command: Sequence[str], *, cwd: Path, log_path: Path, ready: Callable[[], bool], what: str,
                   env: Mapping[str, str] | None = None, timeout: float = 120) -> Iterator[None]:
    """Run ``command`` with its output in ``log_path``; fail the test (with the log) if it exits or is not ready
    within ``timeout`` seconds; terminate it on the way out."""
    with open(log_path, "w", encoding="utf-8") as log_file:
        server = subprocess.Popen(list(command), cwd=cwd, stdout=log_file, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + timeout
            while not ready():
                if server.poll() is not None:
                    pytest.fail(f"{what} exited with {server.returncode}:\n{log_path.read_text()}")
                if time.monotonic() > deadline:
                    pytest.fail(f"{what} did not start within {timeout:.0f} s:\n{log_path.read_text()}")
                time.sleep(0.5)
            yield
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
