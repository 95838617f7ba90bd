"""A1111's ``modules.shared_init.initialize``: creates ``shared.opts`` and ``shared.state``; the stand-in also
"loads" its fake checkpoint (``shared.sd_model``, a deterministic text encoder) at once."""

from __future__ import annotations

from modules import options, sd_models_fake, shared, shared_options, shared_state


def initialize() -> None:
    shared.opts = options.Options(shared_options.options_templates)
    shared.state = shared_state.State()
    shared.sd_model = sd_models_fake.FakeSdModel()
