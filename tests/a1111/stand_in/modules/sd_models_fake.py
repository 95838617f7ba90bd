"""Stand-in only: the loaded checkpoint as far as text conditioning goes — a deterministic fake text encoder.

``get_learned_conditioning(texts)`` answers like A1111's ``sd_model.get_learned_conditioning``: one row per text,
77 tokens per chunk of 75 words (``BREAK`` starts a new chunk), every row of a batch padded to the batch's longest
with the empty prompt's chunk, as A1111's hijack does. SD 1.x/2.x give an array (n, tokens, DIM); SDXL
(``is_sdxl``) gives A1111's dict ``{"crossattn": (n, tokens, DIM), "vector": (n, VECTOR_DIM)}``. Arrays stand in
for torch tensors (the tests run without torch); values come from a hash of each word and its position, so two
texts' conditionings differ and one text always gives the same one. ``encoded`` counts the texts encoded.
"""

from __future__ import annotations

import hashlib

import numpy as np

from modules.prompt_parser import DictWithShape

CHUNK_WORDS = 75
CHUNK_TOKENS = 77
DIM = 32
VECTOR_DIM = 12


def _vector(*key) -> np.ndarray:
    digest = hashlib.sha256(repr(key).encode("utf-8")).digest()
    seed = int.from_bytes(digest[:8], "little")
    return np.random.default_rng(seed).normal(size=DIM).astype(np.float32)


def _chunks(text: str) -> list[list[str]]:
    chunks: list[list[str]] = []
    for part in text.split("BREAK"):
        words = part.split()
        chunks += [words[i:i + CHUNK_WORDS] for i in range(0, max(len(words), 1), CHUNK_WORDS)]
    return chunks


def _encode_chunk(words: list[str]) -> np.ndarray:
    rows = [_vector("start")]
    rows += [_vector(word, position) for position, word in enumerate(words)]
    rows += [_vector("end", position) for position in range(len(words), CHUNK_WORDS + 1)]
    return np.stack(rows)


class FakeSdModel:
    """What the extension reaches through ``shared.sd_model`` when it encodes prompts."""

    def __init__(self, *, is_sdxl: bool = False) -> None:
        self.is_sdxl = is_sdxl
        self.encoded: list[str] = []
        self.cond_stage_model_empty_prompt = _encode_chunk([])[None]

    def get_learned_conditioning(self, texts):
        self.encoded += list(texts)
        encoded = [[_encode_chunk(words) for words in _chunks(text)] for text in texts]
        longest = max(len(chunks) for chunks in encoded)
        empty = _encode_chunk([])
        crossattn = np.stack([np.concatenate(chunks + [empty] * (longest - len(chunks))) for chunks in encoded])
        if not self.is_sdxl:
            return crossattn
        vector = np.stack([np.resize(c.mean(axis=0), VECTOR_DIM) for c in crossattn])
        return DictWithShape({"crossattn": crossattn, "vector": vector})
