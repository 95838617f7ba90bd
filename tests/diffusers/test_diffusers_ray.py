"""Scale-out on a local Ray cluster of two CPU workers with the tiny model: the same video as one machine, and a
worker killed mid-render has its chunks rendered again elsewhere.

What a Ray test costs on a 2-core machine (measured, see the README's development section): starting the local
cluster (GCS, raylet, object store) and, per worker, a process that imports torch, transformers and diffusers
and loads the pipeline; the tiny model and its 32×32 frames are nothing beside that. So the module starts one
cluster, without the dashboard, and each test starts its workers once. ``tests/run.sh`` runs this module when
``PARSEQ_TEST_RAY=1`` asks for it; the killed-worker test, which starts a second pair of workers, also skips
without it.
"""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest
from diffusers_helpers import COMMON, REPO, frame_pngs, make_video, manifest, needs_diffusers, write_inputs

pytestmark = needs_diffusers
FRAMES = 12
slow = pytest.mark.skipif(os.environ.get("PARSEQ_TEST_RAY") != "1",
                          reason="starts a second pair of Ray workers: set PARSEQ_TEST_RAY=1")


@pytest.fixture(scope="module")
def ray_cluster():
    """One local cluster for the module. PYTHONPATH is set in the environment the cluster inherits rather than
    as a runtime environment, so the workers Ray starts with the cluster can become the pipeline workers (a
    runtime environment would need fresh processes); no dashboard, no usage-stats reporting."""
    ray = pytest.importorskip("ray")
    patch = pytest.MonkeyPatch()
    patch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p))
    patch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()
    patch.undo()


@pytest.fixture(scope="module")
def local_render(tmp_path_factory, tiny_model):
    """The reference: the same vid2vid render on one machine, --batch 1, through the CLI (exact batches make
    the batch size irrelevant)."""
    from lib_parseq.cli import main

    folder = tmp_path_factory.mktemp("local")
    video = make_video(folder / "in.mp4", FRAMES)
    manifest_path, _ = write_inputs(folder, manifest(FRAMES))
    code = main([str(a) for a in ("render", manifest_path, "--video", video, "-o", folder / "out.mp4", "--model",
                                  tiny_model, "--save-frames", folder / "frames", *COMMON)])
    assert code == 0
    return folder, video


def test_ray_render_through_the_cli_equals_the_local_one(tmp_path, tiny_model, ray_cluster, local_render, parseq_cli):
    local, video = local_render
    manifest_path, _ = write_inputs(tmp_path, manifest(FRAMES))
    code, err = parseq_cli("render", manifest_path, "--video", video, "-o", tmp_path / "out.mp4", "--model", tiny_model,
                           "--save-frames", tmp_path / "frames", "--batch", "2", "--ray", "--ray-workers", "2",
                           *COMMON)
    assert code == 0, err
    assert (tmp_path / "out.mp4").read_bytes() == (local / "out.mp4").read_bytes()
    ours, theirs = frame_pngs(tmp_path / "frames"), frame_pngs(local / "frames")
    assert len(ours) == FRAMES and all(np.array_equal(a, b) for a, b in zip(ours, theirs, strict=True))
    assert ray_cluster.is_initialized()  # the CLI used the running cluster and left it to its owner


@slow
def test_a_worker_killed_mid_render_has_its_chunks_rerun_and_the_video_is_unchanged(tmp_path, tiny_model,
                                                                                    ray_cluster, local_render):
    from lib_parseq.backends.diffusers_options import DiffusersOptions
    from lib_parseq.backends.diffusers_ray import RayBackend
    from lib_parseq.render import RenderSettings, render

    local, video = local_render
    backend = RayBackend.start(DiffusersOptions(model=str(tiny_model), steps=3, device="cpu", batch=2), workers=2)
    assert (backend.max_batch, backend.in_flight) == (2, 4)
    victim = backend.worker_pids()[1]
    killed = []

    def kill_a_worker(report) -> None:
        if report.done == 2 and not killed:  # the first chunk is written; the victim has chunks out
            os.kill(victim, signal.SIGKILL)
            killed.append(report.frame)

    settings = RenderSettings(output="out.mp4", output_dir=tmp_path, save_frames=tmp_path / "frames",
                              preset="ultrafast", crf=0, checkpoint_every=1)
    try:
        result = render(manifest(FRAMES), settings, backend, video_path=video, progress=kill_a_worker)
    finally:
        backend.close()
    assert killed == [1] and result.frames_written == FRAMES
    # the driver only learns of the death through a chunk that came back lost, which it then ran again
    assert backend.rerun_chunks >= 1
    ours, theirs = frame_pngs(tmp_path / "frames"), frame_pngs(local / "frames")
    assert len(ours) == FRAMES and all(np.array_equal(a, b) for a, b in zip(ours, theirs, strict=True))
    assert (tmp_path / "out.mp4").read_bytes() == (local / "out.mp4").read_bytes()
