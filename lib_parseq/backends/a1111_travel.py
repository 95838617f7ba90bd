"""The img2img script's travel and export controls (pick/pad; composable or embedding prompt blending; genesis)
(gradio only, no A1111 import), appended after the controls of ``a1111_ui`` so that A1111 passes their values to
``run()`` after the others.

API callers that send only the older, shorter ``script_args`` get the defaults here (no pick, no pad, the
manifest's blending and genesis). New controls go at the end of the list so existing callers keep working.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lib_parseq.backends.a1111_ui import ScriptValues
from lib_parseq.errors import RenderError
from lib_parseq.frames.interpolate import BLEND_METHODS
from lib_parseq.render.export import parse_pad, parse_pick
from lib_parseq.render.genesis import GENESIS_MODES

DEFAULT_CHOICE = "Default"
BLENDING_CHOICES = (DEFAULT_CHOICE, "composable", "embedding")
METHOD_CHOICES = (DEFAULT_CHOICE, *BLEND_METHODS)
GENESIS_CHOICES = (DEFAULT_CHOICE, *GENESIS_MODES)
@dataclass(frozen=True)
class TravelValues:
    """The travel/export controls' values, in ``build_travel_controls`` order."""

    pick: str = ""
    pad_first: int = 0
    pad_last: int = 0
    prompt_blending: str = DEFAULT_CHOICE
    blend_method: str = DEFAULT_CHOICE
    genesis: str = DEFAULT_CHOICE

    @classmethod
    def from_args(cls, *args: Any) -> TravelValues:
        names = list(cls.__dataclass_fields__)
        if len(args) > len(names):
            raise TypeError(f"the Parseq script's travel controls take {len(names)} values, got {len(args)}")
        values = dict(zip(names, args, strict=False))
        travel = cls(
            pick=str(values.get("pick") or "").strip(),
            pad_first=int(values.get("pad_first") or 0),
            pad_last=int(values.get("pad_last") or 0),
            prompt_blending=str(values.get("prompt_blending") or DEFAULT_CHOICE),
            blend_method=str(values.get("blend_method") or DEFAULT_CHOICE),
            genesis=str(values.get("genesis") or DEFAULT_CHOICE),
        )
        if travel.genesis not in GENESIS_CHOICES:
            raise RenderError(f"genesis must be one of {', '.join(GENESIS_CHOICES)}, not {travel.genesis!r}")
        parse_pick(travel.pick)
        parse_pad((travel.pad_first, travel.pad_last))
        return travel

    def apply_to(self, settings: Any) -> None:
        """Set the RenderSettings fields these controls own."""
        settings.pick = self.pick
        settings.pad = (self.pad_first, self.pad_last)
        settings.genesis = self.genesis_setting

    @property
    def genesis_setting(self) -> str | None:
        """The chosen genesis, or None to take the manifest's."""
        return None if self.genesis == DEFAULT_CHOICE else self.genesis


def split_args(args: tuple) -> tuple[tuple, TravelValues]:
    """``run()``'s arguments split into the ``a1111_ui`` values and the travel values."""
    count = len(ScriptValues.__dataclass_fields__)
    return tuple(args[:count]), TravelValues.from_args(*args[count:])


def build_travel_controls() -> list:
    """Create the travel/export controls in the caller's gradio context; return those whose values go to ``run()``."""
    import gradio as gr

    with gr.Accordion("Export: pick and pad frames", open=False, elem_id="parseq_export_tools"):
        with gr.Row():
            pick = gr.Textbox(label="Pick frames to encode (Python slice: ::2 every other, :-1 all but the last)",
                              value="", elem_id="parseq_pick")
            pad_first = gr.Number(label="Repeat the first frame (extra copies)", value=0, precision=0,
                                  elem_id="parseq_pad_first")
            pad_last = gr.Number(label="Repeat the last frame (extra copies)", value=0, precision=0,
                                 elem_id="parseq_pad_last")
    with gr.Row():
        prompt_blending = gr.Radio(label="Prompt blending (Default: the Settings choice, else the manifest's)",
                                   choices=list(BLENDING_CHOICES), value=DEFAULT_CHOICE,
                                   elem_id="parseq_prompt_blending")
        blend_method = gr.Radio(label="Embedding blend method", choices=list(METHOD_CHOICES), value=DEFAULT_CHOICE,
                                elem_id="parseq_blend_method")
        genesis = gr.Radio(label="Genesis: each frame starts from (Default: the manifest's, else successive)",
                           choices=list(GENESIS_CHOICES), value=DEFAULT_CHOICE, elem_id="parseq_genesis")
    return [pick, pad_first, pad_last, prompt_blending, blend_method, genesis]
