"""A1111's ``modules.shared``: ``opts`` and ``state`` are None until ``shared_init.initialize()`` runs, as in A1111."""

from __future__ import annotations

from modules import cmd_args, options, shared_state  # noqa: F401
from modules.options import OptionInfo, options_section  # noqa: F401

cmd_opts = cmd_args.make_parser().parse_args([])

opts: options.Options = None  # type: ignore[assignment]
state: shared_state.State = None  # type: ignore[assignment]

device = "cpu"
sd_model = None


class _TotalTqdm:
    """A1111's TotalTQDM stub: the stand-in has no console progress bar."""

    def updateTotal(self, new_total):  # noqa: N802 (A1111's name)
        pass

    def update(self):
        pass

    def clear(self):
        pass


total_tqdm = _TotalTqdm()
