"""Per-frame parameters reach the pipeline call; prompt weights, noise and seeds behave as documented."""

from __future__ import annotations

import math

import numpy as np
import pytest
from diffusers_helpers import init_image, needs_diffusers

from lib_parseq.render.params import frame_params

pytestmark = needs_diffusers


class RecordingPipe:
    """Stands between the backend and the real pipeline and records each call's arguments and float images."""

    def __init__(self, pipe) -> None:
        self.pipe = pipe
        self.calls: list[dict] = []
        self.images: list[np.ndarray] = []

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        result = self.pipe(**kwargs)
        self.images += list(np.asarray(result.images))
        return result

    def __getattr__(self, name):
        return getattr(self.pipe, name)


@pytest.fixture(scope="module")
def backend(tiny_model):
    from lib_parseq.backends.diffusers_backend import DiffusersBackend
    from lib_parseq.backends.diffusers_options import DiffusersOptions

    return DiffusersBackend.from_options(DiffusersOptions(model=str(tiny_model), steps=4, device="cpu"))


def test_each_frames_cfg_denoise_steps_and_prompt_reach_the_pipeline(backend):
    import torch

    recorder = RecordingPipe(backend.pipe)
    backend.pipe = recorder
    try:
        entries = [
            {"frame": 0, "seed": 1, "scale": 7, "strength": 0.25, "deforum_prompt": "red cat --neg blurry"},
            {"frame": 1, "seed": 2, "scale": 5, "strength": 0.5, "steps": 6,
             "deforum_prompt": "red cat: 0.5 AND blue dog: 1.5 --neg blurry"},
        ]
        for entry in entries:
            backend.generate(init_image(), frame_params(entry))
    finally:
        backend.pipe = recorder.pipe
    first, second = recorder.calls
    assert (first["strength"], first["guidance_scale"], first["num_inference_steps"]) == (0.75, 7, 4)
    assert (second["strength"], second["guidance_scale"], second["num_inference_steps"]) == (0.5, 10, 6)
    encode = backend.prompts.encode
    assert torch.equal(first["prompt_embeds"], encode("red cat").embeds)
    blended = encode("red cat").embeds * 0.25 + encode("blue dog").embeds * 0.75
    assert torch.allclose(second["prompt_embeds"], blended, atol=1e-6)
    assert torch.equal(second["negative_prompt_embeds"], encode("blurry").embeds)


def test_prompt_weights_blend_normalised_and_scale_the_guidance():
    from lib_parseq.backends.diffusers_prompts import blend_weights

    assert blend_weights("a: 0.5 AND b: 1.5") == ([("a", 0.5), ("b", 1.5)], 2.0)
    assert blend_weights("a AND b: 0 AND c: 2") == ([("a", 1.0), ("c", 2.0)], 3.0)
    assert blend_weights("just a prompt") == ([("just a prompt", 1.0)], 1.0)
    assert blend_weights("a: 0 AND b: 0") == ([("a", 1.0)], 1.0)


def test_weights_adding_up_to_zero_or_less_are_one_clear_error(backend):
    from lib_parseq.errors import RenderError

    params = frame_params({"frame": 4, "seed": 1, "deforum_prompt": "a: 1 AND b: -1"})
    with pytest.raises(RenderError, match="weights add up to 0") as caught:
        backend.generate(init_image(), params)
    assert caught.value.frame == 4


def test_fractional_seed_noise_is_a_slerp_between_the_two_seeds():
    import torch

    from lib_parseq.backends.diffusers_noise import frame_noise, seeded_noise, slerp

    shape = (4, 8, 8)
    start, end = seeded_noise(12, shape), seeded_noise(13, shape)
    assert torch.equal(frame_noise(12, 13, 0.0, shape), start)
    assert torch.allclose(frame_noise(12, 13, 1.0, shape), end, atol=1e-5)
    assert torch.equal(frame_noise(12, 13, 0.5, shape), slerp(0.5, start, end))
    unit_start, unit_end = start / start.norm(), end / end.norm()
    half = slerp(0.25, unit_start, unit_end)

    def angle(a, b) -> float:
        return math.acos(float(torch.dot(a.flatten(), b.flatten()) / (a.norm() * b.norm())))

    assert angle(half, unit_start) == pytest.approx(angle(unit_start, unit_end) / 4, rel=1e-4)
    assert float(half.norm()) == pytest.approx(1.0, rel=1e-5)
    assert torch.allclose(slerp(0.3, start, start), start, atol=1e-6)


