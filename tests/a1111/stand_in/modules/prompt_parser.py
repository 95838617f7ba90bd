"""A1111's ``modules/prompt_parser.py``: the composable-diffusion split (``AND`` parts and trailing ``:weight``)
and the learned conditioning — schedules of encoded prompts (``ScheduledPromptConditioning``), their multicond
form, and the per-step reconstruction the CFG denoiser uses — with NumPy arrays standing in for torch tensors."""

from __future__ import annotations

import re
from collections import namedtuple

import numpy as np

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


# --- conditioning (A1111 1.10.1 names and return shapes; arrays stand in for torch tensors) ------------------

class DictWithShape(dict):
    """An SDXL conditioning dict that also has a ``shape`` (its cross-attention's)."""

    def __init__(self, x, shape=None):
        super().__init__()
        self.update(x)

    @property
    def shape(self):
        return self["crossattn"].shape


ScheduledPromptConditioning = namedtuple("ScheduledPromptConditioning", ["end_at_step", "cond"])
MulticondLearnedConditioning = namedtuple("MulticondLearnedConditioning", ["shape", "batch"])
ComposableScheduledPromptConditioning = namedtuple("ComposableScheduledPromptConditioning", ["schedules", "weight"])

re_schedule = re.compile(r"\[([^\[\]:]*):([^\[\]:]*):\s*([0-9.]+)\s*\]")


class SdConditioning(list):
    """A list of prompts with the image size and whether they are negative prompts (A1111's SdConditioning)."""

    def __init__(self, prompts, is_negative_prompt=False, width=None, height=None, copy_from=None):
        super().__init__()
        self.extend(prompts)
        if copy_from is None:
            copy_from = prompts
        self.is_negative_prompt = is_negative_prompt or getattr(copy_from, "is_negative_prompt", False)
        self.width = width or getattr(copy_from, "width", None)
        self.height = height or getattr(copy_from, "height", None)


def get_learned_conditioning_prompt_schedules(prompts, base_steps, hires_steps=None, use_old_scheduling=False):
    """Each prompt → [[end_at_step, text]]: ``[from:to:when]`` switches at ``when`` (a fraction of the steps below 1,
    else a step number). The stand-in reads one level of brackets, no nesting, no ``[a|b]`` alternation."""
    steps = base_steps if hires_steps is None else hires_steps
    res = []
    for prompt in prompts:
        switches = []
        for match in re_schedule.finditer(prompt):
            when = float(match.group(3))
            switches.append(int(when * steps) if when < 1 else int(when))
        boundaries = sorted({s for s in switches if 0 < s < steps})
        schedule = []
        for end in [*boundaries, steps]:
            def pick(match, end=end):
                when = float(match.group(3))
                at = int(when * steps) if when < 1 else int(when)
                return match.group(1) if end <= at else match.group(2)
            schedule.append([end, re_schedule.sub(pick, prompt)])
        res.append(schedule)
    return res


def get_learned_conditioning(model, prompts, steps, hires_steps=None, use_old_scheduling=False):
    """One list of ScheduledPromptConditioning per prompt; each distinct text is encoded once per call."""
    res = []
    schedules = get_learned_conditioning_prompt_schedules(prompts, steps, hires_steps, use_old_scheduling)
    cache = {}
    for prompt, prompt_schedule in zip(prompts, schedules, strict=True):
        cached = cache.get(prompt)
        if cached is not None:
            res.append(cached)
            continue
        texts = SdConditioning([x[1] for x in prompt_schedule], copy_from=prompts)
        conds = model.get_learned_conditioning(texts)
        cond_schedule = []
        for i, (end_at_step, _) in enumerate(prompt_schedule):
            cond = {k: v[i] for k, v in conds.items()} if isinstance(conds, dict) else conds[i]
            cond_schedule.append(ScheduledPromptConditioning(end_at_step, cond))
        cache[prompt] = cond_schedule
        res.append(cond_schedule)
    return res


def get_multicond_learned_conditioning(model, prompts, steps, hires_steps=None, use_old_scheduling=False):
    res_indexes, prompt_flat_list, _ = get_multicond_prompt_list(prompts)
    learned = get_learned_conditioning(model, SdConditioning(prompt_flat_list, copy_from=prompts), steps,
                                       hires_steps, use_old_scheduling)
    res = []
    for indexes in res_indexes:
        res.append([ComposableScheduledPromptConditioning(learned[i], weight) for i, weight in indexes])
    return MulticondLearnedConditioning(shape=(len(prompts),), batch=res)


def _target_index(cond_schedule, current_step):
    for index, entry in enumerate(cond_schedule):
        if current_step <= entry.end_at_step:
            return index
    return 0


def reconstruct_cond_batch(c, current_step):
    param = c[0][0].cond
    if isinstance(param, dict):
        res = DictWithShape({k: np.stack([s[_target_index(s, current_step)].cond[k] for s in c]) for k in param})
    else:
        res = np.stack([s[_target_index(s, current_step)].cond for s in c])
    return res


def stack_conds(tensors):
    token_count = max(x.shape[0] for x in tensors)
    for i in range(len(tensors)):
        if tensors[i].shape[0] != token_count:
            last_vector = tensors[i][-1:]
            tensors[i] = np.vstack([tensors[i], np.repeat(last_vector, token_count - tensors[i].shape[0], axis=0)])
    return np.stack(tensors)


def reconstruct_multicond_batch(c, current_step):
    param = c.batch[0][0].schedules[0].cond
    tensors = []
    conds_list = []
    for composable_prompts in c.batch:
        conds_for_batch = []
        for composable_prompt in composable_prompts:
            target_index = _target_index(composable_prompt.schedules, current_step)
            conds_for_batch.append((len(tensors), composable_prompt.weight))
            tensors.append(composable_prompt.schedules[target_index].cond)
        conds_list.append(conds_for_batch)
    if isinstance(tensors[0], dict):
        stacked = {k: stack_conds([x[k] for x in tensors]) if k == "crossattn" else np.stack([x[k] for x in tensors])
                   for k in param}
        return conds_list, DictWithShape(stacked)
    return conds_list, stack_conds(tensors)
