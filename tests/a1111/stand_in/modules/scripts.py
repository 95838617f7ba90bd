"""A1111's ``modules.scripts``: the ``Script`` base class, ``AlwaysVisible``, ``basedir``, the loader and ``ScriptRunner``.

As in A1111 1.10.1: ``load_scripts`` executes each ``scripts/*.py`` file by path (``script_loading.load_module``,
module name = the bare file name), with the extension's directory prepended to ``sys.path`` only while that file
loads; every ``Script`` subclass found in the module's namespace is registered; a failing file is reported and
skipped; callbacks are cleared first. ``ScriptRunner`` builds each script's UI inside a ``gr.Group`` (within the
caller's ``gr.Blocks``), records ``args_from``/``args_to`` in one flat input list whose element 0 is the Script
dropdown (``type="index"``), and ``run`` passes ``args[args_from:args_to]`` positionally to the selected script.
"""

from __future__ import annotations

import inspect
import os
import re
import sys
from collections import namedtuple

import gradio as gr

from modules import errors, extensions, paths, script_callbacks, script_loading, shared

AlwaysVisible = object()


class PostSampleArgs:
    def __init__(self, samples):
        self.samples = samples


class PostprocessImageArgs:
    def __init__(self, image):
        self.image = image


class PostProcessMaskOverlayArgs:
    def __init__(self, index, mask_for_overlay, overlay_image):
        self.index = index
        self.mask_for_overlay = mask_for_overlay
        self.overlay_image = overlay_image


class PostprocessBatchListArgs:
    def __init__(self, images):
        self.images = images

ScriptFile = namedtuple("ScriptFile", ["basedir", "filename", "path"])
ScriptClassData = namedtuple("ScriptClassData", ["script_class", "path", "basedir", "module"])

current_basedir = paths.script_path
scripts_data: list[ScriptClassData] = []


class Script:
    name = None
    section = None
    filename = None
    args_from = None
    args_to = None
    alwayson = False
    is_txt2img = False
    is_img2img = False
    tabname = None
    group = None
    create_group = True
    infotext_fields = None
    paste_field_names = None
    api_info = None
    setup_for_ui_only = False
    controls = None

    def title(self):
        raise NotImplementedError()

    def ui(self, is_img2img):
        pass

    def show(self, is_img2img):
        return True

    def run(self, p, *args):
        pass

    def setup(self, p, *args):
        pass

    def before_process(self, p, *args):
        pass

    def process(self, p, *args):
        pass

    def before_process_batch(self, p, *args, **kwargs):
        pass

    def after_extra_networks_activate(self, p, *args, **kwargs):
        pass

    def process_batch(self, p, *args, **kwargs):
        pass

    def process_before_every_sampling(self, p, *args, **kwargs):
        pass

    def post_sample(self, p, ps, *args):
        pass

    def postprocess_batch(self, p, *args, **kwargs):
        pass

    def postprocess_batch_list(self, p, pp, *args, **kwargs):
        pass

    def postprocess_image(self, p, pp, *args):
        pass

    def postprocess_maskoverlay(self, p, ppmo, *args):
        pass

    def postprocess_image_after_composite(self, p, pp, *args):
        pass

    def postprocess(self, p, processed, *args):
        pass

    def before_component(self, component, **kwargs):
        pass

    def after_component(self, component, **kwargs):
        pass

    def describe(self):
        return ""

    def elem_id(self, item_id):
        need_tabname = self.show(True) == self.show(False)
        tabkind = "img2img" if self.is_img2img else "txt2img"
        tabname = f"{tabkind}_" if need_tabname else ""
        title = re.sub(r"[^a-z_0-9]", "", re.sub(r"\s", "_", self.title().lower()))
        return f"script_{tabname}{title}_{item_id}"


def basedir():
    """The directory of the extension whose script is loading now (the webui root otherwise)."""
    return current_basedir


def list_scripts(scriptdirname, extension, *, include_extensions=True):
    scripts_list = []
    base = os.path.join(paths.script_path, scriptdirname)
    if os.path.exists(base):
        for filename in sorted(os.listdir(base)):
            scripts_list.append(ScriptFile(paths.script_path, filename, os.path.join(base, filename)))
    if include_extensions:
        for ext in extensions.active():
            scripts_list += ext.list_files(scriptdirname, extension)
    return [x for x in scripts_list if os.path.splitext(x.path)[1].lower() == extension and os.path.isfile(x.path)]


