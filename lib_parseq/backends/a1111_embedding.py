"""Prompt travel in embedding space inside A1111: each frame's conditioning is a blend of encoded prompts.

With ``prompt_blending: embedding`` a frame's Parseq prompt ``a: 0.75 AND b: 0.25 --neg x: 0.75 AND y: 0.25`` is not
sent as composable diffusion (one UNet pass per part). Instead:

- every distinct part text is encoded once per render through A1111's ``prompt_parser.get_learned_conditioning``
  (so attention syntax, textual-inversion embeddings, ``BREAK`` and ``[a:b:0.5]`` schedules behave as in A1111:
  a scheduled part contributes the conditioning of the current step), in a bounded cache;
- the frame is processed with one plain prompt (its heaviest part, plus every part's ``<lora:…>`` tag, which
  A1111 activates for the whole image as in composable mode: network weights are not blended), and the
  ``on_cfg_denoiser`` callback, A1111's supported hook, replaces ``text_cond``/``text_uncond`` at every step
  with the weighted blend (``lib_parseq.frames.interpolate``: lerp, or slerp per token with the norm
  interpolated). Parts of different token lengths are padded with the empty prompt's chunk, as A1111 pads, and
  cond and uncond leave the callback with the same length: one UNet batch per step;
- SD 1.x/2.x tensors and SDXL dicts (``crossattn`` per token, pooled ``vector``) are both blended;
- the infotext records the blend ("Parseq blend": method, parts and weights) so a frame can be reproduced.

Forge replaces A1111's sampling and conditioning code; there the render falls back to composable prompts and
says so in the infotext and the summary. Torch is touched only here, to move tensors to and from NumPy.
"""

from __future__ import annotations

import importlib.util
import math
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from modules import extra_networks, prompt_parser, script_callbacks, shared

from lib_parseq.backends.a1111 import SETTINGS_SECTION, A1111Backend, option
from lib_parseq.backends.a1111_travel_notes import EMBEDDING_NOTE, FORGE_NOTE
from lib_parseq.frames.interpolate import BLEND_METHODS, blend, pad_tokens
from lib_parseq.render.params import FrameParams

OPTION_PROMPT_BLENDING = "parseq_prompt_blending"
OPTION_BLEND_METHOD = "parseq_blend_method"
FROM_MANIFEST = "from the manifest"
BLENDING_MODES = ("composable", "embedding")
CACHE_SIZE = 64


@dataclass(frozen=True)
class Blending:
    """The render's choice: ``mode`` composable or embedding, ``method`` lerp or slerp, and a note for the user."""

    mode: str = "composable"
    method: str = "lerp"
    note: str = ""


def is_forge() -> bool:
    return importlib.util.find_spec("modules_forge") is not None


def resolve_blending(manifest: dict[str, Any], ui_mode: str, ui_method: str) -> Blending:
    """The script UI's choice, else the Settings default, else the manifest's options, else composable/lerp."""
    options = manifest.get("options") or {}

    def pick(ui: str, key: str, setting: str, choices: tuple[str, ...], fallback: str) -> str:
        for candidate in (ui, str(option(setting, FROM_MANIFEST)), options.get(key)):
            if candidate in choices:
                return candidate
        return fallback

    mode = pick(ui_mode, "prompt_blending", OPTION_PROMPT_BLENDING, BLENDING_MODES, "composable")
    method = pick(ui_method, "blend_method", OPTION_BLEND_METHOD, BLEND_METHODS, "lerp")
    if mode == "embedding" and is_forge():
        return Blending("composable", method, FORGE_NOTE)
    return Blending(mode, method, EMBEDDING_NOTE if mode == "embedding" else "")


@dataclass(frozen=True)
class FrameBlend:
    """One frame's parts: (text without extra-network tags, weight), positive and negative."""

    positive: tuple[tuple[str, float], ...]
    negative: tuple[tuple[str, float], ...]
    network_tags: tuple[str, ...]

    def describe(self, method: str) -> str:
        def side(parts):
            return " | ".join(f"{text.strip() or '(empty)'} {weight:g}" for text, weight in parts)
        return f"{method}; {side(self.positive)}; neg: {side(self.negative)}"

    @property
    def main_positive(self) -> str:
        return " ".join([_heaviest(self.positive), *self.network_tags]).strip()

    @property
    def main_negative(self) -> str:
        return _heaviest(self.negative)