def three_frames(strength: float) -> tuple[list[np.ndarray], list]:
    """Three different frames (seeds, inputs, a blended prompt) that can share one pipeline call."""
    params = [frame_params({"frame": f, "seed": 10 + f, "scale": 6, "strength": strength,
                            "deforum_prompt": "cat" if f != 1 else "red cat: 0.5 AND blue dog: 0.5"})
              for f in range(3)]
    return [np.roll(init_image(), 5 * f, axis=1) for f in range(3)], params


def test_a_frame_renders_bit_for_bit_the_same_alone_or_in_a_batch(backend):
    images, params = three_frames(0.5)
    recorder = RecordingPipe(backend.pipe)
    backend.pipe = recorder
    try:
        batched = backend.generate_batch(images, params)
        alone = [backend.generate(image, p) for image, p in zip(images, params, strict=True)]
    finally:
        backend.pipe = recorder.pipe
    assert backend.exact_batches and len(recorder.calls) == 4  # one call of three, then three of one
    assert all(np.array_equal(a, b) for a, b in zip(batched, alone, strict=True))
    # the pipeline's float images too, not only the bytes written
    assert all(np.array_equal(a, b) for a, b in zip(recorder.images[:3], recorder.images[3:], strict=True))
    assert len({a.tobytes() for a in batched}) == 3
    other_seed = backend.generate(images[0], frame_params({"frame": 0, "seed": 99, "scale": 6, "strength": 0.5,
                                                          "deforum_prompt": "cat"}))
    assert np.abs(other_seed.astype(int) - alone[0].astype(int)).max() > 1


def test_a_low_denoise_runs_at_least_one_step_and_denoise_0_returns_the_input(backend):
    recorder = RecordingPipe(backend.pipe)
    backend.pipe = recorder
    try:
        low = backend.generate(init_image(), frame_params({"frame": 0, "seed": 1, "strength": 0.875}))
        unchanged = backend.generate(init_image(), frame_params({"frame": 1, "seed": 1, "strength": 1.0}))
    finally:
        backend.pipe = recorder.pipe
    assert [call["num_inference_steps"] for call in recorder.calls] == [8]  # 4 steps × 0.125 would run none
    assert low.shape == init_image().shape and not np.array_equal(low, init_image())
    assert np.array_equal(unchanged, init_image())


def test_a_text_to_image_frame_is_the_same_alone_or_in_a_batch(backend):
    images, params = three_frames(0.0)  # denoise 1
    batched = backend.generate_batch(images, params)
    alone = [backend.generate(image, p) for image, p in zip(images, params, strict=True)]
    assert all(np.array_equal(a, b) for a, b in zip(batched, alone, strict=True))
    assert len({a.tobytes() for a in batched}) == 3


def test_exact_batches_default_to_the_cpu_and_follow_the_flag(backend, tiny_model):
    from lib_parseq.backends.diffusers_backend import DiffusersBackend
    from lib_parseq.cli import build_parser
    from lib_parseq.cli.cmd_render import make_backend

    assert DiffusersBackend(backend.pipe, device="cuda").exact_batches is False
    args = build_parser().parse_args(["render", "m.json", "--video", "v.mp4", "-o", "o.mp4", "--backend", "diffusers",
                                      "--model", str(tiny_model), "--device", "cpu", "--steps", "4", "--no-exact-batches"])
    fast = make_backend(args)
    assert fast.exact_batches is False
    sizes: list[int] = []
    hook = fast.pipe.unet.conv_in.register_forward_pre_hook(lambda module, inputs: sizes.append(len(inputs[0])))
    try:
        images, params = three_frames(0.5)
        fast.generate_batch(images, params)  # 4 steps × 0.5: 2 UNet steps, one call of 3 CFG pairs each
        fast.exact_batches = True
        fast.generate_batch(images, params)  # 2 steps of three calls, one CFG pair each
    finally:
        hook.remove()
    assert sizes == [6, 6] + [2] * 6