def list_files_with_name(filename):
    res = []
    dirs = [paths.script_path] + [ext.path for ext in extensions.active()]
    for dirpath in dirs:
        path = os.path.join(dirpath, filename)
        if os.path.isfile(path):
            res.append(path)
    return res


def load_scripts():
    global current_basedir
    scripts_data.clear()
    script_callbacks.clear_callbacks()
    scripts_list = list_scripts("scripts", ".py")
    syspath = sys.path

    def register_scripts_from_module(module, scriptfile):
        for script_class in module.__dict__.values():
            if not inspect.isclass(script_class):
                continue
            if issubclass(script_class, Script):
                scripts_data.append(ScriptClassData(script_class, scriptfile.path, scriptfile.basedir, module))

    for scriptfile in scripts_list:
        try:
            if scriptfile.basedir != paths.script_path:
                sys.path = [scriptfile.basedir] + sys.path
            current_basedir = scriptfile.basedir
            script_module = script_loading.load_module(scriptfile.path)
            register_scripts_from_module(script_module, scriptfile)
        except Exception:
            errors.report(f"Error loading script: {scriptfile.filename}", exc_info=True)
        finally:
            sys.path = syspath
            current_basedir = paths.script_path


def wrap_call(func, filename, funcname, *args, default=None, **kwargs):
    try:
        return func(*args, **kwargs)
    except Exception:
        errors.report(f"Error calling: {filename}/{funcname}", exc_info=True)
    return default