def _heaviest(parts: tuple[tuple[str, float], ...]) -> str:
    return max(parts, key=lambda part: part[1])[0].strip()


def _weighted_parts(text: str) -> tuple[list[tuple[str, float]], list[str]]:
    """A Parseq prompt's AND parts as A1111 reads them, weights summed per distinct text; the extra-network tags."""
    indexes, texts, _ = prompt_parser.get_multicond_prompt_list([text])
    weights: dict[int, float] = {}
    for index, weight in indexes[0]:
        weights[index] = weights.get(index, 0.0) + (weight if math.isfinite(weight) else 0.0)
    parts, tags = [], []
    for index, weight in weights.items():
        plain, networks = extra_networks.parse_prompt(texts[index])
        tags += [f"<{name}:{':'.join(map(str, params.items))}>" for name, found in networks.items()
                 for params in found]
        parts.append((plain, weight))
    return parts, tags


def frame_blend(prompt: str, negative_prompt: str) -> FrameBlend:
    positive, tags = _weighted_parts(prompt)
    negative, _ = _weighted_parts(negative_prompt)
    return FrameBlend(tuple(positive), tuple(negative), tuple(dict.fromkeys(tags)))


class ConditioningCache:
    """Encoded prompts of one render: ``get_learned_conditioning`` schedules by (text, negative, steps), least
    recently used dropped past ``size``; ``encoded`` counts the texts sent to the text encoder."""

    def __init__(self, p: Any, size: int = CACHE_SIZE) -> None:
        self.p = p
        self.size = size
        self.encoded = 0
        self._entries: OrderedDict[tuple, list] = OrderedDict()

    def at_step(self, text: str, negative: bool, step: int) -> Any:
        """The conditioning of ``text`` at sampling ``step`` (one row: (tokens, dim) or an SDXL dict)."""
        steps = int(getattr(self.p, "firstpass_steps", 0) or self.p.steps)
        key = (text, negative, steps)
        schedule = self._entries.get(key)
        if schedule is None:
            conditioning = prompt_parser.SdConditioning([text], is_negative_prompt=negative, width=self.p.width,
                                                        height=self.p.height)
            schedule = prompt_parser.get_learned_conditioning(shared.sd_model, conditioning, steps)[0]
            self.encoded += 1
            self._entries[key] = schedule
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
        else:
            self._entries.move_to_end(key)
        for entry in schedule:
            if step <= entry.end_at_step:
                return entry.cond
        return schedule[0].cond


def _to_numpy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _to_numpy(item) for key, item in value.items()}
    if hasattr(value, "detach"):
        return value.detach().float().cpu().numpy()
    return np.asarray(value, dtype=np.float64)


def _like(array: Any, template: Any) -> Any:
    """``array`` (NumPy, or a dict of them) as the same kind of object as ``template`` (torch tensor, array, dict)."""
    if isinstance(template, dict):
        return type(template)({key: _like(array[key], template[key]) for key in template})
    if hasattr(template, "detach"):
        import torch

        return torch.from_numpy(np.ascontiguousarray(array)).to(device=template.device, dtype=template.dtype)
    return np.asarray(array).astype(template.dtype)


def _crossattn(cond: Any) -> np.ndarray:
    return cond["crossattn"] if isinstance(cond, dict) else cond


def _with_crossattn(cond: Any, crossattn: np.ndarray) -> Any:
    return {**cond, "crossattn": crossattn} if isinstance(cond, dict) else crossattn


def blend_conditionings(conds: list[Any], weights: list[float], method: str, empty: np.ndarray) -> Any:
    """The weighted blend of one-row conditionings (NumPy arrays or SDXL dicts of them), padded to one length."""
    length = max(_crossattn(c).shape[-2] for c in conds)
    filler = _crossattn(empty)
    padded = [_with_crossattn(c, pad_tokens(_crossattn(c), length, filler)) for c in conds]
    if isinstance(padded[0], dict):
        return {key: blend([c[key] for c in padded], weights, method) for key in padded[0]}
    return blend(padded, weights, method)


