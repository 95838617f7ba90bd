"""Pure image maths over uint8 RGB arrays (H, W, 3): warp, blend, colour match, adjustments, overlay."""

from lib_parseq.frames.adjust import apply_contrast, apply_noise, fit_to_size
from lib_parseq.frames.blend import FrameHistory, blend_frames, blend_weights
from lib_parseq.frames.colour import ColourWindow, lab_histogram, match_lab_histogram
from lib_parseq.frames.overlay import draw_overlay
from lib_parseq.frames.warp import Motion, delta_matrix, motion_matrix, warp_image

__all__ = [
    "ColourWindow",
    "FrameHistory",
    "Motion",
    "apply_contrast",
    "apply_noise",
    "blend_frames",
    "blend_weights",
    "delta_matrix",
    "draw_overlay",
    "fit_to_size",
    "lab_histogram",
    "match_lab_histogram",
    "motion_matrix",
    "warp_image",
]
