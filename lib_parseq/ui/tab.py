"""The Parseq tab built with gradio: keyframe grid, prompts, live charts, import/export, send to img2img.

The tab keeps the whole document in a ``gr.State`` and edits it through the pure functions in this
package. Edits are compiled when they are committed (a grid cell on Enter or leaving it, a text box on
leaving it, a number or choice when it changes) rather than on every keystroke; an unchanged document is
recognised by its hash and not recompiled. Element ids are stable (``parseq_*``) for styling and tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lib_parseq.errors import DocumentError, ParseqError
from lib_parseq.ui import grid as grid_model
from lib_parseq.ui import prompts_table
from lib_parseq.ui.audio_panel import build_audio_panel, wire_audio_panel
from lib_parseq.ui.chart import X_UNITS
from lib_parseq.ui.document import field_choices, last_frame, shown_fields, with_options, with_shown_fields
from lib_parseq.ui.exporting import deforum_schedules_text, write_exports
from lib_parseq.ui.gradio_compat import js_kwargs, png_image_kwargs
from lib_parseq.ui.importing import import_file, import_text, import_travel_boxes
from lib_parseq.ui.preview import (
    Preview,
    compile_preview,
    error_html,
    frame_table,
    manifest_json,
    manifest_preview,
    prompt_at,
)
from lib_parseq.ui.starters import DEFAULT_STARTER, load_starter, starter_names
from lib_parseq.uploads import guarded_upload, safe_upload_path

REPO_ROOT = Path(__file__).resolve().parents[2]
JAVASCRIPT_FILE = REPO_ROOT / "javascript" / "parseq.js"
STYLE_FILE = REPO_ROOT / "style.css"
SEND_JS = (
    "(manifestText) => (window.parseqSendToImg2img ? window.parseqSendToImg2img(manifestText)"
    " : 'The Parseq page script (javascript/parseq.js) is not loaded.')"
)


def _grid_frame(doc: dict) -> Any:
    """The keyframe grid's value for ``doc`` (a pandas DataFrame, so that the headers travel with the rows)."""
    import pandas as pd

    fields = shown_fields(doc)
    return pd.DataFrame(grid_model.keyframes_to_rows(doc["keyframes"], fields), columns=grid_model.grid_headers(fields))


def _prompts_frame(doc: dict) -> Any:
    import pandas as pd

    return pd.DataFrame(prompts_table.prompts_to_rows(doc["prompts"]), columns=prompts_table.PROMPT_HEADERS)


def _table_frame(preview: Preview | None, doc: dict, start: Any) -> Any:
    import pandas as pd

    headers, rows = frame_table(preview.compiled if preview else None, shown_fields(doc), int(start or 0))
    return pd.DataFrame(rows, columns=headers)


def _rows_and_headers(value: Any) -> tuple[list[list[Any]], list[str]]:
    """Rows and column titles from a gradio Dataframe value (a pandas DataFrame, or a dict/list)."""
    if hasattr(value, "columns"):
        return value.astype(object).where(value.notna(), "").values.tolist(), [str(c) for c in value.columns]
    if isinstance(value, dict):
        return value.get("data") or [], list(value.get("headers") or [])
    return list(value or []), []


def _document_from_inputs(
    doc: dict,
    grid_value: Any,
    prompt_value: Any,
    prompts_enabled: bool,
    common_positive: str,
    common_negative: str,
    common_position: str,
    fps: float,
    bpm: float,
) -> dict:
    """Merge what the widgets hold into the document (raises DocumentError on a bad cell)."""
    rows, headers = _rows_and_headers(grid_value)
    expected = grid_model.grid_headers(shown_fields(doc))
    if headers and headers != expected:
        where = {name: index for index, name in enumerate(headers)}
        rows = [[row[where[name]] if name in where and where[name] < len(row) else "" for name in expected] for row in rows]
    updated = dict(doc)
    updated["keyframes"] = grid_model.rows_to_keyframes(rows, expected, doc["keyframes"])
    prompt_rows, _ = _rows_and_headers(prompt_value)
    prompts = dict(doc["prompts"])
    prompts["promptList"] = prompts_table.rows_to_prompt_list(prompt_rows, doc["prompts"].get("promptList", []))
    prompts["enabled"] = bool(prompts_enabled)
    updated["prompts"] = prompts_table.with_common_prompt(prompts, common_positive, common_negative, common_position)
    return with_options(updated, fps, bpm)


