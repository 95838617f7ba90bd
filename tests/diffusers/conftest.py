"""Fixtures for the diffusers backend tests: the tiny model saved once per session, the CLI run in-process."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A tiny random-weight Stable Diffusion pipeline saved as a diffusers folder (built once per session)."""
    pytest.importorskip("diffusers")
    from tiny_pipeline import save_tiny_pipeline

    return save_tiny_pipeline(tmp_path_factory.mktemp("tiny"))


@pytest.fixture
def parseq_cli(capsys):
    """Run ``parseq ARGS`` in this process (torch stays loaded); returns (exit code, stderr)."""
    from lib_parseq.cli import main

    def run(*args: str) -> tuple[int, str]:
        code = main([str(a) for a in args])
        return code, capsys.readouterr().err

    return run


@pytest.fixture(scope="session")
def tiny_sdxl_model(tmp_path_factory) -> Path:
    """A tiny random-weight SDXL pipeline saved as a diffusers folder (built once per session)."""
    pytest.importorskip("diffusers")
    from tiny_pipeline import save_tiny_sdxl_pipeline

    return save_tiny_sdxl_pipeline(tmp_path_factory.mktemp("tiny-sdxl"))
