"""The diffusers backend: each frame through an image-to-image pipeline (text-to-image at denoise 1).

Per frame, from the manifest: prompt and negative prompt (composable weights blended as embeddings, see
``diffusers_prompts``), seed with fractional-seed subseed (``diffusers_noise``), CFG scale (times the prompt
weights' sum), denoise as the pipeline's ``strength``, and ``steps`` where the manifest has it. The frame's
noise replaces the pipeline's own at the scheduler's ``add_noise`` (the one place img2img pipelines mix noise
into the encoded image), and every other random draw (VAE sampling, ancestral schedulers) comes from a
generator seeded by the frame's seed: a frame's output depends on its own parameters and input only, not on
the batch it was rendered in or on the device's random state.

A frame at denoise 0 is its input unchanged (nothing to denoise); at a low denoise the steps are raised so that
at least one is run (img2img runs steps × denoise of them).

``generate_batch`` renders several independent frames per pipeline call (consecutive frames with the same
strength, steps and guidance share a call); with ``exact_batches`` (the default on the CPU) each frame is
bit-for-bit what a one-frame call makes (``diffusers_exact``). ``stop()`` aborts the frame being denoised at
the next step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image

from lib_parseq.backends.diffusers_drift import DiffusersNoiseDrift, frame_seeds
from lib_parseq.backends.diffusers_exact import exact_networks
from lib_parseq.backends.diffusers_noise import frame_noise
from lib_parseq.backends.diffusers_options import DiffusersOptions
from lib_parseq.backends.diffusers_pipeline import load_pipeline, resolve_device, text_to_image
from lib_parseq.backends.diffusers_prompts import Embeddings, PromptEncoder
from lib_parseq.errors import RenderError
from lib_parseq.render import RenderStopped
from lib_parseq.render.batching import StoppableBatchBackend
from lib_parseq.render.params import FrameParams

FULL_DENOISE = 1.0


@dataclass
class FrameRequest:
    """One frame's pipeline inputs, resolved from its parameters."""

    frame: int
    image: np.ndarray
    seed: int
    subseed: int
    subseed_strength: float
    positive: Embeddings
    negative: Embeddings
    guidance: float
    strength: float
    steps: int

    @property
    def call_key(self) -> tuple[float, float, int]:
        """Frames with equal keys can share one pipeline call."""
        return (self.strength, self.guidance, self.steps)


