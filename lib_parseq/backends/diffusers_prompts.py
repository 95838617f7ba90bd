"""Prompt embeddings for the diffusers backend: composable prompts blended by weight, cached per text.

A1111 reads ``a: 0.7 AND b: 0.3`` as composable diffusion: one UNet pass per part and the guidance
``uncond + cfg · Σ wᵢ (condᵢ − uncond)``. A diffusers pipeline takes one ``prompt_embeds`` per image, so here
the parts' text embeddings are blended, ``ē = Σ wᵢ eᵢ / W`` with ``W = Σ wᵢ``, and the guidance scale becomes
``cfg · W``: the same formula to first order (exact when the parts agree), at the cost of one pass instead of
one per part. Parts with weight 0 or a non-finite weight are dropped, as on the A1111 path; a part without a
weight counts 1. The negative prompt's parts are blended the same way (normalised; it has no guidance factor).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import torch

from lib_parseq.errors import RenderError
from lib_parseq.schedules.composable import weighted_parts

CACHE_SIZE = 256


@dataclass
class Embeddings:
    """One image's text conditioning: the embeddings and, for SDXL-style pipelines, the pooled ones."""

    embeds: torch.Tensor
    pooled: torch.Tensor | None = None

    def scaled(self, factor: float) -> Embeddings:
        return Embeddings(self.embeds * factor, None if self.pooled is None else self.pooled * factor)

    def plus(self, other: Embeddings) -> Embeddings:
        pooled = None if self.pooled is None or other.pooled is None else self.pooled + other.pooled
        return Embeddings(self.embeds + other.embeds, pooled)


def blend_weights(text: str) -> tuple[list[tuple[str, float]], float]:
    """The parts to blend with their weights, and the weights' sum W (see the module docstring)."""
    parts = [(part, 1.0 if weight is None else weight) for part, weight in weighted_parts(text)]
    kept = [(part, weight) for part, weight in parts if math.isfinite(weight) and weight != 0]
    if not kept:
        kept = [(parts[0][0], 1.0)]
    return kept, math.fsum(weight for _, weight in kept)


class PromptEncoder:
    """Encodes texts with the pipeline's own text encoders, remembering the most recent ``CACHE_SIZE``."""

    def __init__(self, pipe: Any, device: str) -> None:
        self.pipe = pipe
        self.device = device
        self.cache: OrderedDict[str, Embeddings] = OrderedDict()
        self.zeros_for_empty = bool(getattr(pipe.config, "force_zeros_for_empty_prompt", False))

    def encode(self, text: str) -> Embeddings:
        cached = self.cache.get(text)
        if cached is not None:
            self.cache.move_to_end(text)
            return cached
        with torch.no_grad():
            out = self.pipe.encode_prompt(prompt=text, device=self.device, num_images_per_prompt=1,
                                          do_classifier_free_guidance=False)
        embeddings = Embeddings(out[0], out[2] if len(out) >= 4 else None)
        self.cache[text] = embeddings
        if len(self.cache) > CACHE_SIZE:
            self.cache.popitem(last=False)
        return embeddings

    def blended(self, text: str, frame: int, what: str) -> tuple[Embeddings, float]:
        """The weight-blended embeddings of a (composable) prompt and its weight sum W."""
        parts, total = blend_weights(text)
        if total <= 0:
            raise RenderError(f"the {what} prompt's weights add up to {total:g}; blending embeddings by weight "
                              "needs a positive sum", frame=frame)
        if len(parts) == 1:
            return self.encode(parts[0][0]), total
        mixed: Embeddings | None = None
        for part, weight in parts:
            term = self.encode(part).scaled(weight / total)
            mixed = term if mixed is None else mixed.plus(term)
        return mixed, total

    def negative(self, text: str, frame: int, like: Embeddings) -> Embeddings:
        """The negative prompt's embeddings; an empty one is zeros where the model asks for that (SDXL)."""
        if not text.strip() and self.zeros_for_empty:
            return Embeddings(torch.zeros_like(like.embeds),
                              None if like.pooled is None else torch.zeros_like(like.pooled))
        return self.blended(text, frame, "negative")[0]