class ScriptRunner:
    def __init__(self):
        self.scripts = []
        self.selectable_scripts = []
        self.alwayson_scripts = []
        self.titles = []
        self.title_map = {}
        self.infotext_fields = []
        self.paste_field_names = []
        self.inputs = [None]
        self.dropdown = None

    def initialize_scripts(self, is_img2img):
        self.scripts.clear()
        self.alwayson_scripts.clear()
        self.selectable_scripts.clear()
        for script_data in scripts_data:
            try:
                script = script_data.script_class()
            except Exception:
                errors.report(f"Error creating script {script_data.path}", exc_info=True)
                continue
            script.filename = script_data.path
            script.is_txt2img = not is_img2img
            script.is_img2img = is_img2img
            script.tabname = "img2img" if is_img2img else "txt2img"
            visibility = script.show(script.is_img2img)
            if visibility == AlwaysVisible:
                self.scripts.append(script)
                self.alwayson_scripts.append(script)
                script.alwayson = True
            elif visibility:
                self.scripts.append(script)
                self.selectable_scripts.append(script)

    def create_script_ui(self, script):
        script.args_from = len(self.inputs)
        script.args_to = len(self.inputs)
        try:
            self.create_script_ui_inner(script)
        except Exception:
            errors.report(f"Error creating UI for {script.name}: ", exc_info=True)

    def create_script_ui_inner(self, script):
        controls = wrap_call(script.ui, script.filename, "ui", script.is_img2img)
        script.controls = controls
        if controls is None:
            return
        script.name = wrap_call(script.title, script.filename, "title", default=script.filename).lower()
        from modules.api import models as api_models

        api_args = []
        for control in controls:
            control.custom_script_source = os.path.basename(script.filename)
            arg_info = api_models.ScriptArg(label=control.label or "")
            for name in ("value", "minimum", "maximum", "step"):
                v = getattr(control, name, None)
                if v is not None:
                    setattr(arg_info, name, v)
            choices = getattr(control, "choices", None)
            if choices is not None:
                arg_info.choices = [x[0] if isinstance(x, tuple) else x for x in choices]
            api_args.append(arg_info)
        script.api_info = api_models.ScriptInfo(name=script.name, is_img2img=script.is_img2img,
                                                is_alwayson=script.alwayson, args=api_args)
        if script.infotext_fields is not None:
            self.infotext_fields += script.infotext_fields
        if script.paste_field_names is not None:
            self.paste_field_names += script.paste_field_names
        self.inputs += controls
        script.args_to = len(self.inputs)

    def setup_ui_for_section(self, section, scriptlist=None):
        if scriptlist is None:
            scriptlist = self.alwayson_scripts
        for script in scriptlist:
            if script.alwayson and script.section != section:
                continue
            if script.create_group:
                with gr.Group(visible=script.alwayson) as group:
                    self.create_script_ui(script)
                script.group = group
            else:
                self.create_script_ui(script)

    def prepare_ui(self):
        self.inputs = [None]

    def setup_ui(self):
        all_titles = [wrap_call(s.title, s.filename, "title") or s.filename for s in self.scripts]
        self.title_map = {title.lower(): script for title, script in zip(all_titles, self.scripts, strict=True)}
        self.titles = [wrap_call(s.title, s.filename, "title") or f"{s.filename} [error]"
                       for s in self.selectable_scripts]
        self.setup_ui_for_section(None)
        dropdown = gr.Dropdown(label="Script", elem_id="script_list", choices=["None"] + self.titles, value="None",
                               type="index")
        self.inputs[0] = dropdown
        self.dropdown = dropdown
        self.setup_ui_for_section(None, self.selectable_scripts)

        def select_script(script_index):
            selected = self.selectable_scripts[script_index - 1] if script_index and script_index > 0 else None
            updates = [gr.update(visible=selected == s) for s in self.selectable_scripts]
            # A1111 always has several stock scripts; with our single one, gradio wants a bare update, not a list.
            return updates[0] if len(updates) == 1 else updates

        groups = [s.group for s in self.selectable_scripts if s.group is not None]
        if groups:
            dropdown.change(fn=select_script, inputs=[dropdown], outputs=groups)
        return self.inputs

    def run(self, p, *args):
        script_index = args[0]
        if script_index == 0 or script_index is None:
            return None
        script = self.selectable_scripts[script_index - 1]
        if script is None:
            return None
        script_args = args[script.args_from:script.args_to]
        processed = script.run(p, *script_args)
        shared.total_tqdm.clear()
        return processed

    def ordered_scripts(self, method_name):
        """The always-on scripts that override ``method_name``, in load order (A1111 then applies the user's
        callback order from settings, which the stand-in does not have)."""
        return [s for s in self.alwayson_scripts
                if getattr(type(s), method_name, None) is not getattr(Script, method_name, None)]

    def _alwayson(self, method, p, *extra, **kwargs):
        """Each always-on script's hook with its own UI values: ``hook(p, *extra, *script_args, **kwargs)``."""
        for script in self.ordered_scripts(method):
            try:
                script_args = p.script_args[script.args_from:script.args_to]
                getattr(script, method)(p, *extra, *script_args, **kwargs)
            except Exception:
                errors.report(f"Error running {method}: {script.filename}", exc_info=True)

    def setup_scrips(self, p, *, is_ui=True):
        for script in self.ordered_scripts("setup"):
            if not is_ui and script.setup_for_ui_only:
                continue
            try:
                script.setup(p, *p.script_args[script.args_from:script.args_to])
            except Exception:
                errors.report(f"Error running setup: {script.filename}", exc_info=True)

    def before_process(self, p):
        self._alwayson("before_process", p)

    def process(self, p):
        self._alwayson("process", p)

    def process_before_every_sampling(self, p, **kwargs):
        self._alwayson("process_before_every_sampling", p, **kwargs)

    def before_process_batch(self, p, **kwargs):
        self._alwayson("before_process_batch", p, **kwargs)

    def after_extra_networks_activate(self, p, **kwargs):
        self._alwayson("after_extra_networks_activate", p, **kwargs)

    def process_batch(self, p, **kwargs):
        self._alwayson("process_batch", p, **kwargs)

    def post_sample(self, p, ps):
        self._alwayson("post_sample", p, ps)

    def postprocess_batch(self, p, images, **kwargs):
        """A1111 passes ``images`` by keyword after the script's own values."""
        for script in self.ordered_scripts("postprocess_batch"):
            try:
                script_args = p.script_args[script.args_from:script.args_to]
                script.postprocess_batch(p, *script_args, images=images, **kwargs)
            except Exception:
                errors.report(f"Error running postprocess_batch: {script.filename}", exc_info=True)

    def postprocess_batch_list(self, p, pp, **kwargs):
        self._alwayson("postprocess_batch_list", p, pp, **kwargs)

    def postprocess_image(self, p, pp):
        self._alwayson("postprocess_image", p, pp)

    def postprocess_maskoverlay(self, p, ppmo):
        self._alwayson("postprocess_maskoverlay", p, ppmo)

    def postprocess_image_after_composite(self, p, pp):
        self._alwayson("postprocess_image_after_composite", p, pp)

    def postprocess(self, p, processed):
        self._alwayson("postprocess", p, processed)


scripts_txt2img: ScriptRunner = None  # type: ignore[assignment]
scripts_img2img: ScriptRunner = None  # type: ignore[assignment]


def reload_script_body_only():
    """Not needed by the stand-in; kept so code that probes for it finds it."""


def create_runners():
    global scripts_txt2img, scripts_img2img
    scripts_txt2img = ScriptRunner()
    scripts_img2img = ScriptRunner()
