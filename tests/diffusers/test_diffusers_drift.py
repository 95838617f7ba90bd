"""Noise drift (``noise_shift``) in the diffusers backend: each frame's noise is the slerp of the previous frame's
and its own seed's (checked against NumPy), a resumed render rebuilds it exactly, and it reaches the pipeline."""

from __future__ import annotations

import math

import numpy as np
import pytest
from diffusers_helpers import manifest, needs_diffusers
from diffusers_helpers import render_cli as render

from lib_parseq.render.params import frame_params

pytestmark = needs_diffusers
SHAPE = (4, 4, 4)


def slerp_reference(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    theta = math.acos(float(np.dot(a.ravel(), b.ravel()) / (np.linalg.norm(a) * np.linalg.norm(b))))
    return (math.sin((1 - t) * theta) * a + math.sin(t * theta) * b) / math.sin(theta)


def drift_of(shifts):
    from lib_parseq.backends.diffusers_drift import DiffusersNoiseDrift

    return DiffusersNoiseDrift({f: frame_params({"frame": f, "seed": 40 + f, "noise_shift": s}, f)
                                for f, s in enumerate(shifts)})


def fresh(seed: int) -> np.ndarray:
    from lib_parseq.backends.diffusers_noise import seeded_noise

    return seeded_noise(seed, SHAPE).double().numpy()


def test_the_noise_is_the_slerp_of_the_previous_and_the_fresh_one():
    shifts = [1.0, 0.3, 0.0, 1.0]
    drift = drift_of(shifts)
    got = [drift.noise(f, 40 + f, 40 + f, 0.0, SHAPE).double().numpy() for f in range(4)]
    expected_1 = slerp_reference(fresh(40), fresh(41), 0.3)
    np.testing.assert_allclose(got[0], fresh(40), atol=1e-6)
    np.testing.assert_allclose(got[1], expected_1, atol=1e-6)
    assert np.array_equal(got[2], got[1])
    np.testing.assert_allclose(got[3], fresh(43), atol=1e-6)


def test_a_resumed_render_rebuilds_the_chain_from_the_seeds():
    shifts = [1.0, 0.5, 0.2, 0.7, 0.1]
    whole = drift_of(shifts)
    in_order = [whole.noise(f, 40 + f, 40 + f, 0.0, SHAPE) for f in range(5)]
    resumed = drift_of(shifts)
    assert np.array_equal(resumed.noise(4, 44, 44, 0.0, SHAPE).numpy(), in_order[4].numpy())
    assert resumed.drift.rebuilt == 4  # frames 3, 2, 1 back to frame 0, whose shift is 1


def test_at_denoise_1_shift_0_repeats_the_first_frame_and_shift_1_does_not(tmp_path, tiny_model, parseq_cli):
    common = {"strength": 0.0, "zoom": 1.0, "deforum_prompt": "cat"}
    held = render(parseq_cli, tiny_model, tmp_path / "held", manifest(3, noise_shift=lambda f: 1.0 if f == 0 else 0.0,
                                                                       **common))
    fresh_frames = render(parseq_cli, tiny_model, tmp_path / "fresh", manifest(3, noise_shift=1.0, **common))
    assert np.array_equal(held[1], held[0]) and np.array_equal(held[2], held[0])
    assert np.array_equal(fresh_frames[0], held[0])
    assert np.abs(fresh_frames[1].astype(int) - held[1].astype(int)).mean() > 1


def test_the_cli_gives_the_drift_to_the_diffusers_backend_and_refuses_a_backend_without_it(tmp_path):
    import argparse

    from lib_parseq.cli.cmd_render import _attach_noise_drift
    from lib_parseq.errors import RenderError
    from lib_parseq.render import RenderSettings, plan_render

    def plan(shift):
        return plan_render(manifest(3, noise_shift=shift), RenderSettings(output="o.mp4", output_dir=tmp_path),
                           init_image=np.zeros((32, 32, 3), np.uint8))

    class Local:
        noise_drift = None

    args = argparse.Namespace(dry_run=False, backend="diffusers")
    backend = Local()
    planned = plan(1.0)
    _attach_noise_drift(args, backend, planned)
    planned.release()
    assert backend.noise_drift is None
    planned = plan(0.5)
    _attach_noise_drift(args, backend, planned)
    planned.release()
    assert sorted(backend.noise_drift.params) == [0, 1, 2]
    with pytest.raises(RenderError, match="not with --ray"):
        _attach_noise_drift(args, object(), plan(0.5))
