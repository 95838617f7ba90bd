"""What the CLI's render does, the img2img script does too: continue an unfinished render into the same video,
GIF and WebM, an audio track, and the input video's sampling rate — through the A1111 stand-in."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import numpy as np
import pytest
from conftest import ffmpeg_exe, make_manifest
from PIL import Image

from lib_parseq.backends.a1111_ui import CONTINUE_LAST
from lib_parseq.errors import DocumentError, RenderError
from lib_parseq.video.probe import probe_video
from lib_parseq.video.reader import VideoReader

OUT = "outputs/img2img-images"


def run_parseq(webui, init_image, values: dict, **p_fields):
    return webui.img2img(init_image, webui.script_args("Parseq", values), **p_fields)


def video_of(processed):
    from pathlib import Path

    return Path(processed.info.split("Parseq video: ")[1].split(" (")[0])


def interrupt_once_at(webui, position: int) -> None:
    """Press Interrupt during the given frame of the next render (once)."""
    state = webui.modules.shared.state
    fired = []

    def on_step(params):
        if not fired and state.job_no == position and params.sampling_step == 1:
            fired.append(True)
            state.interrupt()

    webui.modules.script_callbacks.on_cfg_denoiser(on_step)


def media_duration(path) -> float:
    """The container's duration as ffmpeg reports it."""
    text = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr
    hours, minutes, seconds = re.search(r"Duration: (\d+):(\d+):([\d.]+)", text).groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def test_continue_after_interrupt_equals_an_uninterrupted_render(webui, init_image):
    manifest = json.dumps(make_manifest(8))
    whole = video_of(run_parseq(webui, init_image, {"parseq_manifest": manifest,
                                                    "parseq_output_template": "whole.mp4"}, steps=4))
    interrupt_once_at(webui, 3)
    stopped = run_parseq(webui, init_image, {"parseq_manifest": manifest, "parseq_output_template": "cut.mp4"},
                         steps=4)
    cut = video_of(stopped)
    assert "3 of 8 frames, stopped early" in stopped.info
    assert probe_video(cut).frame_count == 3
    assert (webui.root / OUT / f".{cut.name}.parseq" / "checkpoint.json").is_file()

    resumed = run_parseq(webui, init_image, {"parseq_manifest": manifest, "parseq_unfinished": CONTINUE_LAST,
                                             "parseq_output_template": "ignored-on-continue.mp4"}, steps=4)
    assert video_of(resumed) == cut
    assert "8 of 8 frames" in resumed.info and "stopped early" not in resumed.info
    assert cut.read_bytes() == whole.read_bytes()
    assert not (webui.root / OUT / "ignored-on-continue.mp4").exists()
    assert not (webui.root / OUT / f".{cut.name}.parseq").exists()
    with pytest.raises(RenderError, match="no unfinished render to continue"):
        run_parseq(webui, init_image, {"parseq_manifest": manifest, "parseq_unfinished": CONTINUE_LAST})


def test_a_failed_frame_can_be_continued_and_the_error_says_how(webui, init_image, monkeypatch):
    processing = webui.modules.processing
    real = processing.process_images

    def out_of_memory_at_frame_3(p):
        if p.extra_generation_params.get("Parseq frame") == 3:
            raise RuntimeError("CUDA out of memory")
        return real(p)

    manifest = json.dumps(make_manifest(6))
    monkeypatch.setattr(processing, "process_images", out_of_memory_at_frame_3)
    with pytest.raises(RenderError) as failure:
        run_parseq(webui, init_image, {"parseq_manifest": manifest, "parseq_output_template": "oom.mp4"})
    message = failure.value.message
    assert "frame 3" in message and "CUDA out of memory" in message
    assert f'choose "{CONTINUE_LAST}"' in message and "--resume" not in message
    assert probe_video(webui.root / OUT / "oom.mp4").frame_count == 3
    monkeypatch.setattr(processing, "process_images", real)
    resumed = run_parseq(webui, init_image, {"parseq_manifest": manifest, "parseq_unfinished": CONTINUE_LAST})
    assert video_of(resumed) == webui.root / OUT / "oom.mp4"
    assert probe_video(video_of(resumed)).frame_count == 6


def test_continue_keeps_the_random_ui_seed_of_the_stopped_render(webui, init_image):
    manifest = json.dumps(make_manifest(6, seed=None))
    interrupt_once_at(webui, 2)
    run_parseq(webui, init_image, {"parseq_manifest": manifest}, seed=-1)
    first = [c["seed"] for c in webui.modules.processing.calls]
    assert len(first) == 3
    webui.modules.processing.calls.clear()
    run_parseq(webui, init_image, {"parseq_manifest": manifest, "parseq_unfinished": CONTINUE_LAST}, seed=-1)
    seeds = [c["seed"] for c in webui.modules.processing.calls]
    assert seeds == [first[0] + f for f in range(2, 6)]


def test_continue_refuses_a_different_manifest(webui, init_image):
    interrupt_once_at(webui, 2)
    run_parseq(webui, init_image, {"parseq_manifest": json.dumps(make_manifest(6))})
    with pytest.raises(RenderError, match="differ from the interrupted render"):
        run_parseq(webui, init_image, {"parseq_manifest": json.dumps(make_manifest(6, seed=lambda f: 7)),
                                       "parseq_unfinished": CONTINUE_LAST})


def test_gif_and_webm_beside_the_video(webui, init_image):
    processed = run_parseq(webui, init_image, {"parseq_manifest": json.dumps(make_manifest(5)),
                                               "parseq_gif": True, "parseq_webm": True,
                                               "parseq_output_template": "anim.mp4"})
    folder = webui.root / OUT
    gif = Image.open(folder / "anim.gif")
    assert gif.n_frames == 5
    assert probe_video(folder / "anim.webm").frame_count == 5
    assert str(folder / "anim.gif") in processed.info and str(folder / "anim.webm") in processed.info


