"""A1111's ``modules.shared_init.initialize``: creates ``shared.opts`` and ``shared.state``."""

from __future__ import annotations

from modules import options, shared, shared_options, shared_state


def initialize() -> None:
    shared.opts = options.Options(shared_options.options_templates)
    shared.state = shared_state.State()
