"""A1111's ``modules.extra_networks``: ``<name:args>`` tags (``<lora:style:0.8>``) taken out of prompts.

As in A1111 1.10.1, ``process_images`` calls ``p.parse_extra_network_prompts()`` once per batch: the tags are
removed from ``p.prompts`` (what the model sees) and collected per network name from the batch's first prompt;
the negative prompt is not parsed. The stand-in has no networks to activate: ``activate`` records what would be.
"""

from __future__ import annotations

import re
from collections import defaultdict

re_extra_net = re.compile(r"<(\w+):([^>]+)>")


class ExtraNetworkParams:
    def __init__(self, items=None):
        self.items = items or []
        self.positional = []
        self.named = {}
        for item in self.items:
            parts = item.split("=", 2) if isinstance(item, str) else [item]
            if len(parts) == 2:
                self.named[parts[0]] = parts[1]
            else:
                self.positional.append(item)

    def __eq__(self, other):
        return self.items == other.items


def parse_prompt(prompt):
    res = defaultdict(list)

    def found(m):
        res[m.group(1)].append(ExtraNetworkParams(items=m.group(2).split(":")))
        return ""

    return re.sub(re_extra_net, found, prompt), res


def parse_prompts(prompts):
    res = []
    extra_data = None
    for prompt in prompts:
        updated_prompt, parsed_extra_data = parse_prompt(prompt)
        if extra_data is None:
            extra_data = parsed_extra_data
        res.append(updated_prompt)
    return res, extra_data


activated: list[dict[str, list[list[str]]]] = []
"""What each batch would activate: network name → the items of each tag (stand-in only)."""


def activate(p, extra_network_data):
    activated.append({name: [params.items for params in params_list]
                      for name, params_list in (extra_network_data or {}).items()})