def test_settings_give_the_controls_their_defaults(webui, init_image):
    opts = webui.modules.shared.opts
    opts.data.update({"parseq_gif": True, "parseq_unfinished": CONTINUE_LAST})
    webui.build_ui()
    script = webui.script("Parseq")
    by_id = {c.elem_id: c for c in script.controls}
    assert by_id["parseq_gif"].value is True and by_id["parseq_webm"].value is False
    assert by_id["parseq_unfinished"].value == CONTINUE_LAST
    assert {"parseq_gif", "parseq_webm", "parseq_unfinished"} <= set(opts.data_labels)


def test_audio_from_a_server_path_is_muxed_and_trimmed(webui, init_image, audio_file):
    run_parseq(webui, init_image, {"parseq_manifest": json.dumps(make_manifest(6)), "parseq_audio_path":
                                   str(audio_file), "parseq_output_template": "sound.mp4", "parseq_webm": True})
    for name in ("sound.mp4", "sound.webm"):
        video = webui.root / OUT / name
        assert probe_video(video).has_audio
        assert media_duration(video) == pytest.approx(0.6, abs=0.08), f"{name}: the 3 s track is cut to the video"


def decoded_audio(path) -> np.ndarray:
    """The file's audio as mono float samples at 8 kHz, decoded by ffmpeg."""
    raw = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path), "-map", "0:a:0",
                          "-ac", "1", "-ar", "8000", "-f", "f32le", "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.float32)


def audio_document(audio_file, start: float) -> str:
    """A keyframe document (6 frames at 10 fps) that names the audio it was analysed from, as `parseq audio`
    records it in ``meta.audio``."""
    return json.dumps({
        "options": {"output_fps": 10},
        "keyframes": [{"frame": 0, "seed": 5, "zoom": 1.0}, {"frame": 5, "seed": 10, "zoom": 1.1}],
        "meta": {"audio": {"file": str(audio_file), "path": str(audio_file), "start": start}},
    })


def test_a_document_that_names_its_audio_gets_that_track_from_its_start(webui, init_image, audio_file):
    run_parseq(webui, init_image, {"parseq_manifest": audio_document(audio_file, 2.7),
                                   "parseq_output_template": "named.mp4"})
    video = webui.root / OUT / "named.mp4"
    assert probe_video(video).has_audio
    # Every frame stays, and the track starts 2.7 s in: 0.3 s of tone, then silence to the video's end.
    assert probe_video(video).frame_count == 6
    assert media_duration(video) == pytest.approx(0.6, abs=0.08)
    sound = decoded_audio(video)
    assert np.abs(sound[: len(sound) // 3]).max() > 0.1
    assert np.abs(sound[-len(sound) // 4 :]).max() < 1e-3
    run_parseq(webui, init_image, {"parseq_manifest": json.dumps(make_manifest(6)),
                                   "parseq_output_template": "silent.mp4"})
    assert not probe_video(webui.root / OUT / "silent.mp4").has_audio


def test_audio_upload_only_from_gradios_upload_folder(webui, init_image, audio_file):
    from lib_parseq.uploads import upload_folders

    manifest = json.dumps(make_manifest(3))
    with pytest.raises(DocumentError, match="refused"):
        run_parseq(webui, init_image, {"parseq_manifest": manifest, "parseq_audio_upload": str(audio_file)})
    uploads = upload_folders()[0] / "parseq-test-upload"
    uploads.mkdir(parents=True, exist_ok=True)
    try:
        uploaded = uploads / "tone.wav"
        shutil.copy(audio_file, uploaded)
        with pytest.raises(RenderError, match="not both"):
            run_parseq(webui, init_image, {"parseq_manifest": manifest, "parseq_audio_upload": str(uploaded),
                                           "parseq_audio_path": str(audio_file)})
        run_parseq(webui, init_image, {"parseq_manifest": manifest, "parseq_audio_upload": str(uploaded),
                                       "parseq_output_template": "uploaded.mp4"})
    finally:
        shutil.rmtree(uploads)
    assert probe_video(webui.root / OUT / "uploaded.mp4").has_audio
    with pytest.raises(RenderError, match="does not exist"):
        run_parseq(webui, init_image, {"parseq_manifest": manifest, "parseq_audio_path": "/nonexistent/a.wav"})


def test_every_nth_input_frame_or_an_input_fps(webui, init_image, small_video):
    with VideoReader(probe_video(small_video)) as reader:
        every = [np.asarray(frame, dtype=np.float64).mean() for frame in reader]
    assert len(every) == 8
    manifest = json.dumps(make_manifest(4, strength=lambda f: 1.0, extra=lambda f: {"zoom": 1.0}))
    base = {"parseq_manifest": manifest, "parseq_input_video": str(small_video)}
    calls = webui.modules.processing.calls
    for sampling in ({"parseq_input_nth_frame": 2}, {"parseq_input_fps": 5}):
        calls.clear()
        run_parseq(webui, init_image, {**base, **sampling})
        assert [c["init_mean"] for c in calls] == pytest.approx(every[0::2], abs=1.5), sampling
    with pytest.raises(RenderError, match="not both"):
        run_parseq(webui, init_image, {**base, "parseq_input_nth_frame": 2, "parseq_input_fps": 5})
    with pytest.raises(RenderError, match="apply to an input video"):
        run_parseq(webui, init_image, {"parseq_manifest": manifest, "parseq_input_nth_frame": 2})
