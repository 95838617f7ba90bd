"""The part of A1111 1.10.1's ``modules/api/api.py`` that lists scripts: ``GET /sdapi/v1/script-info``."""

from __future__ import annotations

from modules import scripts
from modules.api import models


def get_script_info() -> list[models.ScriptInfo]:
    res = []
    for script_list in [scripts.scripts_txt2img.scripts, scripts.scripts_img2img.scripts]:
        res += [script.api_info for script in script_list if script.api_info is not None]
    return res


def add_routes(app) -> None:
    """Register the routes on a FastAPI app (A1111's ``Api.add_api_route``, without authentication)."""
    app.add_api_route("/sdapi/v1/script-info", get_script_info, methods=["GET"],
                      response_model=list[models.ScriptInfo])
