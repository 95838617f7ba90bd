"""Drive the A1111 stand-in as A1111 1.10.1 does: load extensions, build the UI, run img2img with a script.

For tests of any area (the Parseq tab's tests use it too). Two ways in:

In-process, isolated (the stand-in's ``modules`` and ``launch`` are importable only inside the block, and are
removed from ``sys.modules`` and ``sys.path`` on exit, together with every module that imported them)::

    import importlib.util, pathlib
    path = pathlib.Path("tests/a1111/stand_in/harness.py")
    spec = importlib.util.spec_from_file_location("a1111_harness", path)
    harness = importlib.util.module_from_spec(spec); spec.loader.exec_module(harness)

    with harness.stand_in(webui_root=tmp_path, extensions=[repo_root]) as webui:
        webui.load_scripts()                 # runs every extension's scripts/*.py through A1111's loader
        demo = webui.build_ui()              # gr.Blocks: img2img tab (script dropdown + script UIs) + on_ui_tabs tabs
        tabs = webui.ui_tabs                 # the (blocks, title, elem_id) tuples the extensions returned
        args = webui.script_args("Parseq", {"parseq_manifest": text})   # flat inputs, as the UI submits them
        processed = webui.img2img(init_image, args, prompt="a cat", steps=10)   # source="api": keep the mode
        webui.progress_bar_text()            # inside a render: what A1111's progress bar shows
        webui.modules.shared.state, webui.modules.processing.calls, webui.modules.errors.reported

Inside the block the working directory is the webui root and the output folders are A1111's relative defaults
(``outputs/img2img-images``), as in a real install.

In a fresh process (what browser tests and ``check_gradio4.sh`` use)::

    python tests/a1111/stand_in/harness.py check-ui --extension . [--root DIR]
    python tests/a1111/stand_in/harness.py serve --extension . --port 7861 [--root DIR]

``serve`` launches the whole UI on 127.0.0.1 with the extensions' ``javascript/*.js`` and ``style.css`` injected the
way A1111 injects them (gradio's ``TemplateResponse`` patched) and ``GET /sdapi/v1/script-info``, and prints
``READY <url>`` when it listens.
Each extension is linked into ``<root>/extensions/<dir name>`` (or under the key, when ``extensions`` is a mapping
of names to paths); the root defaults to a new temporary directory.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
import tempfile
import types
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

STAND_IN = Path(__file__).resolve().parent
TASK_ID = "task(stand-in)"
_OWN_NAMES = ("modules", "launch")


def _is_stand_in_module(name: str, module: Any) -> bool:
    if name in _OWN_NAMES or name.startswith("modules."):
        return True
    if name.startswith("lib_parseq.backends.a1111"):
        return True
    filename = getattr(module, "__file__", None) or ""
    return filename.startswith(str(STAND_IN))


class Webui:
    """One stand-in webui: its root directory, its extensions, its loaded scripts and UI."""

    def __init__(self, root: Path, modules: types.SimpleNamespace):
        self.root = root
        self.modules = modules
        self.ui_tabs: list = []
        self.img2img_inputs: dict[str, Any] = {}
        self.demo = None

    def load_scripts(self) -> None:
        """A1111's start-up: list extensions, execute every scripts/*.py, make the txt2img and img2img runners."""
        m = self.modules
        m.extensions.list_extensions()
        m.scripts.load_scripts()
        m.scripts.create_runners()

    def build_ui(self):
        """Build the UI as ``modules/ui.py:create_ui`` does; returns the outer ``gr.Blocks``."""
        import gradio as gr

        m = self.modules
        m.script_callbacks.ui_settings_callback()
        m.scripts.scripts_txt2img.initialize_scripts(is_img2img=False)
        with gr.Blocks(analytics_enabled=False) as txt2img_interface:
            m.scripts.scripts_txt2img.prepare_ui()
            m.scripts.scripts_txt2img.setup_ui()
        m.scripts.scripts_img2img.initialize_scripts(is_img2img=True)
        with gr.Blocks(analytics_enabled=False) as img2img_interface:
            init_img = gr.Image(label="Image for img2img", elem_id="img2img_image", type="pil", image_mode="RGBA")
            prompt = gr.Textbox(label="Prompt", elem_id="img2img_prompt", lines=3)
            negative = gr.Textbox(label="Negative prompt", elem_id="img2img_neg_prompt", lines=3)
            steps = gr.Slider(minimum=1, maximum=150, step=1, label="Sampling steps", value=20)
            cfg_scale = gr.Slider(minimum=1.0, maximum=30.0, step=0.5, label="CFG Scale", value=7.0)
            denoising = gr.Slider(minimum=0.0, maximum=1.0, step=0.01, label="Denoising strength", value=0.75)
            seed = gr.Number(label="Seed", value=-1, elem_id="img2img_seed")
            m.scripts.scripts_img2img.prepare_ui()
            custom_inputs = m.scripts.scripts_img2img.setup_ui()
            submit = gr.Button("Generate", elem_id="img2img_generate")
            gallery = gr.Gallery(label="Output", elem_id="img2img_gallery")
            info = gr.HTML(elem_id="html_info_img2img")

            def run_from_ui(image, prompt_text, negative_text, steps_value, cfg_value, denoise_value, seed_value,
                            *args):
                processed = self.img2img(image, list(args), prompt=prompt_text, negative_prompt=negative_text,
                                         steps=int(steps_value), cfg_scale=cfg_value,
                                         denoising_strength=denoise_value, seed=int(seed_value))
                return processed.images, processed.info

            submit.click(fn=run_from_ui,
                         inputs=[init_img, prompt, negative, steps, cfg_scale, denoising, seed, *custom_inputs],
                         outputs=[gallery, info], api_name="img2img")
        self.img2img_inputs = {"init_img": init_img, "custom_inputs": custom_inputs, "gallery": gallery}
        self.ui_tabs = m.script_callbacks.ui_tabs_callback()
        interfaces = [(txt2img_interface, "txt2img", "txt2img"), (img2img_interface, "img2img", "img2img")]
        interfaces += self.ui_tabs
        with gr.Blocks(analytics_enabled=False, title="Stable Diffusion") as demo:
            with gr.Tabs(elem_id="tabs"):
                for interface, label, ifid in interfaces:
                    with gr.TabItem(label, id=ifid, elem_id=f"tab_{ifid}"):
                        interface.render()
        self.demo = demo
        return demo

    def script(self, title: str, *, is_img2img: bool = True):
        runner = self.modules.scripts.scripts_img2img if is_img2img else self.modules.scripts.scripts_txt2img
        for script in runner.selectable_scripts:
            if script.title() == title:
                return script
        raise LookupError(f"no selectable script titled {title!r}")

    def script_args(self, title: str, values: dict[str, Any] | None = None) -> list:
        """The flat argument list the UI submits: the dropdown index, then every script's component values.

        ``values`` overrides components of the named script by ``elem_id`` or ``label``; the others keep their
        ``.value`` (what ``api.py:init_default_script_args`` uses as defaults). Builds the UI first if needed."""
        if self.demo is None:
            self.build_ui()
        runner = self.modules.scripts.scripts_img2img
        script = self.script(title)
        args: list = [None] * len(runner.inputs)
        for s in runner.scripts:
            for i, control in enumerate(s.controls or []):
                args[s.args_from + i] = getattr(control, "value", None)
        args[0] = runner.selectable_scripts.index(script) + 1
        unused = dict(values or {})
        for i, control in enumerate(script.controls):
            for key in (getattr(control, "elem_id", None), getattr(control, "label", None)):
                if key is not None and key in unused:
                    args[script.args_from + i] = unused.pop(key)
                    break
        if unused:
            raise KeyError(f"no component of {title!r} has elem_id or label {sorted(unused)}")
        return args

    def img2img(self, init_image, args: list, *, prompt: str = "", negative_prompt: str = "", steps: int = 20,
                cfg_scale: float = 7.0, denoising_strength: float = 0.75, seed: int = -1, subseed: int = -1,
                subseed_strength: float = 0.0, width: int | None = None, height: int | None = None,
                sampler_name: str = "Euler a", source: str = "ui", **fields: Any):
        """``modules/img2img.py:img2img`` for the img2img mode: build ``p``, then ``run`` the script or process.

        ``source="ui"``: the image arrives as the img2img image component gives it (``image_mode="RGBA"``);
        ``"api"``: as ``/sdapi/v1/img2img`` decodes it, in whatever mode was sent. No image: ``init_images`` is
        ``[None]``, as in A1111."""
        if source not in ("ui", "api"):
            raise ValueError(f"source must be 'ui' or 'api', not {source!r}")
        if init_image is not None and source == "ui":
            init_image = init_image.convert("RGBA")
        m = self.modules
        opts, state = m.shared.opts, m.shared.state
        width = width or (init_image.width if init_image is not None else 512)
        height = height or (init_image.height if init_image is not None else 512)
        p = m.processing.StableDiffusionProcessingImg2Img(
            outpath_samples=opts.outdir_samples or opts.outdir_img2img_samples,
            outpath_grids=opts.outdir_grids or opts.outdir_img2img_grids,
            prompt=prompt, negative_prompt=negative_prompt, styles=[], seed=seed, subseed=subseed,
            subseed_strength=subseed_strength, sampler_name=sampler_name, batch_size=1, n_iter=1, steps=steps,
            cfg_scale=cfg_scale, width=width, height=height, init_images=[init_image],
            denoising_strength=denoising_strength, **fields)
        p.scripts = m.scripts.scripts_img2img
        p.script_args = args
        m.progress.add_task_to_queue(TASK_ID)
        state.begin(job=TASK_ID)
        m.progress.start_task(TASK_ID)
        try:
            processed = m.scripts.scripts_img2img.run(p, *args)
            if processed is None:
                processed = m.processing.process_images(p)
        finally:
            m.progress.finish_task(TASK_ID)
        state.end()
        return processed

    def progress_bar_text(self) -> str:
        """The text of A1111's progress bar now, as ``progressbar.js`` composes it from ``/internal/progress``."""
        m = self.modules
        res = m.progress.progressapi(m.progress.ProgressRequest(id_task=TASK_ID, live_preview=False))
        text = f"{res.progress * 100:.0f}%" if res.progress else ""
        if res.eta:
            text += " ETA: ..."
        if res.textinfo and "\n" not in res.textinfo:
            text = f"{res.textinfo} {text}"
        return text

    def interrupt_button(self) -> None:
        """What A1111's Interrupt button does (``ui_toprow``): stop after the current image in a multi-image job."""
        state, opts = self.modules.shared.state, self.modules.shared.opts
        if state.job_count > 1 and opts.interrupt_after_current:
            state.stop_generating()
        else:
            state.interrupt()

    def javascript_html(self) -> str:
        m = self.modules
        tags = []
        for ext in m.extensions.active():
            js_dir = Path(ext.path) / "javascript"
            if js_dir.is_dir():
                for js in sorted(js_dir.iterdir()):
                    if js.suffix == ".js":
                        tags.append(f'<script type="text/javascript" src="file={js}?{int(js.stat().st_mtime)}"></script>')
                    elif js.suffix == ".mjs":
                        tags.append(f'<script type="module" src="file={js}?{int(js.stat().st_mtime)}"></script>')
        return "\n".join(tags)

    def css_html(self) -> str:
        return "\n".join(f'<link rel="stylesheet" property="stylesheet" href="file={css}">'
                         for css in self.modules.scripts.list_files_with_name("style.css"))


