"""A1111's ``modules.script_loading``: a script file is executed by path, as a module named after the file."""

from __future__ import annotations

import importlib.util
import os


def load_module(path: str):
    module_spec = importlib.util.spec_from_file_location(os.path.basename(path), path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module
