"""A1111 entry point for the Parseq editor tab: registers it with ``script_callbacks.on_ui_tabs``.

A1111 runs this file by path with the extension folder on ``sys.path`` only while it loads, so
``lib_parseq`` is imported here, at module level.
"""

from modules import script_callbacks

from lib_parseq.ui import build_tab


def on_ui_tabs():
    return [(build_tab(), "Parseq", "parseq")]


script_callbacks.on_ui_tabs(on_ui_tabs)