_GRADIO_APP_JS = """<script>
function gradioApp() {
    const elems = document.getElementsByTagName('gradio-app');
    const elem = elems.length == 0 ? document : elems[0];
    if (elem !== document) elem.getElementById = function(id) { return document.getElementById(id); };
    return elem.shadowRoot ? elem.shadowRoot : elem;
}
</script>"""


def patch_template_response(webui: Webui) -> None:
    """Inject the extensions' JavaScript and CSS into gradio's page, as ``modules/ui_gradio_extensions.py`` does."""
    import gradio as gr

    original = gr.routes.templates.TemplateResponse
    js = _GRADIO_APP_JS + "\n" + webui.javascript_html()
    css = webui.css_html()

    def template_response(*args, **kwargs):
        res = original(*args, **kwargs)
        res.body = res.body.replace(b"</head>", f"{js}</head>".encode())
        res.body = res.body.replace(b"</body>", f"{css}</body>".encode())
        res.init_headers()
        return res

    gr.routes.templates.TemplateResponse = template_response


def _link_extensions(root: Path, extensions: Iterable[Path | str] | Mapping[str, Path | str]) -> None:
    """Link each extension into ``<root>/extensions/`` (under its directory name, or the mapping's key)."""
    ext_dir = root / "extensions"
    ext_dir.mkdir(parents=True, exist_ok=True)
    named = extensions.items() if isinstance(extensions, Mapping) else ((Path(e).resolve().name, e) for e in extensions)
    for name, ext in named:
        link = ext_dir / name
        if not link.exists():
            link.symlink_to(Path(ext).resolve(), target_is_directory=True)


