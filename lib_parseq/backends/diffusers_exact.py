"""Exact batches: a batched pipeline call whose frames are bit-for-bit those of one-frame calls.

Why batching changes a frame at all: matrix kernels pick their blocking, and so the order in which they add,
from the operands' shapes. On the CPU, oneDNN's convolutions and the BLAS matrix products (a linear layer over
B·T rows, the timestep embedding's 1-row product becoming a B-row one) sum differently for 1 frame and for 3
(measured on the tests' tiny UNet: 33 convolutions and 14 linear layers differ in the last bits, which moves
a pixel by one level now and then); cuBLAS and cuDNN choose their algorithms by shape the same way.

So the networks see exactly the shapes and memory layout of a one-frame call: the VAE encodes and decodes one
image at a time (its own ``use_slicing``), the UNet is called once per frame on that frame's rows, and every
input gets one layout, channels-last for images (the layout the latents arrive in depends on the batch, and a
channels-last and a contiguous copy of the same values convolve to different last bits). A batched call lays the
classifier-free-guidance halves out as ``[uncond₀…uncondₙ₋₁, cond₀…condₙ₋₁]``, so frame i's rows are i, i+n
(as many as the call has halves); a one-frame call's UNet input is exactly those rows, in that order, in the
same layout. Everything else in the pipeline is per element (scheduler steps, guidance, noise mixing) or
already per image (pre- and post-processing, the VAE's latent sampling with one generator per image). A frame
then depends only on its own inputs, on any device whose kernels are deterministic for a given shape.

The price: the UNet no longer runs the frames of a call in parallel. On a CPU that costs little (each call
already uses every core); on a GPU it gives up most of what batching is for, so exact batches are the
default on the CPU only (``DiffusersOptions.exact_batches``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch


@contextmanager
def exact_networks(pipe: Any, frames: int) -> Iterator[None]:
    """While inside, the pipeline's UNet computes each of ``frames`` frames by itself and the VAE one image at a
    time, every network input in one standard layout (see the module docstring)."""
    unet, vae = pipe.unet, getattr(pipe, "vae", None)
    patched = [(unet, "forward", _unet_per_frame(unet.forward, frames))]
    slicing = getattr(vae, "use_slicing", None)
    if slicing is not None:
        vae.use_slicing = True
        patched += [(vae, name, _standard_inputs(getattr(vae, name))) for name in ("encode", "decode")]
    for module, name, replacement in patched:
        setattr(module, name, replacement)
    try:
        yield
    finally:
        for module, name, _ in patched:
            delattr(module, name)
        if slicing is not None:
            vae.use_slicing = slicing


def _unet_per_frame(original: Callable[..., Any], frames: int) -> Callable[..., Any]:
    def forward(*args: Any, **kwargs: Any) -> Any:
        batch = args[0].shape[0]
        if frames <= 1 or batch % frames:
            return original(*_layout(args, batch, batch, 0), **_layout(kwargs, batch, batch, 0))
        halves = batch // frames
        results = [original(*_layout(args, frames, halves, i), **_layout(kwargs, frames, halves, i))
                   for i in range(frames)]
        first = results[0]
        # Per frame the output is (halves, ...); stacked on axis 1 and flattened, row k·n + i is frame i's k-th.
        combined = torch.stack([result[0] for result in results], dim=1).flatten(0, 1)
        return (combined,) if isinstance(first, tuple) else type(first)(sample=combined)

    return forward


def _standard_inputs(original: Callable[..., Any]) -> Callable[..., Any]:
    def call(sample: torch.Tensor, *args: Any, **kwargs: Any) -> Any:
        return original(_standard(sample), *args, **kwargs)

    return call


def _standard(tensor: torch.Tensor) -> torch.Tensor:
    """The one layout every network input gets: channels-last for images (what oneDNN's convolutions work in;
    a contiguous NCHW input costs them about half as much again), plain contiguous for the rest."""
    if tensor.ndim == 4:
        return tensor.contiguous(memory_format=torch.channels_last)
    return tensor.contiguous()


def _layout(value: Any, frames: int, halves: int, index: int) -> Any:
    """Frame ``index``'s rows of every batch-sized tensor in ``value`` (tuples, lists and dicts walked), each in
    the standard layout: the kernels' blocking depends on the memory layout too (a channels-last and a
    contiguous copy of the same latents convolve to different last bits), and the layout upstream depends on
    the batch."""
    if isinstance(value, torch.Tensor):
        if value.ndim == 0 or value.shape[0] != frames * halves or frames == 1:
            return _standard(value)
        return _standard(value.unflatten(0, (halves, frames))[:, index])
    if isinstance(value, dict):
        return {key: _layout(item, frames, halves, index) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(_layout(item, frames, halves, index) for item in value)
    return value
