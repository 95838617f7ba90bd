"""The img2img script's upload box inside the stand-in webui, over real HTTP: a value naming a server file is
refused before gradio copies it, the summary says so without the file's contents or path, and Generate
renders nothing from it."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from conftest import make_manifest

from lib_parseq.backends.a1111_input import load_input
from lib_parseq.errors import DocumentError
from lib_parseq.uploads import REFUSED_MESSAGE

SECRET = "parseq-test-secret-51c2e0"


def post_json(url: str, payload: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def summary_event(demo, upload) -> int:
    """The fn_index of the upload box's change event (it refreshes the manifest summary)."""
    for index, dependency in enumerate(demo.config["dependencies"]):
        targets = [t[0] if isinstance(t, list) else t for t in dependency.get("targets") or []]
        if upload._id in targets and dependency.get("trigger") == "change":
            return index
    raise AssertionError("no change event on the upload box")


@pytest.fixture()
def served_webui(webui, tmp_path, monkeypatch):
    """The stand-in webui built and served on localhost, with its own gradio upload folder."""
    uploads = tmp_path / "gradio-uploads"
    uploads.mkdir()
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(uploads))
    demo = webui.build_ui()
    demo.queue()
    _, url, _ = demo.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True)
    try:
        yield webui, demo, url, uploads
    finally:
        demo.close()


@pytest.fixture()
def secret_file(tmp_path) -> Path:
    path = tmp_path / "private" / "secret.json"
    path.parent.mkdir()
    path.write_text(json.dumps(make_manifest(3)).replace("{", "{" + json.dumps(SECRET) + ": 1, ", 1))
    return path


def file_contents_under(folder: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


@pytest.mark.slow
def test_summary_refuses_a_server_file_named_by_the_request(served_webui, secret_file):
    webui, demo, url, uploads = served_webui
    upload = next(c for c in webui.img2img_inputs["custom_inputs"] if c.elem_id == "parseq_script_manifest_file")
    answer = post_json(url + "run/predict", {"fn_index": summary_event(demo, upload), "session_hash": "parseqtest",
                                             "data": ["", {"name": str(secret_file), "is_file": True, "data": None}]})
    text = json.dumps(answer)
    assert SECRET not in text and str(secret_file.parent) not in text
    assert SECRET not in file_contents_under(uploads)
    assert REFUSED_MESSAGE in answer["data"][0]


@pytest.mark.slow
def test_generate_renders_nothing_from_a_server_file_named_by_the_request(served_webui, secret_file):
    import base64

    webui, demo, url, uploads = served_webui
    custom = webui.img2img_inputs["custom_inputs"]
    values = [getattr(c, "value", None) for c in custom[1:]]
    by_id = {c.elem_id: i for i, c in enumerate(custom[1:])}
    values[by_id["parseq_manifest"]] = ""
    values[by_id["parseq_script_manifest_file"]] = {"name": str(secret_file), "is_file": True, "data": None}
    index = next(i for i, d in enumerate(demo.config["dependencies"]) if d.get("api_name") == "img2img")
    init = "data:image/png;base64," + base64.b64encode(
        (Path(__file__).parents[2] / "examples" / "init.png").read_bytes()).decode()
    request = urllib.request.Request(url + "run/predict", method="POST", headers={"Content-Type": "application/json"},
                                     data=json.dumps({"fn_index": index, "session_hash": "parseqtest", "data": [
                                         init, "ui prompt", "", 5, 7, 0.5, -1, "Parseq", *values]}).encode())
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=120)
    body = raised.value.read().decode()
    assert SECRET not in body and str(secret_file.parent) not in body
    assert webui.modules.processing.calls == []
    assert SECRET not in file_contents_under(uploads)


class Gradio3Upload:
    """What gradio 3's File.preprocess hands a handler: a temp-file wrapper with ``name`` and ``orig_name``."""

    def __init__(self, name: str, orig_name: str) -> None:
        self.name = name
        self.orig_name = orig_name


def test_load_input_refuses_a_copy_gradio_made_of_a_server_file(tmp_path, monkeypatch, secret_file):
    uploads = tmp_path / "gradio-uploads"
    copy = uploads / "0123abcd" / "secret.json"
    copy.parent.mkdir(parents=True)
    copy.write_text(secret_file.read_text())
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(uploads))
    with pytest.raises(DocumentError) as raised:
        load_input("", Gradio3Upload(str(copy), str(secret_file)))
    assert raised.value.message == REFUSED_MESSAGE
    assert SECRET not in str(raised.value)


def test_load_input_reads_an_upload_from_the_upload_folder_and_names_it_by_file_name(tmp_path, monkeypatch):
    uploads = tmp_path / "gradio-uploads"
    stored = uploads / "0123abcd" / "mine.json"
    stored.parent.mkdir(parents=True)
    stored.write_text(json.dumps(make_manifest(3)))
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(uploads))
    loaded = load_input("", Gradio3Upload(str(stored), "mine.json"))
    assert loaded.origin == "mine.json"
    assert len(loaded.manifest["rendered_frames"]) == 3
    stored.write_text("[1, 2")
    with pytest.raises(DocumentError) as raised:
        load_input("", Gradio3Upload(str(stored), "mine.json"))
    assert "mine.json is not valid JSON" in str(raised.value)
    assert str(uploads) not in str(raised.value)
