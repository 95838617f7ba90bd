"""A1111 always-on script without controls: forwards ``process_before_every_sampling`` to Parseq's noise drift.

Only always-on scripts receive that hook (the one that hands a script the initial noise before sampling); it
does nothing unless a Parseq render with a ``noise_shift`` below 1 is sampling a frame.
"""

import modules.scripts as scripts

from lib_parseq.backends import a1111_noise


class ParseqNoiseDrift(scripts.Script):
    def title(self):
        return "Parseq noise drift"

    def show(self, is_img2img):
        return scripts.AlwaysVisible if is_img2img else False

    def ui(self, is_img2img):
        return []

    def process_before_every_sampling(self, p, *args, **kwargs):
        a1111_noise.before_every_sampling(p, kwargs.get("noise"))
