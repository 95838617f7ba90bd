"""URL, file and pasted-text loading against a real HTTP server on 127.0.0.1 (loopback only)."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lib_parseq.errors import DocumentError
from lib_parseq.net import fetch_text, load_manifest_source, parse_json_text

DOC = {"keyframes": [{"frame": 0, "zoom": 1}, {"frame": 10, "zoom": 2}]}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):  # keep the test output clean
        pass

    def _send(self, status: int, body: bytes = b"", content_type: str | None = "application/json",
              headers: dict | None = None, length: bool = True) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 (the http.server API)
        routes = {
            "/doc.json": lambda: self._send(200, json.dumps(DOC).encode()),
            "/doc.txt": lambda: self._send(200, json.dumps(DOC).encode(), "text/plain; charset=utf-8"),
            "/untyped": lambda: self._send(200, json.dumps(DOC).encode(), None),
            "/latin1": lambda: self._send(200, '{"name": "caf\u00e9"}'.encode("latin-1"), "text/plain; charset=latin-1"),
            "/binary": lambda: self._send(200, b"\x89PNG....", "application/octet-stream"),
            "/html": lambda: self._send(200, b"<html></html>", "image/png"),
            "/big-declared": lambda: self._send(200, b"[" + b"1," * 5000 + b"1]"),
            "/big-streamed": lambda: self._send(200, b"[" + b"1," * 5000 + b"1]", length=False),
            "/missing": lambda: self._send(404, b"not here", "text/plain"),
            "/error": lambda: self._send(500, b"oops", "text/plain"),
            "/redirect-relative": lambda: self._send(302, headers={"Location": "/doc.json"}),
            "/redirect-file": lambda: self._send(302, headers={"Location": "file:///etc/passwd"}),
            "/redirect-ftp": lambda: self._send(301, headers={"Location": "ftp://example.com/doc.json"}),
            "/redirect-unresolvable": lambda: self._send(307, headers={"Location": "http://no-such-host.invalid/x"}),
            "/redirect-loop": lambda: self._send(302, headers={"Location": "/redirect-loop"}),
            "/redirect-empty": lambda: self._send(302),
            "/not-json": lambda: self._send(200, b'{"a": 1,,}', "application/json"),
            "/list": lambda: self._send(200, b"[1, 2]", "application/json"),
        }
        if self.path == "/slow":
            time.sleep(1.5)
            self._send(200, b"{}")
            return
        if self.path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            try:
                for _ in range(40):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
            return
        routes.get(self.path, lambda: self._send(404, b"", "text/plain"))()


@pytest.fixture(autouse=True)
def no_dns(monkeypatch):
    """No test here needs DNS (CI machines may have none): names under .invalid, which RFC 6761 says never
    resolve, fail at once as a resolver answers them; other names (localhost, addresses) resolve as usual."""
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if isinstance(host, str) and host.rstrip(".").endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_fetches_json_from_an_allowed_local_server(server):
    assert json.loads(fetch_text(f"{server}/doc.json", allow_private=True)) == DOC
    assert load_manifest_source(f"{server}/doc.json", allow_private=True) == DOC


@pytest.mark.parametrize("path", ["/doc.txt", "/untyped"])
def test_accepts_text_and_untyped_responses(server, path):
    assert load_manifest_source(f"{server}{path}", allow_private=True) == DOC


def test_decodes_the_declared_charset(server):
    assert load_manifest_source(f"{server}/latin1", allow_private=True) == {"name": "caf\u00e9"}


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_refuses_loopback_unless_allowed(server, host):
    url = server.replace("127.0.0.1", host) + "/doc.json"
    with pytest.raises(DocumentError, match="private, loopback or link-local"):
        fetch_text(url)


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data",  # cloud metadata (link-local)
    "http://10.1.2.3/doc.json",
    "http://192.168.0.1/doc.json",
    "http://[::1]/doc.json",
    "http://[::ffff:127.0.0.1]/doc.json",
    "http://0.0.0.0/doc.json",
])
def test_refuses_private_addresses_before_connecting(url):
    with pytest.raises(DocumentError, match="private, loopback or link-local"):
        fetch_text(url, timeout=1)


@pytest.mark.parametrize("url, scheme", [
    ("file:///etc/passwd", "file:"), ("ftp://example.com/x.json", "ftp:"),
    ("gopher://example.com/", "gopher:"), ("javascript:alert(1)", "javascript:"),
])
def test_refuses_other_schemes(url, scheme):
    with pytest.raises(DocumentError, match=f"only http and https URLs are allowed, not {scheme}"):
        load_manifest_source(url)


def test_refuses_credentials_in_urls():
    with pytest.raises(DocumentError, match="user name or password"):
        fetch_text("http://user:pass@example.com/doc.json")


def test_follows_a_relative_redirect(server):
    assert load_manifest_source(f"{server}/redirect-relative", allow_private=True) == DOC


@pytest.mark.parametrize("path, message", [
    ("/redirect-file", "not file:"),
    ("/redirect-ftp", "not ftp:"),
    ("/redirect-unresolvable", "could not be resolved"),  # proves every hop is resolved and checked again
    ("/redirect-loop", "more than 5 redirects"),
    ("/redirect-empty", "without a Location"),
])
def test_checks_every_redirect_hop(server, path, message):
    with pytest.raises(DocumentError, match=message):
        fetch_text(f"{server}{path}", allow_private=True, timeout=2)


@pytest.mark.parametrize("path, message", [
    ("/binary", "sent application/octet-stream, not JSON or text"),
    ("/html", "sent image/png, not JSON or text"),
    ("/missing", "answered 404"),
    ("/error", "answered 500"),
])
def test_refuses_bad_responses(server, path, message):
    with pytest.raises(DocumentError, match=message):
        fetch_text(f"{server}{path}", allow_private=True)


@pytest.mark.parametrize("path", ["/big-declared", "/big-streamed"])
def test_stops_at_the_size_cap(server, path):
    with pytest.raises(DocumentError, match="limit of 1,000 bytes"):
        fetch_text(f"{server}{path}", allow_private=True, max_bytes=1000)
    assert len(fetch_text(f"{server}{path}", allow_private=True, max_bytes=20_000)) == 10_003


def test_times_out_on_a_silent_server(server):
    with pytest.raises(DocumentError, match="no answer within 0.5 seconds"):
        fetch_text(f"{server}/slow", allow_private=True, timeout=0.5)


def test_stops_a_server_that_drips_bytes(server):
    with pytest.raises(DocumentError, match="took too long"):
        fetch_text(f"{server}/drip", allow_private=True, timeout=0.3)


def test_reports_bad_json_from_a_url_with_line_and_column(server):
    with pytest.raises(DocumentError) as caught:
        load_manifest_source(f"{server}/not-json", allow_private=True)
    assert (caught.value.line, caught.value.column) == (1, 9)
    assert "/not-json is not valid JSON" in str(caught.value)


def test_refuses_a_top_level_list(server):
    with pytest.raises(DocumentError, match="holds a list, not a JSON object"):
        load_manifest_source(f"{server}/list", allow_private=True)


def test_unresolvable_host():
    with pytest.raises(DocumentError, match="could not be resolved"):
        fetch_text("https://no-such-host.invalid/doc.json", timeout=2)


def test_connection_refused_is_a_clear_error():
    with pytest.raises(DocumentError, match="connection failed"):
        fetch_text("http://127.0.0.1:9/doc.json", allow_private=True, timeout=2)


def test_loads_pasted_json_text():
    assert load_manifest_source("  \n" + json.dumps(DOC)) == DOC


def test_loads_a_file_by_path(tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(DOC), encoding="utf-8")
    assert load_manifest_source(str(path)) == DOC
    assert load_manifest_source(path) == DOC


def test_file_errors_are_clear(tmp_path):
    with pytest.raises(DocumentError, match="no such file"):
        load_manifest_source(str(tmp_path / "absent.json"))
    with pytest.raises(DocumentError, match="not a file"):
        load_manifest_source(str(tmp_path))
    big = tmp_path / "big.json"
    big.write_text("[" + "1," * 100 + "1]")
    with pytest.raises(DocumentError, match="more than the limit of 50 bytes"):
        load_manifest_source(big, max_bytes=50)
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"{\xff\xfe}")
    with pytest.raises(DocumentError, match="not UTF-8 text"):
        load_manifest_source(binary)


def test_empty_source_is_refused():
    with pytest.raises(DocumentError, match="nothing to load"):
        load_manifest_source("   ")


def test_bad_json_on_a_later_line_points_at_it():
    text = '{\n  "keyframes": [\n    {"frame": 0,}\n  ]\n}'
    with pytest.raises(DocumentError) as caught:
        parse_json_text(text, origin="doc.json")
    error = caught.value
    assert (error.line, error.column) == (3, 17)
    assert 'doc.json is not valid JSON' in error.message
    assert '3:17 |     {"frame": 0,}' in str(error)


def test_deeply_nested_json_is_a_document_error():
    with pytest.raises(DocumentError, match="nested too deeply"):
        load_manifest_source("[" * 200_000 + "]" * 200_000)
