"""Test-only A1111 extension for the real-host suite (linked into ``extensions/`` for a test session only).

It records what the UNet is actually given: a forward pre-hook on ``shared.sd_model.model.diffusion_model``
(A1111's ldm UNet) sees the ``context`` of every UNet call after every ``on_cfg_denoiser`` callback has run and
after A1111 has concatenated cond and uncond, whatever the callbacks' order. Per call it keeps the webui's job and
progress text (the Parseq script writes "Frame k/N" and "Parseq frame f (...)"), the sampling step, how long the
UNet took (``seconds``, from a forward hook), and per batch row the shape, sum and SHA-1 of the float32
conditioning, of the latent ``x`` and of the UNet's ``out``put, and its ``head`` (tokens 2-4, first 8 channels: values a test can check a blend on; tokens 0 and 1
are the same for prompts that start with the same word, as CLIP's attention is causal). ``GET /parseq-test-recorder/calls`` answers the calls
recorded since the previous request and forgets them.

Random or empty checkpoints leave the UNet's zero-initialised layers (each block's output convolution and the
final one) at zero, so the UNet's output is zero and the image ignores the prompt. On its first use the recorder
fills every all-zero weight matrix of the UNet with seeded small noise (N(0, 0.02), seed 0), so that images depend
on the conditioning and image equality means something. Forge's UNet lives elsewhere: there nothing is hooked.
"""

from __future__ import annotations

import hashlib
import threading
import time

import torch
from modules import script_callbacks, shared

ROUTE = "/parseq-test-recorder/calls"
WAKE_STD = 0.02
HEAD_TOKENS = slice(2, 5)
HEAD_CHANNELS = 8

_lock = threading.Lock()
_calls: list[dict] = []
_hooked: set[int] = set()
_running = threading.local()


def _unet():
    wrapper = getattr(getattr(shared, "sd_model", None), "model", None)
    return getattr(wrapper, "diffusion_model", None)


def _digest(row: torch.Tensor) -> dict:
    values = row.detach().to(device="cpu", dtype=torch.float32).contiguous()
    return {"shape": list(values.shape), "sum": float(values.double().sum()),
            "sha1": hashlib.sha1(values.numpy().tobytes()).hexdigest(),
            "absmax": float(values.abs().max()), "head": values[HEAD_TOKENS, :HEAD_CHANNELS].flatten().tolist()}


def _record(module, args, kwargs) -> None:
    context = kwargs.get("context", args[2] if len(args) > 2 else None)
    if not isinstance(context, torch.Tensor):
        return
    x = args[0] if args else kwargs.get("x")
    call = {"job": str(shared.state.job), "textinfo": str(shared.state.textinfo or ""),
            "step": int(shared.state.sampling_step), "rows": [_digest(row) for row in context],
            "x": [_digest(row) for row in x] if isinstance(x, torch.Tensor) else []}
    with _lock:
        _calls.append(call)
    _running.call = call
    _running.start = time.perf_counter()


def _timed(module, args, kwargs, output) -> None:
    call = getattr(_running, "call", None)
    if call is not None:
        call["seconds"] = time.perf_counter() - _running.start
        if isinstance(output, torch.Tensor):
            call["out"] = [_digest(row) for row in output]
        _running.call = None


def _wake_zero_layers(unet: torch.nn.Module) -> None:
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for _, weight in sorted(unet.named_parameters()):
            if weight.dim() > 1 and not weight.any():
                noise = torch.randn(weight.shape, generator=generator) * WAKE_STD
                weight.copy_(noise.to(device=weight.device, dtype=weight.dtype))


def _ensure_hooked(params) -> None:
    unet = _unet()
    if unet is None or id(unet) in _hooked:
        return
    _wake_zero_layers(unet)
    unet.register_forward_pre_hook(_record, with_kwargs=True)
    unet.register_forward_hook(_timed, with_kwargs=True)
    _hooked.add(id(unet))


def _take() -> list[dict]:
    with _lock:
        calls = list(_calls)
        _calls.clear()
    return calls


def _add_route(demo, app) -> None:
    app.add_api_route(ROUTE, _take, methods=["GET"])


script_callbacks.on_cfg_denoiser(_ensure_hooked, name="parseq_test_recorder")
script_callbacks.on_app_started(_add_route, name="parseq_test_recorder")
