"""Load a document or manifest from pasted JSON text, a file, or an http(s) URL, safely.

URLs come from strangers (forum posts, shared links), so fetching one is fenced in:
- only ``http`` and ``https``; every redirect is followed by hand (at most ``MAX_REDIRECTS``) and each hop is
  checked again, so a redirect cannot lead to ``file:`` or to another scheme;
- the host name is resolved and *every* address it resolves to is checked: loopback, private, link-local,
  multicast, reserved and unspecified addresses are refused unless ``allow_private=True`` (an explicit setting).
  The connection is then made to the address that was checked, so a second DNS answer cannot swap it;
- a timeout applies to connecting and to each read, and the whole fetch (redirects included) has a deadline of
  three times the timeout, so a server that drips bytes slowly is cut off: at the deadline a watchdog shuts
  the socket down, which ends a read in progress, whether it waits for headers or for the body;
- the body is streamed and abandoned as soon as it passes ``max_bytes``;
- the response must be JSON or text (``application/json``, ``*+json``, ``text/*``; a missing type is allowed).
Every failure is a ``DocumentError`` that names the URL and says what went wrong.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import re
import socket
import ssl
import threading
import time
import urllib.parse
from pathlib import Path

from lib_parseq.errors import DocumentError
from lib_parseq.json_input import json_object, parse_json_text, read_file_text, read_json_object  # noqa: F401 (parse_json_text is read from here too)

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 10_000_000
MAX_REDIRECTS = 5
_CHUNK = 64 * 1024
_REDIRECT_CODES = {301, 302, 303, 307, 308}
_USER_AGENT = "sd-webui-parseq (+https://github.com/rewbs/sd-webui-parseq)"
_URL_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")


# ----------------------------------------------------------------------------------------------------------
# Address checks


def _is_private_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for any address that is not on the public internet (loopback, LAN, link-local, ...)."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None and _is_private_address(mapped):
            return True
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def _resolve(host: str, port: int, url: str, timeout: float) -> list[str]:
    """All addresses ``host`` resolves to (IP literals resolve to themselves)."""
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return [str(literal)]
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise DocumentError(f"cannot load {url}: the host name {host!r} could not be resolved") from exc
    finally:
        socket.setdefaulttimeout(previous)
    addresses = []
    for info in infos:
        address = info[4][0].split("%", 1)[0]
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise DocumentError(f"cannot load {url}: the host name {host!r} has no addresses")
    return addresses


def _checked_target(url: str, *, allow_private: bool, timeout: float) -> tuple[urllib.parse.SplitResult, str]:
    """Check one URL (scheme, host, every resolved address); return its parts and the address to connect to."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise DocumentError(f"cannot load {url}: not a valid URL ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"{scheme}:" if scheme else "no scheme"
        raise DocumentError(f"cannot load {url}: only http and https URLs are allowed, not {shown}")
    host = parts.hostname
    if not host:
        raise DocumentError(f"cannot load {url}: the URL has no host name")
    if parts.username is not None or parts.password is not None:
        raise DocumentError(f"cannot load {url}: URLs with a user name or password are not allowed")
    port = port or (443 if scheme == "https" else 80)
    addresses = _resolve(host, port, url, timeout)
    if not allow_private:
        for text in addresses:
            if _is_private_address(ipaddress.ip_address(text)):
                where = host if text == host.strip("[]") else f"{host} resolves to {text}, which"
                raise DocumentError(
                    f"cannot load {url}: {where} is a private, loopback or link-local address; "
                    "loading from local addresses is off (it can be allowed in the settings)"
                )
    return parts, addresses[0]


# ----------------------------------------------------------------------------------------------------------
# Connections pinned to the checked address


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to an already-checked IP address, sending the original Host header."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.connected_socket = self.sock


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to an already-checked IP address, verifying the certificate for the host name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
        self.connected_socket = self.sock


class _Cutoff:
    """Shuts a connection's socket down when the fetch's deadline passes (``fired`` tells afterwards).

    Socket timeouts bound each read, not the whole: a server sending one header byte every few seconds keeps
    every read alive. The socket is the one ``connect`` made (http.client drops ``sock`` once the response
    owns it); after ``__exit__`` it is never touched, so a closed descriptor cannot be shut down by mistake.
    """

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        self._finished = False
        self.fired = False
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True

    def _fire(self) -> None:
        with self._lock:
            if self._finished:
                return
            self.fired = True
            sock = getattr(self._connection, "connected_socket", None)
            if sock is not None:
                try:
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain call, for TLS sockets too
                except OSError:
                    pass

    def __enter__(self) -> _Cutoff:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self._finished = True
        self._timer.cancel()


def _content_type_ok(content_type: str | None) -> bool:
    if not content_type:
        return True
    mime = content_type.split(";", 1)[0].strip().lower()
    return mime == "application/json" or mime.endswith("+json") or mime.startswith("text/")


def _charset(content_type: str | None) -> str:
    match = re.search(r"charset\s*=\s*\"?([A-Za-z0-9._-]+)", content_type or "")
    return match.group(1) if match else "utf-8"


def _read_capped(response: http.client.HTTPResponse, url: str, max_bytes: int, deadline: float) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        if time.monotonic() > deadline:
            raise DocumentError(f"cannot load {url}: the download took too long and was stopped")
        chunk = response.read1(_CHUNK) if hasattr(response, "read1") else response.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > max_bytes:
            raise DocumentError(f"cannot load {url}: the response is larger than the limit of {max_bytes:,} bytes")
        chunks.append(chunk)


