"""The tab's "Prepare downloads": files on disk stay bounded however often it is clicked (issue 14, finding 11)."""

from __future__ import annotations

import json
import tempfile

import pytest

from lib_parseq.ui import exporting
from lib_parseq.ui.exporting import write_exports

KEPT_EXPORTS = 4  # lib_parseq.ui.exporting.KEPT_EXPORTS

DOC = {"options": {"output_fps": 10}, "keyframes": [{"frame": 0, "zoom": 1}, {"frame": 10, "zoom": 2}]}
MANIFEST = {"options": {"output_fps": 10}, "rendered_frames": [{"frame": f, "zoom": 1 + f / 10} for f in range(11)]}


@pytest.fixture()
def private_temp(tmp_path, monkeypatch):
    """Point tempfile (and so the exports) at an empty folder of this test's own."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(exporting, "_export_roots", {}, raising=False)
    return tmp_path


def files_under(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_clicking_again_without_changes_writes_no_new_files(private_temp):
    first = write_exports(DOC, MANIFEST)
    for _ in range(5):
        assert write_exports(DOC, MANIFEST) == first
    assert len(files_under(private_temp)) == 2
    assert json.loads(open(first[1]).read()) == MANIFEST
    assert json.loads(open(first[0]).read())["meta"]["generated_by"] == "sd-webui-parseq"


def test_only_the_latest_exports_are_kept_when_the_document_keeps_changing(private_temp):
    assert exporting.KEPT_EXPORTS == KEPT_EXPORTS
    paths = [write_exports(dict(DOC, keyframes=[{"frame": 0, "zoom": i}, {"frame": 10}]), MANIFEST)
             for i in range(KEPT_EXPORTS + 6)]
    assert len(files_under(private_temp)) == 2 * KEPT_EXPORTS
    kept = range(len(paths) - KEPT_EXPORTS, len(paths))
    for i in kept:
        document_path, manifest_path = paths[i]
        assert json.loads(open(document_path).read())["keyframes"][0]["zoom"] == i
        assert json.loads(open(manifest_path).read()) == MANIFEST
    assert [open_ok(p) for p, _ in paths] == [i in kept for i in range(len(paths))]


def open_ok(path):
    try:
        open(path).close()
    except FileNotFoundError:
        return False
    return True
