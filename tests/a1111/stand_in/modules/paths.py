"""A1111's ``modules.paths`` / ``paths_internal``: where the webui and its extensions live.

The stand-in's webui root is the current directory when first imported, as in A1111 (launched from its root),
unless ``STANDIN_WEBUI_ROOT`` says otherwise.
"""

from __future__ import annotations

import os

script_path = os.path.abspath(os.environ.get("STANDIN_WEBUI_ROOT", os.getcwd()))
data_path = script_path
extensions_dir = os.path.join(data_path, "extensions")
extensions_builtin_dir = os.path.join(script_path, "extensions-builtin")
models_path = os.path.join(data_path, "models")
