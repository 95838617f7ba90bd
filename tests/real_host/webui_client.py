"""A small HTTP client for the webui's API (``--api``) and helpers to read what a Parseq render returns."""

from __future__ import annotations

import base64
import io
import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from PIL import Image

VIDEO_NOTE = re.compile(r"Parseq video: (?P<path>.+?) \((?P<written>\d+) of (?P<total>\d+) frames(?P<rest>[^)]*)\)")


class ApiError(Exception):
    """The API answered with an HTTP error; ``status`` and the decoded ``body`` say what it was."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class WebuiClient:
    """JSON over HTTP to one webui."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def request(self, method: str, path: str, payload: Any = None, timeout: float = 60) -> Any:
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read().decode("utf-8", "replace")
            try:
                raise ApiError(exc.code, json.loads(raw)) from None
            except json.JSONDecodeError:
                raise ApiError(exc.code, raw) from None
        return json.loads(body) if body else None

    def get(self, path: str, timeout: float = 60) -> Any:
        return self.request("GET", path, timeout=timeout)

    def post(self, path: str, payload: Any = None, timeout: float = 60) -> Any:
        return self.request("POST", path, payload if payload is not None else {}, timeout=timeout)

    def ready(self) -> bool:
        """The API and the page are both served (the UI is built before the API routes answer scripts)."""
        try:
            self.get("/sdapi/v1/scripts", timeout=5)
            with urllib.request.urlopen(self.url + "/", timeout=5) as response:
                return response.status == 200
        except (OSError, ApiError):
            return False


def png_base64(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def init_image(width: int = 64, height: int = 64) -> Image.Image:
    """A small RGB gradient, so frames differ from a flat fill."""
    ramp = Image.linear_gradient("L").resize((width, height))
    return Image.merge("RGB", (ramp, ramp.transpose(Image.FLIP_LEFT_RIGHT), Image.new("L", (width, height), 90)))


def video_note(info: str) -> dict[str, Any]:
    """The "Parseq video: <path> (n of m frames[, stopped early...])" note the script adds to the first infotext."""
    match = VIDEO_NOTE.search(info)
    assert match, f"no 'Parseq video:' note in the render's info: {info!r}"
    return {"path": Path(match["path"]), "written": int(match["written"]), "total": int(match["total"]),
            "stopped": "stopped early" in match["rest"]}
