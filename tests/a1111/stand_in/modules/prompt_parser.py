"""A1111's composable-diffusion prompt split (``modules/prompt_parser.py``): ``AND`` parts and trailing ``:weight``."""

from __future__ import annotations

import re

re_AND = re.compile(r"\bAND\b")  # noqa: N816 (A1111's name)
re_weight = re.compile(r"^((?:\s|.)*?)(?:\s*:\s*([-+]?(?:\d+\.?|\d*\.\d+)))?\s*$")


def get_multicond_prompt_list(prompts: list[str]):
    """Each prompt → [(index into the flat list, weight)]; texts are de-duplicated, as A1111 does."""
    res_indexes = []
    prompt_indexes: dict[str, int] = {}
    prompt_flat_list: list[str] = []
    for prompt in prompts:
        subprompts = re_AND.split(prompt)
        indexes = []
        for subprompt in subprompts:
            match = re_weight.search(subprompt)
            text, weight = match.groups() if match is not None else (subprompt, 1.0)
            weight = float(weight) if weight is not None else 1.0
            index = prompt_indexes.get(text, None)
            if index is None:
                index = len(prompt_flat_list)
                prompt_flat_list.append(text)
                prompt_indexes[text] = index
            indexes.append((index, weight))
        res_indexes.append(indexes)
    return res_indexes, prompt_flat_list, prompt_indexes