def build_tab(*, standalone: bool = False, render_dir: Path | None = None) -> Any:
    """Build the Parseq editor as a ``gr.Blocks``; ``standalone`` adds the page CSS and script A1111 would add,
    and, with ``render_dir``, a Render tab that renders into that folder (inside A1111 the img2img script does)."""
    import gradio as gr

    start_doc = load_starter(DEFAULT_STARTER)
    start_preview = compile_preview(start_doc)
    start_manifest_text, start_manifest_label = manifest_preview(start_preview.compiled)
    css = STYLE_FILE.read_text(encoding="utf-8") if standalone and STYLE_FILE.is_file() else None

    with gr.Blocks(analytics_enabled=False, css=css, title="Parseq") as tab:
        doc_state = gr.State(start_doc)
        preview_state = gr.State(start_preview)

        with gr.Row(elem_id="parseq_toolbar", equal_height=True):
            starter = gr.Dropdown(
                choices=starter_names(), value=DEFAULT_STARTER, label="Starter document", elem_id="parseq_starter", scale=2
            )
            load_starter_button = gr.Button("Start from this", elem_id="parseq_load_starter", scale=1)
            send_button = gr.Button("Send to img2img", variant="primary", elem_id="parseq_send", scale=1)
        # gradio 3 writes a Markdown's or HTML's elem_id on two nested elements; the id goes on a wrapper instead.
        with gr.Column(elem_id="parseq_send_note"):
            send_note = gr.Markdown("")
        send_payload = gr.Textbox(visible=False, elem_id="parseq_send_payload")

        with gr.Row(elem_id="parseq_options"):
            last_frame_box = gr.Number(value=last_frame(start_doc), label="Last frame (Enter)", precision=0, elem_id="parseq_last_frame")
            fps_box = gr.Number(value=start_doc["options"]["output_fps"], label="FPS", elem_id="parseq_fps")
            bpm_box = gr.Number(value=start_doc["options"]["bpm"], label="BPM", elem_id="parseq_bpm")
            fields_box = gr.Dropdown(
                choices=field_choices(start_doc),
                value=shown_fields(start_doc),
                multiselect=True,
                label="Fields shown",
                elem_id="parseq_fields",
                scale=3,
            )
            custom_field = gr.Textbox(
                label="Add a custom field (press Enter)", placeholder="my_field", elem_id="parseq_custom_field", scale=1
            )

        grid = gr.Dataframe(
            value=_grid_frame(start_doc),
            type="pandas",
            datatype="str",
            interactive=True,
            label="Keyframes: a value, and/or an interpolation expression in the _i column",
            elem_id="parseq_grid",
            elem_classes=["parseq-grid"],
            wrap=True,
        )
        with gr.Row(elem_id="parseq_grid_actions"):
            with gr.Column(scale=1, min_width=140):
                row_frame = gr.Number(value=None, label="Keyframe at frame", precision=0, elem_id="parseq_row_frame")
            add_button = gr.Button("Add keyframe", elem_id="parseq_add_keyframe", scale=1, min_width=120)
            remove_button = gr.Button("Remove keyframe", elem_id="parseq_remove_keyframe", scale=1, min_width=120)
            sort_button = gr.Button("Sort by frame", elem_id="parseq_sort_keyframes", scale=1, min_width=120)
        with gr.Column(elem_id="parseq_errors"):
            errors = gr.HTML(error_html(start_preview.error), elem_classes=["parseq-errors"])
        with gr.Column(elem_id="parseq_status"):
            status = gr.Markdown("")

        with gr.Tabs(elem_id="parseq_views"):
            with gr.Tab("Graphs", elem_id="parseq_graphs_tab"):
                unit = gr.Radio(choices=list(X_UNITS), value="frames", label="x axis", elem_id="parseq_x_unit")
                chart = gr.Image(
                    value=start_preview.chart,
                    type="numpy",
                    interactive=False,
                    show_label=False,
                    elem_id="parseq_chart",
                    **png_image_kwargs(),
                )
            with gr.Tab("Prompts", elem_id="parseq_prompts_tab"):
                prompts_enabled = gr.Checkbox(
                    value=bool(start_doc["prompts"].get("enabled", True)), label="Render prompts", elem_id="parseq_prompts_enabled"
                )
                prompts_grid = gr.Dataframe(
                    value=_prompts_frame(start_doc),
                    type="pandas",
                    datatype="str",
                    col_count=(len(prompts_table.PROMPT_HEADERS), "fixed"),
                    interactive=True,
                    label="Prompts (fade: none, linear or custom; 'all frames': true or false)",
                    elem_id="parseq_prompts",
                    wrap=True,
                )
                add_prompt_button = gr.Button("Add prompt", elem_id="parseq_add_prompt")
                common = start_doc["prompts"].get("commonPrompt") or {}
                with gr.Row():
                    common_positive = gr.Textbox(
                        value=common.get("positive", ""), label="Common positive prompt", lines=2, elem_id="parseq_common_positive"
                    )
                    common_negative = gr.Textbox(
                        value=common.get("negative", ""), label="Common negative prompt", lines=2, elem_id="parseq_common_negative"
                    )
                common_position = gr.Radio(
                    choices=list(prompts_table.COMMON_POSITIONS),
                    value=start_doc["prompts"].get("commonPromptPos", "append"),
                    label="Common prompt goes (template: [prompt] marks where each prompt goes)",
                    elem_id="parseq_common_position",
                )
            with gr.Tab("Frames", elem_id="parseq_frames_tab"):
                with gr.Row():
                    table_start = gr.Number(value=0, label="Table from frame", precision=0, elem_id="parseq_table_start")
                    prompt_frame = gr.Number(value=0, label="Prompt at frame", precision=0, elem_id="parseq_prompt_frame")
                prompt_text = gr.Textbox(
                    value=prompt_at(start_preview.compiled, 0),
                    label="Rendered prompt",
                    lines=2,
                    interactive=False,
                    elem_id="parseq_prompt_text",
                )
                frames_table = gr.Dataframe(
                    value=_table_frame(start_preview, start_doc, 0),
                    type="pandas",
                    interactive=False,
                    height=420,
                    label="Rendered frames",
                    elem_id="parseq_frames",
                    wrap=True,
                )
            with gr.Tab("Audio", elem_id="parseq_audio_tab"):
                audio = build_audio_panel(gr)
            with gr.Tab("Import", elem_id="parseq_import_tab"):
                import_box = gr.Textbox(
                    label="Paste a Parseq document or manifest, Deforum settings, or one Deforum schedule (0:(1), 30:(1.5))",
                    lines=6,
                    elem_id="parseq_import_text",
                )
                with gr.Row():
                    import_field = gr.Dropdown(
                        choices=field_choices(start_doc),
                        value=shown_fields(start_doc)[0] if shown_fields(start_doc) else None,
                        allow_custom_value=True,
                        label="Field a pasted schedule is for",
                        elem_id="parseq_import_field",
                    )
                    import_button = gr.Button("Import pasted text", elem_id="parseq_import_button")
                import_upload = guarded_upload(
                    gr.File(label="…or upload a JSON file", file_types=[".json", ".txt"], elem_id="parseq_import_file")
                )
                with gr.Accordion("prompt-travel stages (one prompt per line)", open=False):
                    with gr.Row():
                        travel_positive = gr.Textbox(label="Positive stages", lines=4, elem_id="parseq_travel_positive")
                        travel_negative = gr.Textbox(label="Negative stages", lines=4, elem_id="parseq_travel_negative")
                    with gr.Row():
                        travel_steps = gr.Textbox(value="30", label="Frames between stages (one number or one per gap: 10, 20)",
                                                  elem_id="parseq_travel_steps")
                        travel_button = gr.Button("Import stages", elem_id="parseq_travel_button")
            if standalone and render_dir is not None:
                with gr.Tab("Render", elem_id="parseq_render_tab"):
                    from lib_parseq.ui.render_panel import build_render_panel

                    build_render_panel(preview_state, render_dir)
            with gr.Tab("Export", elem_id="parseq_export_tab"):
                export_button = gr.Button("Prepare downloads", elem_id="parseq_export_button")
                with gr.Row():
                    document_file = gr.File(label="Document", interactive=False, elem_id="parseq_document_file")
                    manifest_file = gr.File(label="Rendered manifest", interactive=False, elem_id="parseq_manifest_file")
                deforum_box = gr.Textbox(
                    label="Deforum schedules (copy into Deforum's settings)",
                    lines=8,
                    max_lines=20,
                    interactive=False,
                    show_copy_button=True,
                    elem_id="parseq_deforum_schedules",
                )
                manifest_box = gr.Textbox(
                    value=start_manifest_text,
                    label=start_manifest_label,
                    lines=10,
                    max_lines=24,
                    interactive=False,
                    show_copy_button=True,
                    elem_id="parseq_manifest_preview",
                )

        edit_inputs = [
            doc_state,
            preview_state,
            grid,
            prompts_grid,
            prompts_enabled,
            common_positive,
            common_negative,
            common_position,
            fps_box,
            bpm_box,
            unit,
            table_start,
            prompt_frame,
        ]
        view_outputs = [doc_state, preview_state, errors, chart, frames_table, prompt_text, manifest_box, last_frame_box]

        def view_updates(doc: dict, preview: Preview, start: Any, frame: Any, previous: Preview | None) -> list:
            """Outputs for ``view_outputs``; parts that did not change are left alone."""
            if previous is preview:
                return [doc, preview, gr.update(), gr.update(), gr.update(), gr.update(), gr.update(), gr.update()]
            text, label = manifest_preview(None if preview.error else preview.compiled)
            return [
                doc,
                preview,
                error_html(preview.error),
                preview.chart if preview.chart is not None else gr.update(),
                _table_frame(preview, doc, start),
                prompt_at(preview.compiled, frame),
                gr.update(value=text, label=label) if not preview.error else gr.update(label=label + " (stale: fix the error)"),
                last_frame(doc),
            ]

        def on_edit(doc, previous, grid_value, prompt_value, enabled, cpos, cneg, where, fps, bpm, x_unit, start, frame):
            try:
                updated = _document_from_inputs(doc, grid_value, prompt_value, enabled, cpos, cneg, where, fps, bpm)
            except ParseqError as exc:
                return [doc, previous, error_html(exc), *[gr.update()] * 5]
            preview = compile_preview(updated, x_unit, previous=previous)
            return view_updates(updated, preview, start, frame, previous)

        structure_outputs = [
            grid,
            fields_box,
            fps_box,
            bpm_box,
            prompts_grid,
            prompts_enabled,
            common_positive,
            common_negative,
            common_position,
            import_field,
            status,
        ]

        def structure_updates(doc: dict, previous: Preview | None, x_unit: str, message: str) -> list:
            """Every widget redrawn from ``doc`` (after a starter, an import or a row/field change), then the view."""
            preview = compile_preview(doc, x_unit, previous=previous)
            choices = field_choices(doc)
            common_prompt = doc["prompts"].get("commonPrompt") or {}
            shown = shown_fields(doc)
            return [
                _grid_frame(doc),
                gr.update(choices=choices, value=shown),
                doc["options"]["output_fps"],
                doc["options"]["bpm"],
                _prompts_frame(doc),
                bool(doc["prompts"].get("enabled", True)),
                common_prompt.get("positive", ""),
                common_prompt.get("negative", ""),
                doc["prompts"].get("commonPromptPos", "append"),
                gr.update(choices=choices),
                message,
                *view_updates(doc, preview, 0, 0, None),
            ]

        def structure_error(doc: dict, previous: Preview | None, exc: ParseqError) -> list:
            return [*[gr.update()] * (len(structure_outputs) - 1), "", doc, previous, error_html(exc), *[gr.update()] * 5]

        def on_starter(name, doc, previous, x_unit):
            try:
                new_doc = load_starter(name)
            except ParseqError as exc:
                return structure_error(doc, previous, exc)
            return structure_updates(new_doc, previous, x_unit, f"Started from **{name}**.")

        def structural(change):
            """Wrap a document change ``change(doc, *extra) -> doc`` as a handler that redraws everything."""

            def handler(doc, previous, x_unit, *extra):
                try:
                    new_doc = change(doc, *extra)
                except ParseqError as exc:
                    return structure_error(doc, previous, exc)
                return structure_updates(new_doc, previous, x_unit, "")

            return handler

        def add_prompt(doc):
            prompts = dict(doc["prompts"])
            count = len(prompts.get("promptList", []))
            new_prompt = prompts_table.rows_to_prompt_list([[f"Prompt {count + 1}", "", "", "true", 0, last_frame(doc)]], [])
            prompts["promptList"] = [*prompts.get("promptList", []), *new_prompt]
            return dict(doc, prompts=prompts)

        def on_import_text(text, field, doc, previous, x_unit):
            try:
                new_doc, message = import_text(text, doc, field or "")
            except ParseqError as exc:
                return structure_error(doc, previous, exc)
            return structure_updates(new_doc, previous, x_unit, message)

        def on_import_travel(positive, negative, steps, doc, previous, x_unit):
            try:
                new_doc, message = import_travel_boxes(positive, negative, steps, doc)
            except ParseqError as exc:
                return structure_error(doc, previous, exc)
            return structure_updates(new_doc, previous, x_unit, message)

        def on_import_file(upload, doc, previous, x_unit):
            if upload is None:
                return [gr.update()] * (len(structure_outputs) + len(view_outputs))
            try:
                new_doc, message = import_file(safe_upload_path(upload))
            except ParseqError as exc:
                return structure_error(doc, previous, exc)
            return structure_updates(new_doc, previous, x_unit, message)

        def on_view(doc, previous, x_unit, start, frame):
            preview = compile_preview(doc, x_unit, previous=previous)
            chart_update = preview.chart if preview.chart is not None and preview is not previous else gr.update()
            return [preview, chart_update, _table_frame(preview, doc, start), prompt_at(preview.compiled, frame)]

        def on_export(doc, previous):
            if previous is None or previous.error or previous.manifest is None:
                document_path, _ = write_exports(doc, None)
                return document_path, None, "", "Fix the error above to export the rendered manifest."
            document_path, manifest_path = write_exports(doc, previous.manifest)
            try:
                schedules = deforum_schedules_text(previous.manifest)
            except ParseqError as exc:
                schedules = str(exc)
            return document_path, manifest_path, schedules, "Downloads ready."

        def on_send(previous):
            if previous is None or previous.error:
                return ""
            return manifest_json(previous.manifest)

        grid.change(on_edit, edit_inputs, view_outputs)
        prompts_grid.change(on_edit, edit_inputs, view_outputs)
        prompts_enabled.input(on_edit, edit_inputs, view_outputs)
        common_position.input(on_edit, edit_inputs, view_outputs)
        for box in (common_positive, common_negative):
            box.blur(on_edit, edit_inputs, view_outputs)
        for box in (fps_box, bpm_box):
            box.input(on_edit, edit_inputs, view_outputs)

        all_outputs = structure_outputs + view_outputs
        load_starter_button.click(on_starter, [starter, doc_state, preview_state, unit], all_outputs)
        fields_box.input(structural(with_shown_fields), [doc_state, preview_state, unit, fields_box], all_outputs)
        custom_field.submit(
            structural(lambda doc, name: with_shown_fields(doc, [*shown_fields(doc), _need_name(name)])),
            [doc_state, preview_state, unit, custom_field],
            all_outputs,
        )
        for event in [last_frame_box.submit, *([last_frame_box.blur] if hasattr(last_frame_box, "blur") else [])]:
            event(
                structural(lambda doc, frame: dict(doc, keyframes=grid_model.set_last_frame(doc["keyframes"], frame or 0))),
                [doc_state, preview_state, unit, last_frame_box],
                all_outputs,
            )
        add_button.click(
            structural(lambda doc, frame: dict(doc, keyframes=grid_model.add_keyframe(doc["keyframes"], _need_frame(frame)))),
            [doc_state, preview_state, unit, row_frame],
            all_outputs,
        )
        remove_button.click(
            structural(lambda doc, frame: dict(doc, keyframes=grid_model.remove_keyframe(doc["keyframes"], _need_frame(frame)))),
            [doc_state, preview_state, unit, row_frame],
            all_outputs,
        )
        sort_button.click(
            structural(lambda doc: dict(doc, keyframes=grid_model.sort_keyframes(doc["keyframes"]))),
            [doc_state, preview_state, unit],
            all_outputs,
        )
        add_prompt_button.click(structural(add_prompt), [doc_state, preview_state, unit], all_outputs)
        import_button.click(on_import_text, [import_box, import_field, doc_state, preview_state, unit], all_outputs)
        import_upload.upload(on_import_file, [import_upload, doc_state, preview_state, unit], all_outputs)
        travel_button.click(on_import_travel, [travel_positive, travel_negative, travel_steps, doc_state, preview_state, unit],
                            all_outputs)

        view_inputs = [doc_state, preview_state, unit, table_start, prompt_frame]
        view_only_outputs = [preview_state, chart, frames_table, prompt_text]
        unit.change(on_view, view_inputs, view_only_outputs)
        table_start.change(on_view, view_inputs, view_only_outputs)
        prompt_frame.change(on_view, view_inputs, view_only_outputs)

        export_button.click(on_export, [doc_state, preview_state], [document_file, manifest_file, deforum_box, status])
        send_button.click(on_send, [preview_state], [send_payload]).then(
            None, [send_payload], [send_note], **js_kwargs(SEND_JS)
        )
        wire_audio_panel(gr, audio, [doc_state, preview_state, unit], all_outputs, structure_updates, structure_error)
        if standalone and JAVASCRIPT_FILE.is_file():
            script = JAVASCRIPT_FILE.read_text(encoding="utf-8")
            tab.load(None, None, None, **js_kwargs(f"() => {{ {script}\n }}"))
    return tab


def _need_name(name: Any) -> str:
    if not name or not str(name).strip():
        raise DocumentError("type the new field's name first")
    return str(name).strip()


def _need_frame(frame: Any) -> int:
    if frame is None or frame == "":
        raise DocumentError("type the frame number first, in the Frame box next to the button")
    return int(frame)
