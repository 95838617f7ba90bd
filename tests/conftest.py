"""Shared test fixtures: where the repository and the reference material beside it live; Debian's Chromium."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CONFORMANCE = REPO.parent / "shared" / "conformance"

# librosa's kernels are compiled by numba and cached beside its sources. Several processes filling that cache at
# once can pair files from two of them, and the next call jumps to a null pointer (numba/numba#10128: a segfault
# in the beat tracker, seen here with two pytest-xdist workers on a fresh environment). Each worker, and every
# process its tests start, gets a cache of its own: a copy of the cache tests/run.sh warms once per virtualenv
# (tests/audio/warm_numba_cache.py; a cold compile is ~35 s of CPU) where there is one. Set before anything
# imports numba.
NUMBA_CACHE_ROOT = Path(os.environ.get("PARSEQ_NUMBA_CACHE_ROOT") or REPO / "tests" / "artifacts" / "numba-cache")
os.environ["PARSEQ_NUMBA_CACHE_ROOT"] = str(NUMBA_CACHE_ROOT)
_OWN_NUMBA_CACHE = NUMBA_CACHE_ROOT / os.environ.get("PYTEST_XDIST_WORKER", "main")
if (NUMBA_CACHE_ROOT / "warm").is_dir() and not _OWN_NUMBA_CACHE.exists():
    shutil.copytree(NUMBA_CACHE_ROOT / "warm", _OWN_NUMBA_CACHE)
os.environ["NUMBA_CACHE_DIR"] = str(_OWN_NUMBA_CACHE)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def conformance_dir() -> Path:
    """The real Parseq outputs beside the checkout; tests that need them skip when they are absent."""
    if not CONFORMANCE.is_dir():
        pytest.skip(f"reference data not found at {CONFORMANCE}")
    return CONFORMANCE


def read_jsonl(path: Path) -> list[dict]:
    """Read a JSON-lines file, gzipped or not."""
    import gzip

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="session")
def jsonl_reader():
    return read_jsonl


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