def _get_once(url: str, *, allow_private: bool, timeout: float, max_bytes: int,
              deadline: float) -> tuple[int, str | None, bytes, str | None]:
    """One GET (no redirects followed): status, Location, body (empty for redirects), content type."""
    parts, address = _checked_target(url, allow_private=allow_private, timeout=timeout)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise DocumentError(f"cannot load {url}: the download took too long and was stopped")
    connection = connection_class(parts.hostname, port, address=address, timeout=min(timeout, remaining))
    try:
        with _Cutoff(connection, remaining) as cutoff:
            return _exchange(connection, parts, url, timeout=timeout, max_bytes=max_bytes, deadline=deadline,
                             cutoff=cutoff)
    finally:
        connection.close()


def _exchange(connection: http.client.HTTPConnection, parts: urllib.parse.SplitResult, url: str, *,
              timeout: float, max_bytes: int, deadline: float,
              cutoff: _Cutoff) -> tuple[int, str | None, bytes, str | None]:
    """Send the GET and read the answer; every failure after the deadline is reported as the deadline."""
    too_long = f"cannot load {url}: the download took too long and was stopped"
    target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    try:
        connection.request("GET", target, headers={
            "User-Agent": _USER_AGENT,
            "Accept": "application/json, text/plain;q=0.9, text/*;q=0.5",
            "Accept-Encoding": "identity",
        })
        response = connection.getresponse()
        if cutoff.fired:
            raise DocumentError(too_long)
        status = response.status
        content_type = response.getheader("Content-Type")
        if status in _REDIRECT_CODES:
            return status, response.getheader("Location"), b"", content_type
        if status != 200:
            raise DocumentError(f"cannot load {url}: the server answered {status} {response.reason}")
        if not _content_type_ok(content_type):
            raise DocumentError(
                f"cannot load {url}: the server sent {content_type.split(';')[0].strip()}, not JSON or text"
            )
        length = response.getheader("Content-Length")
        if length and length.strip().isdigit() and int(length) > max_bytes:
            raise DocumentError(
                f"cannot load {url}: the response is {int(length):,} bytes, more than the limit of {max_bytes:,} bytes"
            )
        body = _read_capped(response, url, max_bytes, deadline)
        if cutoff.fired:
            raise DocumentError(too_long)
        return status, None, body, content_type
    except (OSError, http.client.HTTPException) as exc:
        if cutoff.fired:
            raise DocumentError(too_long) from exc
        if isinstance(exc, TimeoutError):
            raise DocumentError(f"cannot load {url}: no answer within {timeout:g} seconds") from exc
        if isinstance(exc, ssl.SSLError):
            raise DocumentError(f"cannot load {url}: secure connection failed ({exc.reason or exc})") from exc
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise DocumentError(f"cannot load {url}: connection failed ({reason})") from exc


def fetch_text(url: str, *, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES,
               allow_private: bool = False) -> str:
    """The text at an http(s) URL, within the limits described in the module docstring."""
    deadline = time.monotonic() + 3 * timeout
    current = url.strip()
    for _hop in range(MAX_REDIRECTS + 1):
        status, location, body, content_type = _get_once(
            current, allow_private=allow_private, timeout=timeout, max_bytes=max_bytes, deadline=deadline
        )
        if status in _REDIRECT_CODES:
            if not location:
                raise DocumentError(f"cannot load {current}: a redirect ({status}) without a Location")
            current = urllib.parse.urljoin(current, location.strip())
            continue
        try:
            return body.decode(_charset(content_type)).removeprefix("\ufeff")
        except (LookupError, UnicodeDecodeError) as exc:
            raise DocumentError(f"cannot load {current}: the response is not readable text ({exc})") from exc
    raise DocumentError(f"cannot load {url}: more than {MAX_REDIRECTS} redirects")


# ----------------------------------------------------------------------------------------------------------
# JSON text, files and URLs


def load_manifest_source(source: str | os.PathLike, *, allow_private: bool = False,
                         timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES,
                         origin: str | None = None) -> dict:
    """A JSON object from pasted JSON text, an http(s) URL, or a file path (in that order of detection).

    ``origin`` names a ``Path`` source in messages instead of its path (an upload is named by its file name,
    never by where the server keeps it).
    """
    if isinstance(source, os.PathLike):
        return read_json_object(Path(source), max_bytes=max_bytes, origin=origin)
    else:
        stripped = source.strip().removeprefix("\ufeff")
        if not stripped:
            raise DocumentError("nothing to load: the text is empty")
        if stripped[0] in "{[":
            if len(stripped.encode("utf-8", "replace")) > max_bytes:
                raise DocumentError(f"the JSON text is larger than the limit of {max_bytes:,} bytes")
            text, origin = stripped, "the JSON text"
        elif re.match(r"(?i)^https?://", stripped):
            text, origin = fetch_text(stripped, timeout=timeout, max_bytes=max_bytes, allow_private=allow_private), stripped
        elif _URL_LIKE.match(stripped) and not re.match(r"^[A-Za-z]:[\\/]", stripped):
            scheme = stripped.split(":", 1)[0]
            raise DocumentError(f"cannot load {stripped[:200]}: only http and https URLs are allowed, not {scheme}:")
        else:
            text, origin = read_file_text(Path(stripped), max_bytes=max_bytes), stripped
    return json_object(text, origin)
