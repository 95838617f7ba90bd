"""The real-host suite: a real A1111 or Forge checkout, started on CPU with this extension linked into it.

Opt-in. Every test here is skipped unless ``PARSEQ_REAL_WEBUI`` names a webui checkout that has its own venv
(``<webui>/venv``, or ``PARSEQ_REAL_WEBUI_PYTHON``). Other knobs:

- ``PARSEQ_REAL_WEBUI_KIND``: ``a1111`` or ``forge`` (default: ``forge`` when the checkout has ``modules_forge/``).
- ``PARSEQ_REAL_WEBUI_CKPT``: the checkpoint to load (A1111 default: its own ``test/test_files/empty.pt``; Forge
  has no such file, so it is required there).
- ``PARSEQ_REAL_WEBUI_ARGS``: extra launch flags; ``PARSEQ_REAL_WEBUI_START_TIMEOUT``: seconds (default 1800).
- ``PARSEQ_REAL_WEBUI_URL``: use a webui already running there (started as below) instead of starting one.

The webui starts once per session on a free loopback port with a fresh settings file (every option at the
webui's default), ``HF_HUB_OFFLINE=1`` and the offline CPU flags, and is stopped at the end. The README's
development section has the commands that build such a checkout offline.
"""

from __future__ import annotations

import os
import shlex
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from webui_client import WebuiClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ui"))
from servers import running_server  # noqa: E402  (tests/ui's start-wait-stop helper)

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
EXTENSION_NAME = "sd-webui-parseq"
CPU_FLAGS = {
    "a1111": ["--use-cpu", "all", "--no-half", "--precision", "full", "--do-not-download-clip"],
    "forge": ["--always-cpu"],
}
COMMON_FLAGS = ["--api", "--skip-torch-cuda-test", "--skip-version-check", "--no-download-sd-model",
                "--disable-nan-check"]


def pytest_collection_modifyitems(config, items):
    if os.environ.get("PARSEQ_REAL_WEBUI"):
        return
    skip = pytest.mark.skip(reason="real-host suite: set PARSEQ_REAL_WEBUI to a webui checkout with its venv")
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(skip)


@dataclass(frozen=True)
class Host:
    """The webui under test: its folder, kind, address and log."""

    root: Path
    kind: str
    url: str
    log_path: Path
    client: WebuiClient
    artifacts: Path = REPO / "tests" / "artifacts"


def _webui_root() -> Path:
    root = Path(os.environ["PARSEQ_REAL_WEBUI"]).expanduser().resolve()
    if not (root / "launch.py").is_file():
        pytest.fail(f"PARSEQ_REAL_WEBUI={root} is not a webui checkout (no launch.py)")
    return root


def _kind(root: Path) -> str:
    kind = os.environ.get("PARSEQ_REAL_WEBUI_KIND", "").strip().lower()
    if not kind:
        kind = "forge" if (root / "modules_forge").is_dir() else "a1111"
    if kind not in CPU_FLAGS:
        pytest.fail(f"PARSEQ_REAL_WEBUI_KIND must be one of {sorted(CPU_FLAGS)}, not {kind!r}")
    return kind


def _python(root: Path) -> str:
    python = os.environ.get("PARSEQ_REAL_WEBUI_PYTHON") or str(root / "venv" / "bin" / "python")
    if not Path(python).is_file():
        pytest.fail(f"no Python for the webui at {python} (make <webui>/venv or set PARSEQ_REAL_WEBUI_PYTHON)")
    return python


def _checkpoint(root: Path, kind: str) -> str:
    ckpt = os.environ.get("PARSEQ_REAL_WEBUI_CKPT", "")
    if not ckpt and kind == "a1111":
        ckpt = str(root / "test" / "test_files" / "empty.pt")
    if not ckpt or not Path(ckpt).is_file():
        pytest.fail(f"checkpoint {ckpt or '(none)'} not found: set PARSEQ_REAL_WEBUI_CKPT")
    return ckpt


def _link_extension(root: Path) -> Path | None:
    """Link this checkout into ``extensions/``; return the link when this run made it (to remove it after)."""
    link = root / "extensions" / EXTENSION_NAME
    if link.is_symlink() or link.exists():
        if link.resolve() != REPO:
            pytest.fail(f"{link} exists and is not this checkout ({REPO}); move it away first")
        return None
    link.symlink_to(REPO, target_is_directory=True)
    return link


def started(log_path: Path, client: WebuiClient) -> bool:
    """The webui printed its startup time, then answers. Nothing is requested before that line: a request that
    arrives after gradio starts but before the webui adds its API middleware makes that step raise ("Cannot add
    middleware after an application has started") and the webui exit."""
    return "Startup time:" in log_path.read_text(encoding="utf-8", errors="replace") and client.ready()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def host(tmp_path_factory) -> Host:
    root = _webui_root()
    kind = _kind(root)
    if os.environ.get("PARSEQ_REAL_WEBUI_URL"):
        url = os.environ["PARSEQ_REAL_WEBUI_URL"].rstrip("/")
        client = WebuiClient(url)
        if not client.ready():
            pytest.fail(f"no webui answers at PARSEQ_REAL_WEBUI_URL={url}")
        yield Host(root=root, kind=kind, url=url, log_path=Path(os.devnull), client=client)
        return
    python = _python(root)
    ckpt = _checkpoint(root, kind)
    settings = tmp_path_factory.mktemp("webui-settings")
    log_dir = Host.artifacts
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"real-host-{kind}.log"
    port = _free_port()
    command = [python, "launch.py", *COMMON_FLAGS, *CPU_FLAGS[kind], "--ckpt", ckpt,
               "--server-name", "127.0.0.1", "--port", str(port),
               "--ui-settings-file", str(settings / "config.json"),
               "--ui-config-file", str(settings / "ui-config.json"),
               *shlex.split(os.environ.get("PARSEQ_REAL_WEBUI_ARGS", ""))]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "COMMANDLINE_ARGS": "", "PYTHONUNBUFFERED": "1"}
    env.pop("PYTHONPATH", None)
    timeout = float(os.environ.get("PARSEQ_REAL_WEBUI_START_TIMEOUT", "1800"))
    url = f"http://127.0.0.1:{port}"
    client = WebuiClient(url)
    made_link = _link_extension(root)
    try:
        with running_server(command, cwd=root, log_path=log_path, ready=lambda: started(log_path, client),
                            what=f"the {kind} webui", env=env, timeout=timeout):
            yield Host(root=root, kind=kind, url=url, log_path=log_path, client=client)
    finally:
        if made_link is not None:
            made_link.unlink()
