"""Genesis (what each frame starts from): successive feeds each output back, fixed starts every frame from the init
image (moved by the frame's absolute camera), embryo from one common image made first from the middle frame's
parameters; a stopped embryo render resumes from the saved embryo and equals an uninterrupted one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from render_helpers import make_manifest

from lib_parseq.errors import RenderError
from lib_parseq.frames import fit_to_size, warp_image
from lib_parseq.render import DryRunBackend, RenderSettings, render
from lib_parseq.render.motion import absolute_matrix
from lib_parseq.render.state import frame_file, read_png

SIZE = 32


def init_image() -> np.ndarray:
    y, x = np.mgrid[0:SIZE, 0:SIZE]
    return np.stack([x * 7, y * 7, (x * y) % 256], axis=2).astype(np.uint8)


class Recording(DryRunBackend):
    """Records what each call receives; its output is the input shifted in value by 40 + the frame number, so an
    output fed back is recognisable. ``embryo`` counts ``generate_embryo`` calls; ``stop_after`` stops the render."""

    def __init__(self, stop_after: int | None = None) -> None:
        super().__init__()
        self.received: list[tuple[int, np.ndarray]] = []
        self.embryos: list[tuple[int, np.ndarray]] = []
        self.stop_after = stop_after

    def generate(self, image, params):
        self.received.append((params.frame, image.copy()))
        if self.stop_after is not None and len(self.received) >= self.stop_after:
            self.stop()
        return ((image.astype(int) + 40 + params.frame) % 256).astype(np.uint8)

    def generate_embryo(self, image, params):
        self.embryos.append((params.frame, image.copy()))
        return 255 - image


def run(folder: Path, manifest: dict, backend, **settings):
    options = RenderSettings(output="o.mp4", output_dir=folder, preset="ultrafast", crf=0, border="replicate",
                             save_frames=folder / "frames", **settings)
    return render(manifest, options, backend, init_image=init_image())


def test_successive_feeds_each_output_back(tmp_path):
    backend = Recording()
    run(tmp_path, make_manifest(4, zoom=1.0), backend)
    assert np.array_equal(backend.received[0][1], init_image())
    for f in range(1, 4):
        assert np.array_equal(backend.received[f][1], read_png(frame_file(tmp_path / "frames", f - 1)))


def test_fixed_starts_every_frame_from_the_init_image(tmp_path):
    backend = Recording()
    result = run(tmp_path, make_manifest(4, zoom=1.0), backend, genesis="fixed")
    assert [f for f, _ in backend.received] == [0, 1, 2, 3] and not backend.embryos
    for _, image in backend.received:
        assert np.array_equal(image, init_image())
    assert result.frames_written == 4


def test_fixed_moves_the_init_by_each_frames_absolute_camera(tmp_path):
    manifest = make_manifest(4, zoom=lambda f: 1 + 0.1 * f)
    backend = Recording()
    run(tmp_path, manifest, backend, genesis="fixed")
    for f, image in backend.received:
        matrix = absolute_matrix(manifest["rendered_frames"][f], "modern", SIZE, SIZE)
        expected = warp_image(fit_to_size(init_image(), SIZE, SIZE), matrix, border="replicate")
        assert np.array_equal(image, expected), f"frame {f}"
    assert not np.array_equal(backend.received[3][1], backend.received[1][1])


def test_the_manifest_option_chooses_genesis_and_the_setting_overrides_it(tmp_path):
    manifest = make_manifest(3, zoom=1.0)
    manifest["options"]["genesis"] = "fixed"
    from_manifest = Recording()
    run(tmp_path / "a", manifest, from_manifest)
    assert all(np.array_equal(image, init_image()) for _, image in from_manifest.received)
    overridden = Recording()
    run(tmp_path / "b", manifest, overridden, genesis="successive")
    assert not np.array_equal(overridden.received[2][1], init_image())


def test_embryo_is_made_once_from_the_middle_frame_and_every_frame_starts_from_it(tmp_path):
    backend = Recording()
    run(tmp_path, make_manifest(5, zoom=1.0, seed=lambda f: 10 + f), backend, genesis="embryo")
    assert [(f, np.array_equal(image, init_image())) for f, image in backend.embryos] == [(2, True)]
    embryo = 255 - init_image()
    assert [f for f, _ in backend.received] == [0, 1, 2, 3, 4]
    for _, image in backend.received:
        assert np.array_equal(image, embryo)


def test_a_backend_without_generate_embryo_makes_it_with_generate(tmp_path):
    received = []

    class Plain(DryRunBackend):
        def generate(self, image, params):
            received.append(params.frame)
            return 255 - image

    run(tmp_path, make_manifest(4, zoom=1.0), Plain(), genesis="embryo")
    assert received == [1, 0, 1, 2, 3]


def test_a_stopped_embryo_render_resumes_from_the_saved_embryo_exactly(tmp_path):
    manifest = make_manifest(6, zoom=lambda f: 1 + 0.02 * f, contrast=1.05)
    whole = run(tmp_path / "whole", manifest, Recording(), genesis="embryo")
    stopped = run(tmp_path / "cut", manifest, Recording(stop_after=3), genesis="embryo", checkpoint_every=1)
    assert stopped.interrupted and stopped.frames_written == 3
    resumed_backend = Recording()
    resumed = run(tmp_path / "cut", manifest, resumed_backend, genesis="embryo", resume=True)
    assert resumed_backend.embryos == [] and [f for f, _ in resumed_backend.received] == [3, 4, 5]
    assert resumed.video_path.read_bytes() == whole.video_path.read_bytes()


def test_resume_refuses_another_genesis(tmp_path):
    manifest = make_manifest(4, zoom=1.0)
    assert run(tmp_path, manifest, Recording(stop_after=2), genesis="fixed", checkpoint_every=1).interrupted
    with pytest.raises(RenderError, match="differ from the interrupted render"):
        run(tmp_path, manifest, Recording(), genesis="successive", resume=True)


def test_genesis_is_for_loopback_and_must_be_known(tmp_path):
    with pytest.raises(RenderError, match="unknown genesis 'sideways'; expected one of successive, fixed, embryo"):
        run(tmp_path, make_manifest(2), Recording(), genesis="sideways")
    video = tmp_path / "in.mp4"
    from render_helpers import ffmpeg

    ffmpeg("-f", "lavfi", "-i", "testsrc=size=32x32:rate=10:duration=0.3", "-pix_fmt", "yuv420p", str(video))
    with pytest.raises(RenderError, match="genesis fixed starts every frame from the init image"):
        render(make_manifest(2), RenderSettings(output="v.mp4", output_dir=tmp_path, genesis="fixed"),
               Recording(), video_path=video)
