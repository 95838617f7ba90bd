"""A1111's ``modules.script_callbacks``: ``on_*`` registration, the ``*_callback`` dispatchers, ``clear_callbacks``.

A failing callback is reported through ``errors.report`` and skipped, as in A1111.
"""

from __future__ import annotations

import inspect
import os
from collections import namedtuple
from collections.abc import Callable
from typing import Any

from modules import errors

ScriptCallback = namedtuple("ScriptCallback", ["script", "callback", "name"])


class ImageSaveParams:
    def __init__(self, image, p, filename, pnginfo):
        self.image = image
        self.p = p
        self.filename = filename
        self.pnginfo = pnginfo


class CFGDenoiserParams:
    def __init__(self, x, image_cond, sigma, sampling_step, total_sampling_steps, text_cond, text_uncond, denoiser=None):
        self.x = x
        self.image_cond = image_cond
        self.sigma = sigma
        self.sampling_step = sampling_step
        self.total_sampling_steps = total_sampling_steps
        self.text_cond = text_cond
        self.text_uncond = text_uncond
        self.denoiser = denoiser


_CATEGORIES = (
    "app_started", "model_loaded", "ui_tabs", "ui_train_tabs", "ui_settings", "before_image_saved",
    "image_saved", "extra_noise", "cfg_denoiser", "cfg_denoised", "cfg_after_cfg", "before_component",
    "after_component", "image_grid", "infotext_pasted", "script_unloaded", "before_ui", "on_reload",
)
callback_map: dict[str, list[ScriptCallback]] = {f"callbacks_{name}": [] for name in _CATEGORIES}


def clear_callbacks() -> None:
    for callback_list in callback_map.values():
        callback_list.clear()


def _caller_filename() -> str:
    stack = [frame.filename for frame in inspect.stack() if frame.filename != __file__]
    return stack[0] if stack else "unknown file"


def add_callback(callbacks: list, fun: Callable, *, name: str | None = None, category: str = "unknown") -> None:
    filename = _caller_filename()
    unique = f"{os.path.basename(filename)}/{category}" + (f"/{name}" if name else "")
    callbacks.append(ScriptCallback(filename, fun, unique))


def _run(category: str, *args: Any) -> list:
    results = []
    for c in callback_map[f"callbacks_{category}"]:
        try:
            results.append(c.callback(*args))
        except Exception:
            errors.report(f"Error executing callback {category}_callback for {c.script}", exc_info=True)
    return results


def app_started_callback(demo, app) -> None:
    _run("app_started", demo, app)


def ui_tabs_callback() -> list:
    res = []
    for result in _run("ui_tabs"):
        res += result or []
    return res


def ui_settings_callback() -> None:
    _run("ui_settings")


def before_ui_callback() -> None:
    _run("before_ui")


def before_image_saved_callback(params: ImageSaveParams) -> None:
    _run("before_image_saved", params)


def image_saved_callback(params: ImageSaveParams) -> None:
    _run("image_saved", params)


def cfg_denoiser_callback(params: CFGDenoiserParams) -> None:
    _run("cfg_denoiser", params)


def script_unloaded_callback() -> None:
    _run("script_unloaded")


def on_app_started(callback, *, name=None):
    add_callback(callback_map["callbacks_app_started"], callback, name=name, category="app_started")


def on_model_loaded(callback, *, name=None):
    add_callback(callback_map["callbacks_model_loaded"], callback, name=name, category="model_loaded")


def on_ui_tabs(callback, *, name=None):
    add_callback(callback_map["callbacks_ui_tabs"], callback, name=name, category="ui_tabs")


def on_ui_train_tabs(callback, *, name=None):
    add_callback(callback_map["callbacks_ui_train_tabs"], callback, name=name, category="ui_train_tabs")


def on_ui_settings(callback, *, name=None):
    add_callback(callback_map["callbacks_ui_settings"], callback, name=name, category="ui_settings")


def on_before_image_saved(callback, *, name=None):
    add_callback(callback_map["callbacks_before_image_saved"], callback, name=name, category="before_image_saved")


def on_image_saved(callback, *, name=None):
    add_callback(callback_map["callbacks_image_saved"], callback, name=name, category="image_saved")


def on_cfg_denoiser(callback, *, name=None):
    add_callback(callback_map["callbacks_cfg_denoiser"], callback, name=name, category="cfg_denoiser")


def on_infotext_pasted(callback, *, name=None):
    add_callback(callback_map["callbacks_infotext_pasted"], callback, name=name, category="infotext_pasted")


def on_script_unloaded(callback, *, name=None):
    add_callback(callback_map["callbacks_script_unloaded"], callback, name=name, category="script_unloaded")


def on_before_ui(callback, *, name=None):
    add_callback(callback_map["callbacks_before_ui"], callback, name=name, category="before_ui")
