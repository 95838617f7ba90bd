"""The Parseq img2img script through the webui's HTTP API: arguments by label, a render, what it returns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PIL import Image
from webui_client import WebuiClient, init_image, png_base64

SCRIPT_TITLE = "Parseq"
MANIFEST_LABEL = "Parseq manifest"
RENDER_TIMEOUT = 3600


def parseq_script_info(client: WebuiClient) -> dict[str, Any]:
    """The script's ``/sdapi/v1/script-info`` entry (exactly one)."""
    entries = [s for s in client.get("/sdapi/v1/script-info") if s["name"] == SCRIPT_TITLE.lower()]
    assert len(entries) == 1, f"script-info lists 'parseq' {len(entries)} times"
    return entries[0]


def script_args(info: dict[str, Any], **by_label: Any) -> list[Any]:
    """The script's arguments at their UI defaults, with the ones whose label starts with a key replaced (so
    controls added later keep their defaults)."""
    args = [arg["value"] for arg in info["args"]]
    for prefix, value in by_label.items():
        hits = [i for i, arg in enumerate(info["args"]) if str(arg["label"]).startswith(prefix)]
        assert len(hits) == 1, f"{len(hits)} script arguments labelled {prefix!r}: {[a['label'] for a in info['args']]}"
        args[hits[0]] = value
    return args


def img2img(client: WebuiClient, info: dict[str, Any], doc: dict[str, Any] | str, *, steps: int = 4,
            init: Image.Image | None = None, size: int = 64, **by_label: Any) -> dict:
    """``/sdapi/v1/img2img`` with the Parseq script on manifest ``doc`` (init: a gradient), ``size``² pixels."""
    text = doc if isinstance(doc, str) else json.dumps(doc)
    image = init if init is not None else init_image(size, size)
    payload = {"init_images": [png_base64(image)], "width": size, "height": size, "steps": steps,
               "prompt": "", "script_name": SCRIPT_TITLE,
               "script_args": script_args(info, **{MANIFEST_LABEL: text, **by_label})}
    return client.post("/sdapi/v1/img2img", payload, timeout=RENDER_TIMEOUT)


def first_infotext(response: dict) -> str:
    """The first kept frame's infotext, where the script puts its "Parseq video: ..." note."""
    infotexts = json.loads(response["info"])["infotexts"]
    assert infotexts, f"the render kept no frame: {response['info']}"
    return infotexts[0]


def parameters_of(png: Path) -> str:
    with Image.open(png) as image:
        return image.info["parameters"]


def saved_frames(video: Path) -> list[Path]:
    """The PNGs "Save frames" wrote beside ``video``, in frame order."""
    return sorted((video.parent / f"{video.stem}-frames").glob("*.png"))
