"""Red-team findings at the command line (issue 14): limits and early, clear errors instead of tracebacks,
ffmpeg blow-ups or late failures. Each command runs in-process through ``lib_parseq.cli.main``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lib_parseq.cli import main
from lib_parseq.json_input import MAX_JSON_BYTES

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