class DiffusersBackend(StoppableBatchBackend):
    """A Backend over a loaded diffusers pipeline (``from_options`` loads one)."""

    def __init__(self, pipe: Any, *, steps: int = 20, device: str | None = None, max_batch: int = 1,
                 exact_batches: bool | None = None) -> None:
        self.pipe = pipe
        self.steps = steps
        self.max_batch = max_batch
        self.device = device or str(pipe.device)
        self.exact_batches = self.device == "cpu" if exact_batches is None else exact_batches
        self.prompts = PromptEncoder(pipe, self.device)
        self._text_to_image: Any = None
        self.noise_drift: DiffusersNoiseDrift | None = None  # set for a render with noise_shift

    @classmethod
    def from_options(cls, options: DiffusersOptions) -> DiffusersBackend:
        pipe = load_pipeline(options)
        return cls(pipe, steps=options.steps, device=resolve_device(options.device), max_batch=options.batch,
                   exact_batches=options.exact_batches)

    def generate_batch(self, images: Sequence[np.ndarray], params: Sequence[FrameParams]) -> list[np.ndarray]:
        """Outputs for independent frames, in order; frames with the same call settings share a call."""
        requests = [self.request(image, p) for image, p in zip(images, params, strict=True)]
        outputs: list[np.ndarray] = []
        start = 0
        while start < len(requests):
            end = start + 1
            while end < len(requests) and requests[end].call_key == requests[start].call_key:
                end += 1
            group = requests[start:end]
            outputs += [r.image for r in group] if group[0].strength <= 0 else self._run(group)
            start = end
        return outputs

    def request(self, image: np.ndarray, params: FrameParams) -> FrameRequest:
        """Resolve one frame's parameters into pipeline inputs (seeds drawn, prompts encoded)."""
        positive, weight_sum = self.prompts.blended(params.prompt, params.frame, "positive")
        negative = self.prompts.negative(params.negative_prompt, params.frame, positive)
        steps = int(round(params.values["steps"])) if "steps" in params.values else self.steps
        if steps < 1:
            raise RenderError(f"steps must be at least 1, got {steps}", field="steps", frame=params.frame)
        seed, subseed, strength = frame_seeds(params)
        return FrameRequest(frame=params.frame, image=image, seed=seed, subseed=subseed, subseed_strength=strength,
                            positive=positive, negative=negative, guidance=params.cfg_scale * weight_sum,
                            strength=float(params.denoising_strength), steps=steps)

    def _run(self, requests: Sequence[FrameRequest]) -> list[np.ndarray]:
        first = requests[0]
        kwargs = _conditioning(requests)
        kwargs.update(
            guidance_scale=first.guidance, num_inference_steps=denoising_steps(first.steps, first.strength),
            output_type="np",
            generator=[torch.Generator(device="cpu").manual_seed(r.seed) for r in requests],
            callback_on_step_end=self._check_stop,
        )
        height, width = first.image.shape[:2]
        try:
            if first.strength >= FULL_DENOISE:
                result = self._text_to_image_call(requests, width, height, kwargs)
            else:
                pictures = [Image.fromarray(r.image) for r in requests]
                with _own_noise(self.pipe.scheduler, lambda shape: _stacked_noise(requests, shape, self.noise_drift)), \
                        self._networks(self.pipe, len(requests)):
                    result = self.pipe(image=pictures, strength=first.strength, **kwargs)
        except RenderStopped:
            raise
        except torch.cuda.OutOfMemoryError as exc:
            raise _out_of_memory(requests, self.device, exc) from exc
        except RuntimeError as exc:
            if "out of memory" in str(exc).lower():
                raise _out_of_memory(requests, self.device, exc) from exc
            raise
        pixels = np.clip(np.asarray(result.images, dtype=np.float32), 0.0, 1.0)
        return [np.ascontiguousarray(img) for img in (pixels * 255.0).round().astype(np.uint8)]

    def _text_to_image_call(self, requests: Sequence[FrameRequest], width: int, height: int,
                            kwargs: dict[str, Any]) -> Any:
        if self._text_to_image is None:
            self._text_to_image = text_to_image(self.pipe)
        pipe = self._text_to_image
        scale = int(getattr(pipe, "vae_scale_factor", 8))
        width, height = max(scale, width - width % scale), max(scale, height - height % scale)
        channels = int(pipe.unet.config.in_channels)
        latents = _stacked_noise(requests, (len(requests), channels, height // scale, width // scale),
                                 self.noise_drift)
        with self._networks(pipe, len(requests)):
            return pipe(width=width, height=height, latents=latents.to(self.device, pipe.unet.dtype), **kwargs)

    def _networks(self, pipe: Any, frames: int) -> AbstractContextManager[None]:
        return exact_networks(pipe, frames) if self.exact_batches else nullcontext()

    def _check_stop(self, pipe: Any, step: int, timestep: Any, callback_kwargs: dict) -> dict:
        if self.should_stop():
            raise RenderStopped
        return callback_kwargs


def denoising_steps(steps: int, strength: float) -> int:
    """Steps to ask for so that img2img runs at least one: it runs int(steps × strength) of them."""
    while int(steps * min(strength, FULL_DENOISE)) < 1:
        steps += 1
    return steps


def _conditioning(requests: Sequence[FrameRequest]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "prompt_embeds": _stack([r.positive.embeds for r in requests]),
        "negative_prompt_embeds": _stack([r.negative.embeds for r in requests]),
    }
    if requests[0].positive.pooled is not None:
        kwargs["pooled_prompt_embeds"] = _stack([r.positive.pooled for r in requests])
        kwargs["negative_pooled_prompt_embeds"] = _stack([r.negative.pooled for r in requests])
    return kwargs


def _stack(tensors: Sequence[torch.Tensor]) -> torch.Tensor:
    """Batch per-image tensors that each carry a batch dimension of 1, padding token lengths if they differ."""
    longest = max(t.shape[1] for t in tensors) if tensors[0].ndim == 3 else None
    if longest is not None and any(t.shape[1] != longest for t in tensors):
        raise RenderError("prompts of different token lengths cannot share a batch; use --batch 1")
    return torch.cat(list(tensors), dim=0)


def _stacked_noise(requests: Sequence[FrameRequest], shape: tuple[int, ...],
                   drift: DiffusersNoiseDrift | None = None) -> torch.Tensor:
    if shape[0] != len(requests):
        raise RenderError(f"the pipeline asked for noise of shape {tuple(shape)} for {len(requests)} frames")
    if drift is not None:
        return torch.stack([drift.noise(r.frame, r.seed, r.subseed, r.subseed_strength, tuple(shape[1:]))
                            for r in requests])
    return torch.stack([frame_noise(r.seed, r.subseed, r.subseed_strength, tuple(shape[1:])) for r in requests])


@contextmanager
def _own_noise(scheduler: Any, make_noise: Callable[[tuple[int, ...]], torch.Tensor]) -> Iterator[None]:
    """While inside, the scheduler's ``add_noise`` mixes in our frames' noise instead of the pipeline's."""
    original = scheduler.add_noise

    def add_noise(samples: torch.Tensor, noise: torch.Tensor, timesteps: torch.Tensor) -> torch.Tensor:
        own = make_noise(tuple(noise.shape)).to(device=noise.device, dtype=noise.dtype)
        return original(samples, own, timesteps)

    scheduler.add_noise = add_noise
    try:
        yield
    finally:
        del scheduler.add_noise


def _out_of_memory(requests: Sequence[FrameRequest], device: str, exc: BaseException) -> RenderError:
    frames = f"frames {requests[0].frame}-{requests[-1].frame}" if len(requests) > 1 else f"frame {requests[0].frame}"
    return RenderError(f"out of {device} memory on {frames}: use a smaller --batch, a smaller --size, or "
                       f"--dtype float16 ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})",
                       frame=requests[0].frame)
