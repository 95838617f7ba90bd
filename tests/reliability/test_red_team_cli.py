"""Red-team findings at the command line (issue 14): limits and early, clear errors instead of tracebacks,
ffmpeg blow-ups or late failures. Each command runs in-process through ``lib_parseq.cli.main``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lib_parseq.cli import main

MAX_JSON_BYTES = 10_000_000  # lib_parseq.json_input.MAX_JSON_BYTES, the cap `check` always had

REPO = Path(__file__).resolve().parents[2]
INIT = REPO / "examples" / "init.png"
DOCUMENT = {
    "options": {"output_fps": 10, "bpm": 120},
    "keyframes": [{"frame": 0, "zoom": 1}, {"frame": 4, "zoom": 1.1}],
    "prompts": {"positive": "a cat", "negative": ""},
}


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of one command; argparse's own errors exit through SystemExit."""
    try:
        status = main([str(a) for a in args])
    except SystemExit as exc:
        status = exc.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def write_json(path: Path, obj, *, prefix: str = "") -> Path:
    path.write_text(prefix + json.dumps(obj), encoding="utf-8")
    return path


def render_args(tmp_path: Path, source: Path, *extra: str) -> list[str]:
    return ["render", str(source), "--init", str(INIT), "-o", str(tmp_path / "out.mp4"), "--dry-run",
            "--size", "64x64", "--quiet", *extra]


# --- finding 9: frame rates are bounded where they are read -----------------------------------------------

@pytest.mark.parametrize("option", ["--fps", "--input-fps"])
@pytest.mark.parametrize("value", ["1e9", "inf", "1e308", "1e-9", "nan"])
def test_render_refuses_an_unusable_frame_rate_before_anything_runs(capsys, tmp_path, option, value):
    doc = write_json(tmp_path / "doc.json", DOCUMENT)
    status, _, err = run_cli(capsys, *render_args(tmp_path, doc, option, value))
    assert status == 2
    assert f"argument {option}:" in err and "outside the usable range 0.1 to 1000 fps" in err
    assert not (tmp_path / "out.mp4").exists()


@pytest.mark.parametrize("value", ["1e9", "inf", "1e-9", "nan"])
def test_audio_fps_is_bounded_like_render_fps(capsys, tmp_path, value):
    status, _, err = run_cli(capsys, "audio", tmp_path / "song.wav", "-o", tmp_path / "doc.json", "--fps", value)
    assert status == 2 and "outside the usable range 0.1 to 1000 fps" in err


def test_a_manifest_output_fps_out_of_range_is_an_error_in_check_compile_and_render(capsys, tmp_path):
    doc = write_json(tmp_path / "doc.json", {**DOCUMENT, "options": {"output_fps": 1e9, "bpm": 120}})
    status, out, _ = run_cli(capsys, "check", doc)
    assert status == 2 and "$.options.output_fps: 1e+09 fps is outside the usable range" in out
    status, _, err = run_cli(capsys, "compile", doc)
    assert status == 2 and "1e+09 fps is outside the usable range" in err
    status, _, err = run_cli(capsys, *render_args(tmp_path, doc))
    assert status == 2 and "1e+09 fps is outside the usable range" in err
    assert not (tmp_path / "out.mp4").exists()


def test_the_edges_of_the_frame_rate_range_still_render(capsys, tmp_path):
    doc = write_json(tmp_path / "doc.json", DOCUMENT)
    status, _, err = run_cli(capsys, *render_args(tmp_path, doc, "--fps", "1000", "--frames", "0:2"))
    assert status == 0, err
    assert (tmp_path / "out.mp4").stat().st_size > 0


# --- finding 11: one size cap for every JSON read -----------------------------------------------------------

@pytest.mark.parametrize("command", ["compile", "plot", "deforum", "render", "check"])
def test_every_command_refuses_an_endless_file_at_the_cap(capsys, tmp_path, command):
    extra = {"plot": ["-o", str(tmp_path / "x.png")],
             "render": ["--init", str(INIT), "-o", str(tmp_path / "o.mp4"), "--dry-run"]}.get(command, [])
    status, out, err = run_cli(capsys, command, "/dev/zero", *extra)
    assert status == 2
    assert f"cannot load /dev/zero: more than the limit of {MAX_JSON_BYTES:,} bytes" in out + err


