"""Noise drift and genesis in a real webui, through its HTTP API: the always-on "Parseq noise drift" script is
loaded and receives the initial noise; noise_shift 0 gives a frame the previous frame's noise; fixed genesis starts
every frame from the init image; embryo writes only the frames. A non-ancestral sampler (Euler), so that the image
depends on the initial noise only, not on per-step noise drawn from each frame's seed."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from parseq_script import MANIFEST_LABEL, RENDER_TIMEOUT, SCRIPT_TITLE, script_args
from PIL import Image
from webui_client import init_image, png_base64, video_note

pytestmark = [pytest.mark.slow]

GENESIS_LABEL = "Genesis"
DRIFT_SCRIPT = "parseq noise drift"


def still_manifest(count: int, *, seed, strength: float, noise_shift=None) -> dict[str, Any]:
    """``count`` frames of one prompt, no camera motion, the given seeds (and noise_shift)."""
    frames = []
    for f in range(count):
        entry = {"frame": f, "seed": seed(f), "scale": 7, "strength": strength, "zoom": 1.0,
                 "deforum_prompt": "a red fox --neg blurry"}
        if noise_shift is not None:
            entry["noise_shift"] = noise_shift(f)
        frames.append(entry)
    managed = ["seed", "scale", "strength", "zoom"] + (["noise_shift"] if noise_shift is not None else [])
    return {"options": {"output_fps": 10}, "managedFields": managed, "rendered_frames": frames}


def render_frames(host, info, doc: dict[str, Any], genesis: str) -> tuple[dict[str, Any], list[np.ndarray]]:
    """Render with Euler and Save frames; the video note and each saved frame's pixels."""
    payload = {"init_images": [png_base64(init_image())], "width": 64, "height": 64, "steps": 4,
               "sampler_name": "Euler", "prompt": "", "script_name": SCRIPT_TITLE,
               "script_args": script_args(info, **{MANIFEST_LABEL: json.dumps(doc), "Save frames": True,
                                                   GENESIS_LABEL: genesis})}
    response = host.client.post("/sdapi/v1/img2img", payload, timeout=RENDER_TIMEOUT)
    note = video_note(json.loads(response["info"])["infotexts"][0])
    folder = note["path"].parent / f"{note['path'].stem}-frames"
    return note, [np.asarray(Image.open(png).convert("RGB")) for png in sorted(folder.glob("*.png"))]


def test_genesis_is_the_last_script_argument_and_the_drift_script_is_always_on(host, script_info):
    labels = [str(arg["label"]) for arg in script_info["args"]]
    assert len(labels) == 50 and labels[-1].startswith(GENESIS_LABEL), labels
    assert script_info["args"][-1]["choices"] == ["Default", "successive", "fixed", "embryo"]
    drift = [s for s in host.client.get("/sdapi/v1/script-info") if s["name"] == DRIFT_SCRIPT]
    assert len(drift) == 1 and drift[0]["is_alwayson"] is True and drift[0]["args"] == [], drift


def mean_difference(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(int) - b.astype(int)).mean())


HOST_NOISE = 1.0
"""Mean level difference below which two frames count as the same render: identical requests in a row differ by
1-2 levels at a few pixels on Forge's CPU path (seen in the real-host run), never by whole images."""


def test_noise_shift_0_gives_the_previous_frames_noise_and_1_fresh_noise(host, script_info):
    def doc(shift):
        return still_manifest(3, seed=lambda f: 1000 + 7 * f, strength=0.0, noise_shift=lambda f: shift(f))

    held_note, held = render_frames(host, script_info, doc(lambda f: 1.0 if f == 0 else 0.0), "fixed")
    assert (held_note["written"], len(held)) == (3, 3)
    held_drift = [mean_difference(held[k], held[0]) for k in (1, 2)]
    assert max(held_drift) < HOST_NOISE, f"shift 0: the same noise, frames differ by {held_drift}"
    _, fresh = render_frames(host, script_info, doc(lambda f: 1.0), "fixed")
    assert mean_difference(fresh[0], held[0]) < HOST_NOISE
    assert mean_difference(fresh[1], held[1]) > 2, "shift 1: each seed's own noise"
    _, half = render_frames(host, script_info, doc(lambda f: 1.0 if f == 0 else 0.5), "fixed")
    assert mean_difference(half[1], held[1]) > HOST_NOISE and mean_difference(half[1], fresh[1]) > HOST_NOISE


def test_embryo_writes_only_the_frames(host, script_info):
    doc = still_manifest(3, seed=lambda f: 1000 + f, strength=0.5)
    note, frames = render_frames(host, script_info, doc, "embryo")
    assert (note["written"], note["total"], len(frames)) == (3, 3, 3)
    _, fixed = render_frames(host, script_info, doc, "fixed")
    assert not np.array_equal(frames[0], fixed[0]), "embryo frames start from the embryo, not the init image"
