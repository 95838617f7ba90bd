"""The whole URL fetch has one deadline (three times the timeout), also while the server is still sending its
status line and headers one byte at a time. Against a loopback server whose drips are bounded (it stops
by itself after ``DRIP_SECONDS``)."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from lib_parseq.errors import DocumentError
from lib_parseq.net import fetch_text

DRIP_SECONDS = 12.0
TIMEOUT = 0.3  # per read; the deadline is 0.9 s
SLACK_SECONDS = 5.0

RESPONSES = {
    b"/headers": (b"HTTP/1.0 200 OK\r\n", b"Content-Type: application/json\r\nX-Padding: " + b"a" * 400),
    b"/status": (b"", b"HTTP/1.0 200 OK" + b" " * 400),
    b"/quick": (b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", b""),
}


def _serve(connection: socket.socket) -> None:
    """Send the route's prefix at once, then its drip one byte per 0.1 s until ``DRIP_SECONDS``, then close."""
    with connection:
        request = connection.recv(4096)
        path = request.split(b" ")[1] if b" " in request else b"/"
        prefix, drip = RESPONSES.get(path, RESPONSES[b"/quick"])
        stop_at = time.monotonic() + DRIP_SECONDS
        try:
            connection.sendall(prefix)
            for byte in drip:
                if time.monotonic() > stop_at:
                    break
                connection.sendall(bytes([byte]))
                time.sleep(0.1)
        except OSError:
            pass


@pytest.fixture(scope="module")
def dripping_server():
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def accept_loop() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=_serve, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=accept_loop, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(timeout=5)
    listener.close()


@pytest.mark.parametrize("path", ["/headers", "/status"])
def test_a_server_dripping_its_head_is_stopped_at_the_deadline(dripping_server, path):
    started = time.monotonic()
    with pytest.raises(DocumentError, match="took too long"):
        fetch_text(f"{dripping_server}{path}", allow_private=True, timeout=TIMEOUT)
    assert time.monotonic() - started < 3 * TIMEOUT + SLACK_SECONDS


def test_a_quick_answer_is_not_cut(dripping_server):
    for _ in range(20):
        assert fetch_text(f"{dripping_server}/quick", allow_private=True, timeout=TIMEOUT) == "{}"