@contextlib.contextmanager
def stand_in(webui_root: Path | str,
             extensions: Iterable[Path | str] | Mapping[str, Path | str] = ()) -> Iterator[Webui]:
    """Make the stand-in importable as ``modules``/``launch`` for the block, initialised, then remove every trace.

    Inside the block the working directory is the webui root, as for a real install (``webui.sh`` starts A1111
    from its folder): A1111's default output folders are relative paths such as ``outputs/img2img-images``."""
    root = Path(webui_root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    _link_extensions(root, extensions)
    clashing = {name: mod for name, mod in sys.modules.items() if name in _OWN_NAMES or name.startswith("modules.")}
    if clashing:
        raise RuntimeError(f"a 'modules' package is already imported ({sorted(clashing)[:3]}); refusing to shadow it")
    saved_path = list(sys.path)
    saved_cwd = os.getcwd()
    os.chdir(root)
    saved_env = os.environ.get("STANDIN_WEBUI_ROOT")
    os.environ["STANDIN_WEBUI_ROOT"] = str(root)
    sys.path.insert(0, str(STAND_IN))
    importlib.invalidate_caches()
    try:
        names = ("errors", "paths", "shared", "shared_init", "options", "shared_state", "scripts", "script_callbacks",
                 "script_loading", "processing", "images", "prompt_parser", "extensions", "extra_networks", "progress",
                 "rng")
        ns = types.SimpleNamespace(**{n: importlib.import_module(f"modules.{n}") for n in names})
        ns.api = importlib.import_module("modules.api.api")
        ns.shared_init.initialize()
        ns.errors.reported.clear()
        ns.processing.calls.clear()
        ns.extra_networks.activated.clear()
        yield Webui(root, ns)
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        for name in [n for n, mod in list(sys.modules.items()) if _is_stand_in_module(n, mod)]:
            module = sys.modules.pop(name)
            parent_name, _, child = name.rpartition(".")
            parent = sys.modules.get(parent_name)
            if parent is not None and getattr(parent, child, None) is module:
                delattr(parent, child)
        if saved_env is None:
            os.environ.pop("STANDIN_WEBUI_ROOT", None)
        else:
            os.environ["STANDIN_WEBUI_ROOT"] = saved_env
        importlib.invalidate_caches()


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the A1111 stand-in with extensions loaded.")
    parser.add_argument("command", choices=["check-ui", "serve"])
    parser.add_argument("--extension", action="append", default=[], help="an extension directory (repeatable)")
    parser.add_argument("--root", default=None, help="the webui root (default: a new temporary directory)")
    parser.add_argument("--port", type=int, default=7861)
    args = parser.parse_args(argv)
    root = Path(args.root) if args.root else Path(tempfile.mkdtemp(prefix="standin-webui-"))
    import gradio as gr

    with stand_in(root, [Path(e) for e in args.extension]) as webui:
        webui.load_scripts()
        demo = webui.build_ui()
        m = webui.modules
        img2img = [s.title() for s in m.scripts.scripts_img2img.selectable_scripts]
        txt2img = [s.title() for s in m.scripts.scripts_txt2img.selectable_scripts]
        print(f"gradio {gr.__version__}")
        print(f"img2img scripts: {img2img}")
        print(f"txt2img scripts: {txt2img}")
        for script in m.scripts.scripts_img2img.selectable_scripts:
            labels = [getattr(c, "elem_id", None) or getattr(c, "label", None) for c in script.controls or []]
            print(f"{script.title()}: args {script.args_from}..{script.args_to}: {labels}")
        print(f"ui tabs: {[(title, elem_id) for _, title, elem_id in webui.ui_tabs]}")
        print(f"settings: {sorted(k for k in m.shared.opts.data_labels if k.startswith('parseq'))}")
        if m.errors.reported:
            print(f"FAILED: {len(m.errors.reported)} error(s) reported by the stand-in", file=sys.stderr)
            return 1
        if args.command == "serve":
            patch_template_response(webui)
            allowed = [str(Path(e).resolve()) for e in args.extension] + [str(root)]
            demo.queue()
            app, url, _ = demo.launch(server_name="127.0.0.1", server_port=args.port, prevent_thread_lock=True,
                                      allowed_paths=allowed, quiet=True)
            m.api.add_routes(app)
            print(f"READY {url}", flush=True)
            try:
                demo.block_thread()
            except KeyboardInterrupt:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(_main())
