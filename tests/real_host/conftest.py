"""The real-host suite: a real A1111 or Forge checkout, started on CPU with this extension linked into it.

Opt-in. Every test here is skipped unless ``PARSEQ_REAL_WEBUI`` names a webui checkout that has its own venv
(``<webui>/venv``, or ``PARSEQ_REAL_WEBUI_PYTHON``). Other knobs:

- ``PARSEQ_REAL_WEBUI_KIND``: ``a1111`` or ``forge`` (default: ``forge`` when the checkout has ``modules_forge/``).
- ``PARSEQ_REAL_WEBUI_CKPT``: the checkpoint to load (A1111 default: its own ``test/test_files/empty.pt``; Forge
  has no such file, so it is required there).
- ``PARSEQ_REAL_WEBUI_ARGS``: extra launch flags; ``PARSEQ_REAL_WEBUI_START_TIMEOUT``: seconds (default 1800).
- ``PARSEQ_REAL_WEBUI_URL``: use a webui already running there (started as below) instead of starting one.

The webui starts once per session (``webui_host``: a free loopback port, a fresh settings file with every option
at the webui's default, ``HF_HUB_OFFLINE=1``, the offline CPU flags, this checkout and the test-only recorder
extension linked into ``extensions/``) and is stopped at the end. The README's development section has the
commands that build such a checkout offline.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from parseq_script import parseq_script_info
from webui_host import Host, HostError, webui_host

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    if os.environ.get("PARSEQ_REAL_WEBUI"):
        return
    skip = pytest.mark.skip(reason="real-host suite: set PARSEQ_REAL_WEBUI to a webui checkout with its venv")
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def host(tmp_path_factory) -> Host:
    try:
        with webui_host(tmp_path_factory.mktemp("webui-settings")) as started_host:
            yield started_host
    except HostError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def script_info(host) -> dict:
    """The Parseq script's ``/sdapi/v1/script-info`` entry."""
    return parseq_script_info(host.client)
