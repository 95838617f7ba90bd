"""Pure image maths over uint8 RGB arrays (H, W, 3): warp, blend, colour match, adjustments, overlay, and
Deforum's motion toolkit (cadence, flow, hybrid compositing, masks, perspective flip, anti-blur)."""

from lib_parseq.frames.adjust import apply_contrast, apply_noise, fit_to_size
from lib_parseq.frames.blend import FrameHistory, blend_frames, blend_weights
from lib_parseq.frames.coherence import COLOUR_SOURCES, ColourCoherence
from lib_parseq.frames.colour import (
    COLOUR_SPACES,
    ColourWindow,
    colour_histogram,
    lab_histogram,
    match_histogram,
    match_lab_histogram,
    to_greyscale,
)
from lib_parseq.frames.flip import flip_matrix
from lib_parseq.frames.overlay import draw_overlay
from lib_parseq.frames.sharpen import unsharp_mask
from lib_parseq.frames.warp import Motion, border_mode, delta_matrix, motion_matrix, sampling_mode, warp_image

__all__ = [
    "COLOUR_SOURCES",
    "COLOUR_SPACES",
    "ColourCoherence",
    "ColourWindow",
    "FrameHistory",
    "Motion",
    "apply_contrast",
    "apply_noise",
    "blend_frames",
    "blend_weights",
    "border_mode",
    "colour_histogram",
    "delta_matrix",
    "draw_overlay",
    "fit_to_size",
    "flip_matrix",
    "lab_histogram",
    "match_histogram",
    "match_lab_histogram",
    "motion_matrix",
    "sampling_mode",
    "to_greyscale",
    "unsharp_mask",
    "warp_image",
]