class EmbeddingTravel:
    """The state the ``on_cfg_denoiser`` callback reads while one frame of an embedding-mode render samples."""

    def __init__(self, p: Any, method: str) -> None:
        self.p = p
        self.method = method
        self.cache = ConditioningCache(p)
        self.frame: FrameBlend | None = None

    def side(self, parts: tuple[tuple[str, float], ...], negative: bool, step: int) -> Any:
        conds = [_to_numpy(self.cache.at_step(text, negative, step)) for text, _ in parts]
        empty = _to_numpy(self.cache.at_step("", negative, step))
        return blend_conditionings(conds, [w for _, w in parts], self.method, empty)

    def replace_conds(self, params: Any) -> None:
        """Put the blended cond and uncond into ``params`` (CFGDenoiserParams), shaped as A1111 gave them."""
        step = int(getattr(params.denoiser, "step", params.sampling_step))
        cond = self.side(self.frame.positive, False, step)
        uncond = self.side(self.frame.negative, True, step)
        empty = _crossattn(_to_numpy(self.cache.at_step("", False, step)))
        length = max(_crossattn(cond).shape[-2], _crossattn(uncond).shape[-2])
        cond = _with_crossattn(cond, pad_tokens(_crossattn(cond), length, empty))
        uncond = _with_crossattn(uncond, pad_tokens(_crossattn(uncond), length, empty))
        params.text_cond = _like(_rows(cond, _row_count(params.text_cond)), params.text_cond)
        params.text_uncond = _like(_rows(uncond, _row_count(params.text_uncond)), params.text_uncond)


def _row_count(batch: Any) -> int:
    return int(_crossattn(batch).shape[0])


def _rows(cond: Any, count: int) -> Any:
    """One conditioning repeated as a batch of ``count`` rows."""
    if isinstance(cond, dict):
        return {key: np.repeat(value[None], count, axis=0) for key, value in cond.items()}
    return np.repeat(cond[None], count, axis=0)


_active: EmbeddingTravel | None = None


def on_cfg_denoiser(params: Any) -> None:
    """``script_callbacks.on_cfg_denoiser``: blend the conditioning of the frame being sampled, if any."""
    travel = _active
    if travel is None or travel.frame is None or getattr(params.denoiser, "p", travel.p) is not travel.p:
        return
    travel.replace_conds(params)


class EmbeddingBackend(A1111Backend):
    """``A1111Backend`` whose frames are sampled with one plain prompt and blended conditionings."""

    def __init__(self, *args: Any, blending: Blending, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.travel = EmbeddingTravel(self.p, blending.method)

    def generate(self, image: np.ndarray, params: FrameParams) -> np.ndarray:
        global _active
        frame = frame_blend(params.prompt, params.negative_prompt)
        self.travel.frame = frame
        self.base_extra["Parseq blend"] = frame.describe(self.travel.method)
        single = replace(params, prompt=frame.main_positive, negative_prompt=frame.main_negative)
        _active = self.travel
        try:
            return super().generate(image, single)
        finally:
            _active = None
            self.travel.frame = None


def on_ui_settings() -> None:
    import gradio as gr

    shared.opts.add_option(OPTION_PROMPT_BLENDING, shared.OptionInfo(
        FROM_MANIFEST, "Prompt blending (composable: one UNet pass per prompt; embedding: blended encoded prompts)",
        gr.Radio, {"choices": [FROM_MANIFEST, *BLENDING_MODES]}, section=SETTINGS_SECTION))
    shared.opts.add_option(OPTION_BLEND_METHOD, shared.OptionInfo(
        FROM_MANIFEST, "Embedding blend method", gr.Radio, {"choices": [FROM_MANIFEST, *BLEND_METHODS]},
        section=SETTINGS_SECTION))


def register_callbacks() -> None:
    script_callbacks.on_ui_settings(on_ui_settings)
    script_callbacks.on_cfg_denoiser(on_cfg_denoiser)
