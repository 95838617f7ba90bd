"""Start (or reuse) a real A1111/Forge webui on CPU with this extension linked in: shared by the real-host suite
(``conftest.py``) and ``benchmarks/real_host_travel.py``.

The webui starts on a free loopback port with a fresh settings file (every option at the webui's default),
``HF_HUB_OFFLINE=1`` and the offline CPU flags, and is stopped on the way out. Besides this checkout it links the
test-only ``recorder_extension`` (what the UNet is given, per call; see its docstring) and removes both links
afterwards. Errors are ``HostError``; the suite turns them into test failures.
"""

from __future__ import annotations

import os
import shlex
import socket
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from webui_client import WebuiClient

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests" / "ui"))
from servers import running_server  # noqa: E402  (tests/ui's start-wait-stop helper)

EXTENSION_NAME = "sd-webui-parseq"
RECORDER_NAME = "parseq-test-recorder"
RECORDER = HERE / "recorder_extension"
RECORDER_ROUTE = "/parseq-test-recorder/calls"
ARTIFACTS = REPO / "tests" / "artifacts"
CPU_FLAGS = {
    "a1111": ["--use-cpu", "all", "--no-half", "--precision", "full", "--do-not-download-clip"],
    "forge": ["--always-cpu"],
}
COMMON_FLAGS = ["--api", "--skip-torch-cuda-test", "--skip-version-check", "--no-download-sd-model",
                "--disable-nan-check"]


class HostError(Exception):
    """The webui checkout, its Python or its checkpoint is not usable as configured."""


@dataclass(frozen=True)
class Host:
    """The webui under test: its folder, kind, address and log."""

    root: Path
    kind: str
    url: str
    log_path: Path
    client: WebuiClient
    artifacts: Path = ARTIFACTS

    def unet_calls(self) -> list[dict]:
        """The UNet calls the recorder saw since the last call of this (and forgets them); see the recorder."""
        return self.client.get(RECORDER_ROUTE)

    @property
    def has_recorder(self) -> bool:
        """The recorder extension answers (asking forgets the calls it recorded so far)."""
        try:
            self.unet_calls()
        except Exception:  # noqa: BLE001  (a webui reused without the recorder answers 404)
            return False
        return True


def webui_root() -> Path:
    root = Path(os.environ["PARSEQ_REAL_WEBUI"]).expanduser().resolve()
    if not (root / "launch.py").is_file():
        raise HostError(f"PARSEQ_REAL_WEBUI={root} is not a webui checkout (no launch.py)")
    return root


def webui_kind(root: Path) -> str:
    kind = os.environ.get("PARSEQ_REAL_WEBUI_KIND", "").strip().lower()
    if not kind:
        kind = "forge" if (root / "modules_forge").is_dir() else "a1111"
    if kind not in CPU_FLAGS:
        raise HostError(f"PARSEQ_REAL_WEBUI_KIND must be one of {sorted(CPU_FLAGS)}, not {kind!r}")
    return kind


def _python(root: Path) -> str:
    python = os.environ.get("PARSEQ_REAL_WEBUI_PYTHON") or str(root / "venv" / "bin" / "python")
    if not Path(python).is_file():
        raise HostError(f"no Python for the webui at {python} (make <webui>/venv or set PARSEQ_REAL_WEBUI_PYTHON)")
    return python


def _checkpoint(root: Path, kind: str) -> str:
    ckpt = os.environ.get("PARSEQ_REAL_WEBUI_CKPT", "")
    if not ckpt and kind == "a1111":
        ckpt = str(root / "test" / "test_files" / "empty.pt")
    if not ckpt or not Path(ckpt).is_file():
        raise HostError(f"checkpoint {ckpt or '(none)'} not found: set PARSEQ_REAL_WEBUI_CKPT")
    return ckpt


@contextmanager
def linked(link: Path, target: Path) -> Iterator[None]:
    """``link`` -> ``target`` for the block; removed afterwards when this made it."""
    if link.is_symlink() or link.exists():
        if link.resolve() != target:
            raise HostError(f"{link} exists and is not {target}; move it away first")
        yield
        return
    link.symlink_to(target, target_is_directory=True)
    try:
        yield
    finally:
        link.unlink()


def started(log_path: Path, client: WebuiClient) -> bool:
    """The webui printed its startup time, then answers. Nothing is requested before that line: a request that
    arrives after gradio starts but before the webui adds its API middleware makes that step raise ("Cannot add
    middleware after an application has started") and the webui exit."""
    return "Startup time:" in log_path.read_text(encoding="utf-8", errors="replace") and client.ready()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def webui_host(settings: Path) -> Iterator[Host]:
    """The webui ``PARSEQ_REAL_WEBUI`` names, started with its settings in the empty folder ``settings`` (or the
    one at ``PARSEQ_REAL_WEBUI_URL``), for the block."""
    root = webui_root()
    kind = webui_kind(root)
    if os.environ.get("PARSEQ_REAL_WEBUI_URL"):
        url = os.environ["PARSEQ_REAL_WEBUI_URL"].rstrip("/")
        client = WebuiClient(url)
        if not client.ready():
            raise HostError(f"no webui answers at PARSEQ_REAL_WEBUI_URL={url}")
        yield Host(root=root, kind=kind, url=url, log_path=Path(os.devnull), client=client)
        return
    python = _python(root)
    ckpt = _checkpoint(root, kind)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / f"real-host-{kind}.log"
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
    with ExitStack() as stack:
        stack.enter_context(linked(root / "extensions" / EXTENSION_NAME, REPO))
        stack.enter_context(linked(root / "extensions" / RECORDER_NAME, RECORDER))
        stack.enter_context(running_server(command, cwd=root, log_path=log_path,
                                           ready=lambda: started(log_path, client), what=f"the {kind} webui",
                                           env=env, timeout=timeout))
        yield Host(root=root, kind=kind, url=url, log_path=log_path, client=client)
