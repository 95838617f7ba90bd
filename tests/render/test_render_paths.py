"""Output path templates: placeholders, sanitising, and refusing every way out of the output folder."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from lib_parseq.errors import RenderError
from lib_parseq.video.paths import resolve_output_path, sanitise_name

NOW = datetime(2024, 5, 6, 7, 8, 9)


def test_timestamp_and_default_suffix(tmp_path):
    path = resolve_output_path("runs/parseq-<timestamp>", tmp_path, now=NOW)
    assert path == tmp_path / "runs" / "parseq-20240506-070809.mp4"


def test_img2img_output_path_is_the_callers_folder(tmp_path):
    outdir = tmp_path / "outputs" / "img2img"
    path = resolve_output_path("<img2img_output_path>/anim-<timestamp>.mp4", tmp_path / "elsewhere",
                               img2img_output_path=outdir, now=NOW)
    assert path == outdir / "anim-20240506-070809.mp4"
    with pytest.raises(RenderError, match="no img2img output folder"):
        resolve_output_path("<img2img_output_path>/a.mp4", tmp_path)
    with pytest.raises(RenderError, match="only at its start"):
        resolve_output_path("a/<img2img_output_path>/b.mp4", tmp_path, img2img_output_path=outdir)


@pytest.mark.parametrize("template", ["../escape.mp4", "a/../../escape.mp4", "a\\..\\..\\x.mp4", "/etc/x.mp4",
                                      "~/x.mp4", "C:/x.mp4", "<img2img_output_path>/../x.mp4"])
def test_templates_cannot_escape_the_folder(tmp_path, template):
    with pytest.raises(RenderError) as caught:
        resolve_output_path(template, tmp_path / "out", img2img_output_path=tmp_path / "img")
    assert "output path" in str(caught.value)


def test_symlinks_below_the_folder_are_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(outside, root / "link")
    with pytest.raises(RenderError, match="symbolic link"):
        resolve_output_path("link/video.mp4", root)
    os.symlink(outside / "target.mp4", root / "video.mp4")
    with pytest.raises(RenderError, match="symbolic link"):
        resolve_output_path("video.mp4", root)


def test_names_are_sanitised(tmp_path):
    path = resolve_output_path('my:video?"1"|<timestamp>*.mp4', tmp_path, now=NOW)
    assert path.name == "my_video__1__20240506-070809_.mp4"
    assert sanitise_name("..hidden") == "hidden"
    assert sanitise_name("CON.mp4") == "_CON.mp4"
    assert sanitise_name("tab\there") == "tab_here"
    with pytest.raises(RenderError, match="empty"):
        sanitise_name("...")


def test_unknown_placeholders_are_refused(tmp_path):
    with pytest.raises(RenderError, match="unknown placeholder <seed>"):
        resolve_output_path("video-<seed>.mp4", tmp_path)


def test_result_stays_inside_the_folder(tmp_path):
    path = resolve_output_path("a/./b//c.mp4", tmp_path)
    assert Path(os.path.realpath(path)).is_relative_to(Path(os.path.realpath(tmp_path)))