def test_compile_refuses_a_file_over_the_cap_before_reading_it(capsys, tmp_path):
    big = tmp_path / "big.json"
    with big.open("w") as handle:
        handle.write('{"keyframes": [' + '{"frame": 0},' * (MAX_JSON_BYTES // 13) + '{"frame": 1}]}')
    status, _, err = run_cli(capsys, "compile", big)
    assert status == 2
    assert f"more than the limit of {MAX_JSON_BYTES:,} bytes" in err


# --- finding 14: numbers past Python's digit limit, and nesting past the decoder's ----------------------------

@pytest.mark.parametrize("command", ["compile", "deforum", "check"])
def test_a_5000_digit_number_is_one_clear_error(capsys, tmp_path, command):
    text = json.dumps(DOCUMENT).replace('"zoom": 1.1', '"zoom": ' + "9" * 5000)
    (tmp_path / "doc.json").write_text(text)
    status, out, err = run_cli(capsys, command, tmp_path / "doc.json")
    assert status == 2
    assert "a 5,000-digit number at line 1, column" in out + err and "too large" in out + err
    assert "Traceback" not in err and "ValueError" not in err


def test_a_5000_digit_number_in_an_eval_stream_answers_that_line_and_keeps_going(capsys, monkeypatch):
    import io

    lines = ['{"expr": "1", "frames": 1' + "0" * 5000 + "}", '{"expr": "f", "frames": 2}']
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    status, out, _ = run_cli(capsys, "eval", "--jsonl")
    answers = [json.loads(line) for line in out.splitlines()]
    assert status == 0
    assert "a 5,001-digit number at line 1, column 25 is too large" in answers[0]["error"]
    assert answers[1] == {"values": [0, 1]}


@pytest.mark.parametrize("command", ["compile", "render"])
def test_100k_deep_nesting_is_one_clear_error(capsys, tmp_path, command):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    args = render_args(tmp_path, deep) if command == "render" else [command, deep]
    status, _, err = run_cli(capsys, *args)
    assert status == 2
    assert "deep.json is nested too deeply to read" in err


# --- finding 15: a UTF-8 byte-order mark is accepted everywhere --------------------------------------------

@pytest.mark.parametrize("command", ["compile", "deforum", "check"])
def test_a_byte_order_mark_is_accepted_by_every_command(capsys, tmp_path, command):
    doc = write_json(tmp_path / "doc.json", DOCUMENT, prefix="\ufeff")
    status, out, err = run_cli(capsys, command, doc)
    assert status == 0, out + err
    if command == "check":
        assert "doc.json: document: OK" in out


def test_a_byte_order_mark_document_renders(capsys, tmp_path):
    doc = write_json(tmp_path / "doc.json", DOCUMENT, prefix="\ufeff")
    status, _, err = run_cli(capsys, *render_args(tmp_path, doc, "--frames", "0:2"))
    assert status == 0, err


# --- finding 14: one clear message for what used to be a traceback ---------------------------------------------

def png_claiming(width: int, height: int) -> bytes:
    """A PNG header that claims ``width``x``height`` pixels (no pixel data): a decompression bomb's first bytes."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [14_000, 9_500])  # past PIL's error threshold, and between warning and error
def test_an_init_image_past_the_pixel_limit_is_refused_before_decoding(capsys, tmp_path, side, recwarn):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_claiming(side, side))
    doc = write_json(tmp_path / "doc.json", DOCUMENT)
    args = render_args(tmp_path, doc)
    args[args.index(str(INIT))] = str(bomb)
    status, _, err = run_cli(capsys, *args)
    assert status == 2
    assert f"init image {bomb} has more than the limit of 89,478,485 pixels" in err
    assert not [w for w in recwarn if "DecompressionBomb" in type(w.message).__name__]


def test_a_damaged_checkpoint_is_one_clear_error(tmp_path):
    import numpy as np

    from lib_parseq.errors import RenderError
    from lib_parseq.render.state import load_checkpoint

    (tmp_path / "checkpoint.json").write_text(json.dumps({"version": 1, "next_frame": 3, "fingerprint": "x",
                                                           "history": 0}))
    (tmp_path / "checkpoint.npz").write_bytes(b"")
    with pytest.raises(RenderError, match="is damaged .*start again with --overwrite"):
        load_checkpoint(tmp_path)
    np.savez(tmp_path / "checkpoint.npz", colour_total=np.zeros((3, 256)))
    data = (tmp_path / "checkpoint.npz").read_bytes()
    (tmp_path / "checkpoint.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(RenderError, match="is damaged"):
        load_checkpoint(tmp_path)


def test_plot_refuses_a_format_it_cannot_write_before_compiling(capsys, tmp_path):
    doc = write_json(tmp_path / "doc.json", DOCUMENT)
    status, _, err = run_cli(capsys, "plot", doc, "-o", tmp_path / "x.txt")
    assert status == 2
    assert "cannot write a chart as txt: use one of" in err and ".png" in err and ".svg" in err
    assert not (tmp_path / "x.txt").exists()


def test_ui_refuses_a_port_out_of_range(capsys):
    status, _, err = run_cli(capsys, "ui", "--port", "99999")
    assert status == 2 and "port 99999 is outside 1 to 65535" in err


def test_ui_refuses_a_port_in_use(capsys):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        status, _, err = run_cli(capsys, "ui", "--port", port)
    assert status == 2
    assert f"cannot listen on 127.0.0.1 port {port}: it is in use" in err


def test_ui_without_gradio_says_what_to_install(capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "gradio", None)  # what an environment without gradio gives import
    status, _, err = run_cli(capsys, "ui", "--port", "1")
    assert status == 2
    assert "the editor needs gradio, which is not installed here" in err


@pytest.mark.parametrize("schedule", [
    "0:(" + "+".join(["1"] * 3000) + ")",               # 3,000 terms
    "0:(" + "sin(" * 400 + "t" + ")" * 400 + ")",        # 400 nested calls
    "0:(" + "-" * 3000 + "1)",                          # 3,000 unary minus signs
])
def test_a_huge_deforum_schedule_pasted_into_the_tab_is_one_clear_error(schedule):
    from lib_parseq.errors import DocumentError
    from lib_parseq.ui.importing import import_text

    doc = {"keyframes": [{"frame": 0, "zoom": 1}, {"frame": 10, "zoom": 1}]}
    with pytest.raises(DocumentError, match="nested too deeply") as caught:
        import_text(schedule, doc, "zoom")
    assert caught.value.column is not None


def test_a_long_but_reasonable_deforum_schedule_still_imports():
    from lib_parseq.ui.importing import import_text

    doc = {"keyframes": [{"frame": 0, "zoom": 1}, {"frame": 10, "zoom": 1}]}
    new_doc, message = import_text("0:(" + "+".join(["0.01"] * 150) + ")", doc, "zoom")
    assert message == "Imported a Deforum schedule into zoom."
    from lib_parseq.schedules import compile_document

    assert compile_document(new_doc)["rendered_frames"][0]["zoom"] == pytest.approx(1.5)


# --- finding 15: fail before the first frame, not after the last ------------------------------------------------

def test_a_missing_audio_file_fails_before_rendering(capsys, tmp_path):
    doc = write_json(tmp_path / "doc.json", DOCUMENT)
    status, _, err = run_cli(capsys, *render_args(tmp_path, doc, "--audio", tmp_path / "absent.wav"))
    assert status == 2 and f"audio file not found: {tmp_path / 'absent.wav'}" in err
    assert not (tmp_path / "out.mp4").exists() and not (tmp_path / ".out.mp4.parseq").exists()


@pytest.mark.parametrize("extra", [[], ["--overwrite"]])
def test_an_output_that_is_a_directory_fails_before_rendering(capsys, tmp_path, extra):
    doc = write_json(tmp_path / "doc.json", DOCUMENT)
    (tmp_path / "out.mp4").mkdir()
    status, _, err = run_cli(capsys, *render_args(tmp_path, doc, *extra))
    assert status == 2 and f"the output {tmp_path / 'out.mp4'} is a directory" in err
    assert (tmp_path / "out.mp4").is_dir()


@pytest.mark.parametrize("command", ["compile", "plot"])
def test_compile_and_plot_check_their_output_path_first(capsys, tmp_path, command):
    doc = write_json(tmp_path / "doc.json", DOCUMENT)
    (tmp_path / "dir.png").mkdir()
    status, _, err = run_cli(capsys, command, doc, "-o", tmp_path / "dir.png")
    assert status == 2 and "dir.png: the output is a directory; give a file name" in err
    status, _, err = run_cli(capsys, command, doc, "-o", tmp_path / "absent" / "x.png")
    assert status == 2 and f"the output's folder {tmp_path / 'absent'} does not exist" in err


def test_an_audio_only_file_as_video_says_there_is_no_video_stream(capsys, tmp_path):
    import subprocess

    from lib_parseq.video.ffmpeg import find_ffmpeg

    audio = tmp_path / "tone.m4a"
    subprocess.run([find_ffmpeg(), "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                    "sine=frequency=440:duration=1", str(audio)], check=True, capture_output=True)
    doc = write_json(tmp_path / "doc.json", DOCUMENT)
    status, _, err = run_cli(capsys, "render", doc, "--video", audio, "-o", tmp_path / "out.mp4", "--dry-run")
    assert status == 2 and f"no video stream in {audio}: it holds no pictures" in err


@pytest.mark.parametrize("size", ["16386x2", "30000x30000", "16384x8192"])
def test_a_frame_size_past_the_limits_fails_before_rendering(capsys, tmp_path, size):
    doc = write_json(tmp_path / "doc.json", DOCUMENT)
    args = render_args(tmp_path, doc)
    args[args.index("64x64")] = size
    status, _, err = run_cli(capsys, *args)
    assert status == 2 and f"output size {size} is too large: at most 16384 on a side" in err
    assert not (tmp_path / "out.mp4").exists()


# --- finding 16: wrong but silent ------------------------------------------------------------------------------

def test_an_init_image_is_turned_upright_by_its_exif_orientation(capsys, tmp_path):
    from PIL import Image

    from lib_parseq.render.inputs import load_image

    picture = Image.new("RGB", (40, 20), (200, 0, 0))
    picture.paste((0, 0, 200), (0, 0, 10, 20))  # blue on the left edge
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    path = tmp_path / "phone.jpg"
    picture.save(path, exif=exif, quality=95)
    upright = load_image(path)
    assert upright.shape == (40, 20, 3)
    assert upright[2, 10, 2] > 150 and upright[-3, 10, 0] > 150  # the blue edge is now at the top
    doc = write_json(tmp_path / "doc.json", DOCUMENT)
    status, _, err = run_cli(capsys, "render", doc, "--init", path, "-o", tmp_path / "o.mp4", "--dry-run",
                             "--quiet", "--frames", "0:1")
    assert status == 0, err
    from lib_parseq.video import probe_video

    info = probe_video(tmp_path / "o.mp4")
    assert (info.width, info.height) == (20, 40)


@pytest.mark.parametrize("keyframe, managed, message", [
    ({"deforum_prompt": 7}, None, '$.keyframes[0].deforum_prompt: "deforum_prompt" is a reserved name'),
    ({"zoom_delta": 5}, ["zoom", "zoom_delta"], '$.managedFields[1]: "zoom_delta" clashes with the zoom_delta column'),
    ({"zoom_pc": 5}, None, '$.keyframes[0].zoom_pc: "zoom_pc" clashes with the zoom_pc column'),
])
def test_a_field_that_would_overwrite_a_rendered_column_is_refused(capsys, tmp_path, keyframe, managed, message):
    doc = dict(DOCUMENT, keyframes=[{"frame": 0, "zoom": 1, **keyframe}, {"frame": 4, "zoom": 2}])
    if managed:
        doc["managedFields"] = managed
    path = write_json(tmp_path / "doc.json", doc)
    status, out, _ = run_cli(capsys, "check", path)
    assert status == 2 and message in out
    status, _, err = run_cli(capsys, "compile", path)
    assert status == 2 and message.split(": ", 1)[1] in err


def test_what_check_calls_ok_compiles_to_a_manifest_check_calls_ok(capsys, tmp_path):
    doc = dict(DOCUMENT, keyframes=[{"frame": 0, "zoom": 1, "wobble": 2}, {"frame": 4, "zoom": 2, "wobble_i": "S"}])
    path = write_json(tmp_path / "doc.json", doc)
    assert run_cli(capsys, "check", path)[0] == 0
    assert run_cli(capsys, "compile", path, "-o", tmp_path / "m.json")[0] == 0
    status, out, _ = run_cli(capsys, "check", tmp_path / "m.json")
    assert status == 0 and "m.json: manifest: OK" in out


def test_compile_prints_the_validator_warnings(capsys, tmp_path):
    path = write_json(tmp_path / "doc.json", {**DOCUMENT, "junk": 1})
    status, _, err = run_cli(capsys, "compile", path, "-o", tmp_path / "m.json")
    assert status == 0
    assert "Warning: $.junk: unknown field; kept as is but not used" in err


def test_check_piped_into_head_stops_quietly(tmp_path):
    import subprocess
    import sys

    paths = [write_json(tmp_path / f"doc{i}.json", {**DOCUMENT, "junk": 1}) for i in range(3)]
    process = subprocess.Popen([sys.executable, "-m", "lib_parseq", "check", *map(str, paths * 2000)],
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = process.stdout.readline()
    process.stdout.close()
    _, err = process.communicate(timeout=120)
    assert first.startswith(str(paths[0]).encode())
    assert process.returncode == 141
    assert b"Traceback" not in err and b"BrokenPipeError" not in err
