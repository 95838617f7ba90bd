"""Init masks inside a real webui (issue 11): a mask image sent by an API caller, and the init image's alpha.

Two frames with overlay on and no blur: outside the mask every pixel of both saved frames is the init's, inside
the frame changed. The mask image travels in ``script_args`` as base64 text (A1111 hands it to the script
undecoded); the alpha mask comes with the init image itself (an RGBA PNG in ``init_images``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from parseq_script import first_infotext, img2img, saved_frames
from PIL import Image
from webui_client import init_image, png_base64, video_note

pytestmark = [pytest.mark.slow]

SIZE = 64


def two_frames() -> dict[str, Any]:
    frames = [{"frame": f, "seed": 3000 + f, "scale": 7, "strength": 0.75, "deforum_prompt": "a red fox"}
              for f in range(2)]
    return {"options": {"output_fps": 10}, "managedFields": ["seed", "scale", "strength"], "rendered_frames": frames}


def left_half() -> np.ndarray:
    mask = np.zeros((SIZE, SIZE), np.uint8)
    mask[:, : SIZE // 2] = 255
    return mask


def box() -> np.ndarray:
    mask = np.zeros((SIZE, SIZE), np.uint8)
    mask[16:48, 8:40] = 255
    return mask


def check_frames(response: dict, init: np.ndarray, regenerated: np.ndarray) -> None:
    note = video_note(first_infotext(response))
    assert (note["written"], note["total"], note["stopped"]) == (2, 2, False), note
    frames = saved_frames(note["path"])
    assert len(frames) == 2
    for png in frames:
        with Image.open(png) as image:
            frame = np.asarray(image.convert("RGB")).astype(int)
        kept = ~regenerated
        assert np.array_equal(frame[kept], init[kept].astype(int)), f"{png.name}: pixels outside the mask changed"
        change = np.abs(frame[regenerated] - init[regenerated].astype(int)).mean()
        assert change > 5, f"{png.name}: inside the mask the frame barely changed ({change:.2f})"


def test_an_uploaded_mask_image_inverted_with_overlay(host, script_info):
    """White in the mask = regenerate; inverted, the right half is regenerated and the left half kept."""
    init = init_image(SIZE, SIZE)
    mask = Image.fromarray(left_half(), mode="L")
    response = img2img(host.client, script_info, two_frames(), steps=4, init=init,
                       **{"Save frames": True, "Mask source": "mask image", "Mask image": png_base64(mask),
                          "Invert mask": True, "Mask blur": 0, "Overlay the init": True})
    check_frames(response, np.asarray(init), regenerated=left_half() == 0)


def test_the_init_images_alpha_as_the_mask_with_overlay(host, script_info):
    rgba = init_image(SIZE, SIZE).convert("RGBA")
    rgba.putalpha(Image.fromarray(box(), mode="L"))
    response = img2img(host.client, script_info, two_frames(), steps=4, init=rgba,
                       **{"Save frames": True, "Mask source": "init alpha", "Mask blur": 0, "Overlay the init": True})
    check_frames(response, np.asarray(rgba.convert("RGB")), regenerated=box() == 255)
