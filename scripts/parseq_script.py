"""A1111 img2img script "Parseq": renders a Parseq manifest frame by frame with img2img into a video.

A1111 executes this file by path with the extension folder on ``sys.path`` only while it loads, so everything
from ``lib_parseq`` is imported here, at module level. The logic lives in ``lib_parseq.backends``.
"""

import modules.scripts as scripts

from lib_parseq.backends import a1111
from lib_parseq.backends.a1111_ui import build_controls

a1111.register_callbacks()


class ParseqScript(scripts.Script):
    def title(self):
        return "Parseq"

    def show(self, is_img2img):
        return is_img2img

    def ui(self, is_img2img):
        return build_controls(a1111.control_defaults())

    def run(self, p, *args):
        return a1111.run_script(p, *args)
