"""Shared test fixtures: where the repository and the reference material beside it live."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CONFORMANCE = REPO.parent / "shared" / "conformance"


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
