"""The tab over real HTTP with hostile input (``python -m lib_parseq ui``, gradio's own routes): an upload value
naming a server file is refused before gradio copies it, and the answer repeats neither the file's contents
nor its path; pasted JSON with a lone surrogate is one clear error, not an HTTP 500."""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from pathlib import Path

import pytest
from servers import answers, running_server

pytestmark = pytest.mark.slow

SECRET = "parseq-test-secret-7f3a9c"


def post_json(url: str, payload: dict) -> tuple[int, str]:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def upload_through_gradio(url: str, path: Path) -> str:
    """What a browser does first: POST the file to ``/upload``; gradio answers with where it keeps it."""
    boundary = "parseqboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{path.name}\"\r\n"
            "Content-Type: application/json\r\n\r\n").encode() + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(url + "upload", data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())[0]


def fn_index(config: dict, elem_id: str, trigger: str) -> int:
    """The index of the event ``trigger`` of the component with ``elem_id`` (how the page calls it)."""
    ids = [c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == elem_id]
    assert ids, f"no component {elem_id}"
    for index, dependency in enumerate(config["dependencies"]):
        targets = dependency.get("targets") or []
        flat = [t[0] if isinstance(t, list) else t for t in targets]
        if ids[0] in flat and (dependency.get("trigger") == trigger or [trigger] in targets
                               or any(isinstance(t, list) and t[1] == trigger for t in targets)):
            return index
    raise AssertionError(f"no {trigger} event on {elem_id}")


def file_contents_under(folder: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def tab_server(repo_root, free_port, artifacts_dir, tmp_path_factory):
    """The standalone tab with its own gradio upload folder; yields (url, upload folder, import fn_index)."""
    uploads = tmp_path_factory.mktemp("gradio-uploads")
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "GRADIO_TEMP_DIR": str(uploads)}
    with running_server([sys.executable, "-m", "lib_parseq", "ui", "--host", "127.0.0.1", "--port", str(port)],
                        cwd=repo_root, log_path=artifacts_dir / "upload-safety-server.log", ready=answers(url),
                        what="the UI server", env=env):
        with urllib.request.urlopen(url + "config", timeout=30) as response:
            config = json.loads(response.read())
        yield url, uploads, fn_index(config, "parseq_import_file", "upload"), fn_index(
            config, "parseq_import_button", "click")


def call_import(url: str, index: int, value: dict) -> tuple[int, str]:
    return post_json(url + "run/predict", {"fn_index": index, "data": [value, None, None, "frames"],
                                           "session_hash": "parseqtest"})


def test_a_server_file_named_by_the_request_is_refused_and_not_copied(tab_server, tmp_path):
    url, uploads, index, _ = tab_server
    secret = tmp_path / "secret.json"
    secret.write_text(SECRET + "\n{}")
    status, body = call_import(url, index, {"name": str(secret), "is_file": True, "data": None})
    assert status == 200, body
    assert SECRET not in body and str(tmp_path) not in body
    assert SECRET not in file_contents_under(uploads)
    assert "upload was refused" in body


def test_a_link_inside_the_upload_folder_to_a_server_file_is_refused(tab_server, tmp_path):
    url, uploads, index, _ = tab_server
    secret = tmp_path / "secret.json"
    secret.write_text(SECRET + "\n{}")
    link_folder = uploads / "planted"
    link_folder.mkdir(exist_ok=True)
    (link_folder / "doc.json").symlink_to(secret)
    status, body = call_import(url, index, {"name": str(link_folder / "doc.json"), "is_file": True, "data": None})
    assert status == 200, body
    assert SECRET not in body and str(tmp_path) not in body
    assert "upload was refused" in body


def test_a_file_uploaded_through_the_page_is_imported(tab_server, repo_root, tmp_path):
    url, uploads, index, _ = tab_server
    document = tmp_path / "mine.json"
    document.write_text((repo_root / "examples" / "orbit.json").read_text())
    stored = upload_through_gradio(url, document)
    assert Path(stored).resolve().is_relative_to(uploads.resolve())
    status, body = call_import(url, index, {"name": stored, "is_file": True, "data": None, "orig_name": "mine.json"})
    assert status == 200, body
    assert "Imported a Parseq document. (from mine.json)" in body
    assert "upload was refused" not in body


def test_a_broken_upload_is_reported_by_its_name_only(tab_server, tmp_path):
    url, uploads, index, _ = tab_server
    broken = tmp_path / "broken.json"
    broken.write_text('{"keyframes": [')
    stored = upload_through_gradio(url, broken)
    status, body = call_import(url, index, {"name": stored, "is_file": True, "data": None})
    assert status == 200, body
    assert str(uploads) not in body and str(Path(stored).parent) not in body
    assert "broken.json is not valid JSON" in body


def test_pasted_json_with_a_lone_surrogate_is_a_clear_error(tab_server, repo_root):
    url, _, _, index = tab_server
    document = (repo_root / "examples" / "orbit.json").read_text().replace("a sunset over", "a sunset \\ud800 over")
    status, body = post_json(url + "run/predict", {"fn_index": index, "session_hash": "parseqtest",
                                                   "data": [document, "", None, None, "frames"]})
    assert status == 200, body
    assert "lone surrogate" in body and "promptList[0].positive" in body
