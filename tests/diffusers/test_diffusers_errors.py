"""What a user sees when the model or the machine lets them down, and a render killed and resumed."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time

import imageio_ffmpeg
import numpy as np
import pytest
from diffusers_helpers import COMMON, REPO, frame_pngs, manifest, needs_diffusers, write_inputs

from lib_parseq.backends import diffusers_options


def run_render(parseq_cli, folder, model, *extra):
    manifest_path, image = write_inputs(folder, manifest(3))
    return parseq_cli("render", manifest_path, "--init", image, "-o", folder / "out.mp4", "--model", model,
                      *COMMON, *extra)


def test_without_the_extra_installed_the_backend_says_what_to_install(tmp_path, parseq_cli, monkeypatch):
    monkeypatch.setattr(diffusers_options, "missing_modules", lambda: ["torch", "diffusers"])
    code, err = run_render(parseq_cli, tmp_path, "some/model")
    assert code == 2
    assert "needs torch, diffusers" in err and 'pip install "sd-webui-parseq[diffusers]"' in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "out.mp4").exists()


def test_nothing_of_diffusers_is_imported_by_the_rest_of_lib_parseq():
    modules = ["lib_parseq.cli.cmd_render", "lib_parseq.render", "lib_parseq.backends.a1111_mapping",
               "lib_parseq.backends.a1111_ui", "lib_parseq.backends.diffusers_options", "lib_parseq.ui.standalone"]
    code = f"import sys\nfor m in {modules!r}: __import__(m)\n" \
           "print(sorted({'torch', 'diffusers', 'transformers', 'ray'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@needs_diffusers
def test_a_missing_model_path_is_one_clear_line(tmp_path, parseq_cli):
    code, err = run_render(parseq_cli, tmp_path, tmp_path / "no" / "such-model")
    assert code == 2 and "does not exist" in err and str(tmp_path / "no" / "such-model") in err
    assert len(err.strip().splitlines()) == 1


@needs_diffusers
def test_a_folder_that_is_not_a_model_is_one_clear_line(tmp_path, parseq_cli):
    (tmp_path / "empty").mkdir()
    code, err = run_render(parseq_cli, tmp_path, tmp_path / "empty")
    assert code == 2 and "has no model_index.json" in err and len(err.strip().splitlines()) == 1


@needs_diffusers
def test_an_unsupported_pipeline_is_named(tmp_path, tiny_model, parseq_cli):
    other = tmp_path / "unconditional"
    shutil.copytree(tiny_model, other)
    index = json.loads((other / "model_index.json").read_text())
    index["_class_name"] = "DDPMPipeline"
    (other / "model_index.json").write_text(json.dumps(index))
    code, err = run_render(parseq_cli, tmp_path, other)
    assert code == 2 and "unsupported pipeline DDPMPipeline" in err and len(err.strip().splitlines()) == 1


@needs_diffusers
def test_an_unknown_scheduler_lists_the_choices(tmp_path, tiny_model, parseq_cli):
    code, err = run_render(parseq_cli, tmp_path, tiny_model, "--scheduler", "warp-drive")
    assert code == 2 and "unknown or incompatible scheduler 'warp-drive'" in err and "EulerDiscreteScheduler" in err


@needs_diffusers
def test_out_of_memory_names_the_frame_and_keeps_the_finished_frames_playable(tmp_path, tiny_model):
    import torch

    from lib_parseq.backends.diffusers_backend import DiffusersBackend
    from lib_parseq.backends.diffusers_options import DiffusersOptions
    from lib_parseq.errors import RenderError
    from lib_parseq.render import RenderSettings, render

    backend = DiffusersBackend.from_options(DiffusersOptions(model=str(tiny_model), steps=2, device="cpu"))
    real = backend.pipe

    class RunsOutOfMemory:
        calls = 0

        def __call__(self, **kwargs):
            RunsOutOfMemory.calls += 1
            if RunsOutOfMemory.calls == 4:
                raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
            return real(**kwargs)

        def __getattr__(self, name):
            return getattr(real, name)

    backend.pipe = RunsOutOfMemory()
    _, image = write_inputs(tmp_path, manifest(6))
    settings = RenderSettings(output="out.mp4", output_dir=tmp_path, preset="ultrafast", checkpoint_every=1)
    with pytest.raises(RenderError) as caught:
        render(manifest(6), settings, backend, init_image=image)
    message = caught.value.message
    assert "out of cpu memory on frame 3" in message and "--batch" in message and "--resume" in message
    assert caught.value.frame == 3 and caught.value.result.frames_written == 3
    assert imageio_ffmpeg.count_frames_and_secs(str(tmp_path / "out.mp4"))[0] == 3


@needs_diffusers
def test_a_killed_render_resumed_equals_an_uninterrupted_one(tmp_path, tiny_model, parseq_cli):
    count = 8
    data = manifest(count)
    full, cut = tmp_path / "full", tmp_path / "cut"

    def render_args(folder) -> list[str]:
        manifest_path, image = write_inputs(folder, data)
        return ["render", str(manifest_path), "--init", str(image), "-o", str(folder / "out.mp4"), "--model",
                str(tiny_model), "--save-frames", str(folder / "frames"), *COMMON]

    args_full, args_cut = render_args(full), render_args(cut)
    process = subprocess.Popen([sys.executable, "-m", "lib_parseq", *args_cut], cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while len(list((cut / "frames").glob("frame_*.png"))) < 3:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the render ended or stalled before the kill: {process.communicate()}")
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    kept = len(list((cut / "frames").glob("frame_*.png")))
    assert 3 <= kept < count
    code, err = parseq_cli(*args_cut, "--resume")
    assert code == 0, err
    code, err = parseq_cli(*args_full)
    assert code == 0, err
    resumed, uninterrupted = frame_pngs(cut / "frames"), frame_pngs(full / "frames")
    assert len(resumed) == count and all(np.array_equal(a, b) for a, b in zip(resumed, uninterrupted, strict=True))
    assert (cut / "out.mp4").read_bytes() == (full / "out.mp4").read_bytes()


@needs_diffusers
def test_a_file_that_is_not_a_checkpoint_is_one_clear_line(tmp_path, tiny_model, parseq_cli):
    import torch
    from safetensors.torch import save_file

    notes = tmp_path / "notes.txt"
    notes.write_text("not weights")
    code, err = run_render(parseq_cli, tmp_path / "a", notes)
    assert code == 2 and "is not a checkpoint file" in err and len(err.strip().splitlines()) == 1
    bogus = tmp_path / "bogus.safetensors"
    save_file({"unrelated.weight": torch.zeros(2, 2)}, str(bogus))
    code, err = run_render(parseq_cli, tmp_path / "b", bogus, "--model-config", tiny_model)
    assert code == 2 and f"cannot load the checkpoint {bogus}" in err and len(err.strip().splitlines()) == 1


@needs_diffusers
def test_a_model_config_that_is_not_a_model_folder_is_one_clear_line(tmp_path, parseq_cli):
    import torch
    from safetensors.torch import save_file

    checkpoint = tmp_path / "model.safetensors"
    save_file({"unrelated.weight": torch.zeros(2, 2)}, str(checkpoint))
    code, err = run_render(parseq_cli, tmp_path, checkpoint, "--model-config", tmp_path / "nowhere")
    assert code == 2 and f"--model-config {tmp_path / 'nowhere'} is not a diffusers model folder" in err
    assert len(err.strip().splitlines()) == 1
