"""Write the malformed-input corpus: one small file per case plus ``cases.jsonl``, the index of expectations.

Run ``python tests/data/bad/make_corpus.py`` after changing a case. Each index line says what ``parseq check``
must report for that file: the exit status, and one problem (severity, JSON path, words in its message).
A path ending in ``*`` matches by prefix. Cases with ``"needs": "compile"`` are found only by compiling
(expression errors), so their test skips while the compiler is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def base() -> dict:
    return {
        "options": {"output_fps": 20, "bpm": 140},
        "keyframes": [{"frame": 0, "zoom": 1}, {"frame": 10, "zoom": 2}],
    }


def with_keyframes(*keyframes: dict) -> dict:
    doc = base()
    doc["keyframes"] = list(keyframes)
    return doc


def with_options(**options) -> dict:
    doc = base()
    doc["options"].update(options)
    return doc


def with_top(**items) -> dict:
    doc = base()
    doc.update(items)
    return doc


def with_cell(**cells) -> dict:
    doc = base()
    doc["keyframes"][0].update(cells)
    return doc


def prompt(**changes) -> dict:
    value = {"name": "p1", "positive": "a cat", "negative": "blurry", "allFrames": False, "from": 0, "to": 10,
             "overlap": {"type": "none", "inFrames": 0, "outFrames": 0, "custom": ""}}
    value.update(changes)
    return {key: item for key, item in value.items() if item is not DROP}


def v2(*prompts, **changes) -> dict:
    value = {"format": "v2", "enabled": True, "commonPromptPos": "append", "promptList": list(prompts)}
    value.update(changes)
    return with_top(prompts={key: item for key, item in value.items() if item is not DROP})


def series(*entries) -> dict:
    return with_top(timeSeries=list(entries))


def ts(alias="beat", data=None, kind=0) -> dict:
    return {"alias": alias, "ts": {"data": data if data is not None else [{"x": 0, "y": 1}, {"x": 5, "y": 2}],
                                   "timestampType": kind}}


def manifest(frames=None, **extra) -> dict:
    value = base()
    value["rendered_frames"] = frames if frames is not None else [{"frame": i, "zoom": 1 + i / 10} for i in range(11)]
    value.update(extra)
    return value


def manifest_frames(*changes) -> dict:
    frames = [{"frame": i, "zoom": 1.0, "deforum_prompt": "a cat"} for i in range(5)]
    for index, change in changes:
        if change is None:
            frames[index] = None
        else:
            merged = {**frames[index], **change}
            frames[index] = {key: item for key, item in merged.items() if item is not DROP}
    return manifest(frames)


DROP = object()
NAN = float("nan")
INF = float("inf")

E, W = "error", "warning"

# (name, content, severity, path, words in the message, extra)
# content: a dict/list/scalar is written as JSON (NaN and Infinity as the non-standard literals Python writes);
# bytes or str is written as-is.
CASES: list[tuple] = [
    # --- JSON syntax ---------------------------------------------------------------------------------------
    ("json_trailing_comma", '{"keyframes": [{"frame": 0}, {"frame": 10},]}', E, "$", "not valid JSON"),
    ("json_missing_brace", '{"keyframes": [{"frame": 0}, {"frame": 10}]', E, "$", "Expecting ',' delimiter at line 1, column 44"),
    ("json_single_quotes", "{'keyframes': []}", E, "$", "Expecting property name enclosed in double quotes"),
    ("json_unquoted_key", '{keyframes: []}', E, "$", "line 1, column 2"),
    ("json_comment", '{\n  // a note\n  "keyframes": []\n}', E, "$", "line 2, column 3"),
    ("json_empty_file", "", E, "$", "the file is empty"),
    ("json_only_spaces", "   \n\t  ", E, "$", "the file is empty"),
    ("json_truncated_string", '{"keyframes": [{"frame": 0, "info": "unterminated', E, "$", "Unterminated string"),
    ("json_bad_escape", '{"keyframes": [{"frame": 0, "info": "a\\qb"}]}', E, "$", "Invalid \\escape"),
    ("json_not_utf8", b'{"keyframes": [{"frame": 0, "info": "caf\xe9"}]}', E, "$", "not UTF-8 text"),
    ("json_two_documents", '{"keyframes": []}\n{"keyframes": []}', E, "$", "Extra data at line 2, column 1"),
    ("json_nested_too_deep", "[" * 20_000 + "]" * 20_000, E, "$", "nested too deeply"),
    ("json_markdown_fence", '```json\n{"keyframes": []}\n```', E, "$", "not valid JSON"),
    ("json_raw_newline_in_string", '{"keyframes": [{"frame": 0, "info": "a\nb"}]}', E, "$", "Invalid control character"),
    # --- wrong top-level types -----------------------------------------------------------------------------
    ("top_list", [base()], E, "$", "not a JSON object"),
    ("top_number", 42, E, "$", "not a JSON object"),
    ("top_string", '"keyframes"', E, "$", "not a JSON object"),
    ("top_null", None, E, "$", "not a JSON object"),
    ("top_true", True, E, "$", "not a JSON object"),
    ("top_empty_object", {}, E, "$.keyframes", "No keyframes found."),
    # --- keyframes -----------------------------------------------------------------------------------------
    ("keyframes_missing", {"options": {"output_fps": 20, "bpm": 140}}, E, "$.keyframes", "No keyframes found."),
    ("keyframes_empty", with_keyframes(), E, "$.keyframes", "No keyframes found."),
    ("keyframes_object", with_top(keyframes={"0": {"zoom": 1}}), E, "$.keyframes", "must be a list of keyframes, not an object"),
    ("keyframes_string", with_top(keyframes="0:(1), 10:(2)"), E, "$.keyframes", "must be a list of keyframes, not the text"),
    ("keyframes_null", with_top(keyframes=None), E, "$.keyframes", "must be a list of keyframes, not null"),
    ("keyframes_only_one", with_keyframes({"frame": 0, "zoom": 1}), E, "$.keyframes", "at least 2 keyframes"),
    ("keyframe_number", with_keyframes({"frame": 0}, 10), E, "$.keyframes[1]", "must be a keyframe object"),
    ("keyframe_list", with_keyframes({"frame": 0}, [10, 2]), E, "$.keyframes[1]", "must be a keyframe object such as {\"frame\": 0, \"zoom\": 1}, not a list"),
    ("keyframe_null", with_keyframes({"frame": 0}, None, {"frame": 10}), E, "$.keyframes[1]", "not null"),
    ("frame_missing", with_keyframes({"frame": 0}, {"zoom": 2}), E, "$.keyframes[1].frame", "is missing"),
    ("frame_string", with_keyframes({"frame": 0}, {"frame": "10"}), E, "$.keyframes[1].frame", 'whole frame number, not the text "10"'),
    ("frame_fraction", with_keyframes({"frame": 0}, {"frame": 2.5}), E, "$.keyframes[1].frame", "whole frame number, not 2.5"),
    ("frame_bool", with_keyframes({"frame": 0}, {"frame": True}), E, "$.keyframes[1].frame", "not true"),
    ("frame_null", with_keyframes({"frame": 0}, {"frame": None}), E, "$.keyframes[1].frame", "not null"),
    ("frame_list", with_keyframes({"frame": 0}, {"frame": [10]}), E, "$.keyframes[1].frame", "not a list"),
    ("frame_negative", with_keyframes({"frame": 0}, {"frame": -5}), E, "$.keyframes[1].frame", "must not be negative"),
    ("frame_huge_float", with_keyframes({"frame": 0}, {"frame": 1e20}), E, "$.keyframes[1].frame", "past the limit"),
    ("frame_giant_int", with_keyframes({"frame": 0}, {"frame": 10**30}), E, "$.keyframes[1].frame", "31-digit number"),
    ("frame_beyond_double", with_keyframes({"frame": 0}, {"frame": 10**400}), E, "$.keyframes[1].frame", "too large"),
    ("frame_at_cap", with_keyframes({"frame": 0}, {"frame": 100_000}), E, "$.keyframes[1].frame", "at most 100,000 frames"),
    ("frame_nan", with_keyframes({"frame": 0}, {"frame": NAN}), E, "$.keyframes[1].frame", "NaN is not a JSON number"),
    ("frame_infinity", with_keyframes({"frame": 0}, {"frame": INF}), E, "$.keyframes[1].frame", "Infinity is not a JSON number"),
    ("frame_minus_infinity", with_keyframes({"frame": 0}, {"frame": -INF}), E, "$.keyframes[1].frame", "-Infinity is not"),
    ("frames_duplicate", with_keyframes({"frame": 0}, {"frame": 5}, {"frame": 5}, {"frame": 9}), E, "$.keyframes[2].frame", "frame 5 is used by more than one keyframe"),
    ("frames_duplicate_zero", with_keyframes({"frame": 0, "zoom": 1}, {"frame": 0, "zoom": 2}, {"frame": 9}), E, "$.keyframes[1].frame", "(also $.keyframes[0])"),
    ("first_keyframe_not_zero", with_keyframes({"frame": 2}, {"frame": 5}), E, "$.keyframes[0].frame", "first keyframe must be at frame 0"),
    ("first_keyframe_unsorted", with_keyframes({"frame": 9}, {"frame": 3}), E, "$.keyframes[1].frame", "the earliest is at frame 3"),
    ("frame_cap_with_option", with_keyframes({"frame": 0}, {"frame": 600}), E, "$.keyframes[1].frame", "at most 500 frames", {"max_frames": 500}),
    # --- keyframe cells ------------------------------------------------------------------------------------
    ("cell_list", with_cell(zoom=[1, 2]), E, "$.keyframes[0].zoom", "must be a number, a numeric string"),
    ("cell_object", with_cell(zoom={"value": 1}), E, "$.keyframes[0].zoom", "not an object"),
    ("cell_nan", with_cell(zoom=NAN), E, "$.keyframes[0].zoom", "NaN is not a JSON number"),
    ("cell_infinity", with_cell(zoom=INF), E, "$.keyframes[0].zoom", "Infinity is not a JSON number"),
    ("cell_infinity_text", with_cell(zoom="Infinity"), E, "$.keyframes[0].zoom", "not a finite number"),
    ("cell_beyond_double", with_cell(zoom=10**400), E, "$.keyframes[0].zoom", "too large"),
    ("cell_numeric_text_overflow", with_cell(zoom="1e999"), E, "$.keyframes[0].zoom", "is too large"),
    ("cell_word", with_cell(zoom="big"), W, "$.keyframes[0].zoom", "is not a number, so this keyframe has no zoom value"),
    ("cell_expression", with_cell(zoom="sin(p=4b)"), W, "$.keyframes[0].zoom", "an expression belongs in zoom_i"),
    ("cell_true", with_cell(zoom=True), W, "$.keyframes[0].zoom", "Parseq read it as 1"),
    ("cell_spaces", with_cell(zoom="   "), W, "$.keyframes[0].zoom", "is not a number"),
    ("info_number", with_cell(info=5), E, "$.keyframes[0].info", "must be text, not 5"),
    ("info_list", with_cell(info=["drum"]), E, "$.keyframes[0].info", "must be text, not a list"),
    # --- interpolation cells -------------------------------------------------------------------------------
    ("interp_list", with_cell(zoom_i=["L"]), E, "$.keyframes[0].zoom_i", "must be an expression (text) or null"),
    ("interp_object", with_cell(zoom_i={"expr": "L"}), E, "$.keyframes[0].zoom_i", "not an object"),
    ("interp_number", with_cell(zoom_i=5), W, "$.keyframes[0].zoom_i", 'read as Parseq does: the expression "5"'),
    ("interp_false", with_cell(zoom_i=False), W, "$.keyframes[0].zoom_i", "no interpolation"),
    ("interp_too_long", with_cell(zoom_i="1+" * 50_001 + "1"), E, "$.keyframes[0].zoom_i", "the limit here is 100,000"),
    ("interp_nan", with_cell(zoom_i=NAN), E, "$.keyframes[0].zoom_i", "NaN is not a JSON number"),
    ("expr_unclosed_paren", with_cell(zoom_i="L + ("), E, "$.keyframes*", "ParseError", {"needs": "compile"}),
    ("expr_trailing_operator", with_cell(zoom_i="1 +"), E, "$.keyframes*", "ParseError", {"needs": "compile"}),
    ("expr_unclosed_call", with_cell(zoom_i="sin(p=4b"), E, "$.keyframes*", "ParseError", {"needs": "compile"}),
    ("expr_unterminated_string", with_cell(zoom_i='"abc'), E, "$.keyframes*", "ParseError", {"needs": "compile"}),
    ("expr_bad_escape", with_cell(zoom_i='"\\u0041"'), E, "$.keyframes*", "ParseError", {"needs": "compile"}),
    ("expr_number_then_letters", with_cell(zoom_i="2sec"), E, "$.keyframes*", "ParseError", {"needs": "compile"}),
    ("expr_mixed_arguments", with_cell(zoom_i="max(1, b=2)"), E, "$.keyframes*", "ParseError", {"needs": "compile"}),
    ("expr_lonely_if", with_cell(zoom_i="if"), E, "$.keyframes*", "ParseError", {"needs": "compile"}),
    ("expr_unknown_character", with_cell(zoom_i="L @ 2"), E, "$.keyframes*", "ParseError", {"needs": "compile"}),
    ("expr_deep_parentheses", with_cell(zoom_i="(" * 5000 + "1" + ")" * 5000), E, "$.keyframes*", "Error", {"needs": "compile"}),
    ("expr_unknown_function", with_cell(zoom_i="wobble(1)"), E, "$.keyframes*", "wobble", {"needs": "compile"}),
    ("expr_unknown_variable", with_cell(zoom_i="L + nope"), E, "$.keyframes*", "nope", {"needs": "compile"}),
    ("expr_divide_by_zero", with_cell(zoom_i="L + 1/(f-5)"), E, "$.keyframes*", "Divide by zero", {"needs": "compile"}),
    ("expr_unknown_curve", with_cell(zoom_i='bez(curve="wobbly")'), E, "$.keyframes*", "wobbly", {"needs": "compile"}),
    ("expr_bad_argument_type", with_cell(zoom_i='sin(p="x")'), E, "$.keyframes*", "Invalid argument type", {"needs": "compile"}),
    ("expr_missing_argument", with_cell(zoom_i="sin()"), E, "$.keyframes*", "missing required", {"needs": "compile"}),
    ("expr_posneg_outside_prompt", with_cell(zoom_i='posneg("cat", 1)'), E, "$.keyframes*", "posneg", {"needs": "compile"}),
    # --- options -------------------------------------------------------------------------------------------
    ("options_list", with_top(options=[20, 140]), E, "$.options", "must be an object"),
    ("options_string", with_top(options="fps=20"), E, "$.options", "not the text"),
    ("options_missing", {"keyframes": base()["keyframes"]}, W, "$.options", "defaults are used"),
    ("fps_missing", {"options": {"bpm": 140}, "keyframes": base()["keyframes"]}, W, "$.options.output_fps", "the default 20 is used"),
    ("fps_zero", with_options(output_fps=0), E, "$.options.output_fps", "No output_fps found"),
    ("fps_negative", with_options(output_fps=-24), E, "$.options.output_fps", "above 0, not -24"),
    ("fps_word", with_options(output_fps="fast"), E, "$.options.output_fps", 'not the text "fast"'),
    ("fps_null", with_options(output_fps=None), E, "$.options.output_fps", "No output_fps found"),
    ("fps_blank", with_options(output_fps=""), E, "$.options.output_fps", "No output_fps found"),
    ("fps_list", with_options(output_fps=[20]), E, "$.options.output_fps", "must be a number, not a list"),
    ("fps_nan", with_options(output_fps=NAN), E, "$.options.output_fps", "NaN is not a JSON number"),
    ("fps_numeric_overflow", with_options(output_fps="1e999"), E, "$.options.output_fps", "above 0"),
    ("bpm_zero", with_options(bpm=0), E, "$.options.bpm", "No bpm found"),
    ("bpm_word", with_options(bpm="fast"), E, "$.options.bpm", "No bpm found"),
    ("cadence_zero", with_options(cadence=0), E, "$.options.cadence", "at least 1"),
    ("cadence_fraction", with_options(cadence=1.5), E, "$.options.cadence", "whole number"),
    ("cadence_word", with_options(cadence="often"), E, "$.options.cadence", "must be a number"),
    ("input_fps_word", with_options(input_fps="video"), E, "$.options.input_fps", "must be a number"),
    ("cc_window_width_negative", with_options(cc_window_width=-3), E, "$.options.cc_window_width", "at least -1"),
    ("option_unknown", with_options(turbo=True), W, "$.options.turbo", "unknown option"),
    # --- prompts -------------------------------------------------------------------------------------------
    ("prompts_string", with_top(prompts="a cat"), E, "$.prompts", "must be a prompts object"),
    ("prompts_number", with_top(prompts=3), E, "$.prompts", "not 3"),
    ("prompt_list_missing", v2(promptList=DROP), E, "$.prompts.promptList", "is missing"),
    ("prompt_list_object", v2(promptList={"p1": prompt()}), E, "$.prompts.promptList", "must be a list of prompts"),
    ("prompt_not_object", v2("a cat"), E, "$.prompts.promptList[0]", "must be a prompt object"),
    ("prompt_positive_missing", v2(prompt(positive=DROP)), E, "$.prompts.promptList[0].positive", "is missing"),
    ("prompt_positive_number", v2(prompt(positive=5)), E, "$.prompts.promptList[0].positive", "must be text, not 5"),
    ("prompt_negative_list", v2(prompt(negative=["ugly"])), E, "$.prompts.promptList[0].negative", "must be text, not a list"),
    ("prompt_allframes_text", v2(prompt(allFrames="yes")), E, "$.prompts.promptList[0].allFrames", "true or false"),
    ("prompt_from_missing", v2(prompt(**{"from": DROP})), E, "$.prompts.promptList[0].from", "needed unless allFrames"),
    ("prompt_from_negative", v2(prompt(**{"from": -3})), E, "$.prompts.promptList[0].from", "must not be negative"),
    ("prompt_to_text", v2(prompt(to="end")), E, "$.prompts.promptList[0].to", "whole frame number"),
    ("prompt_from_after_to", v2(prompt(**{"from": 8, "to": 2})), W, "$.prompts.promptList[0]", "never active"),
    ("prompt_overlap_type", v2(prompt(overlap={"type": "fade", "inFrames": 0, "outFrames": 0})), E, "$.prompts.promptList[0].overlap.type", '"fade"'),
    ("prompt_overlap_frames_text", v2(prompt(overlap={"type": "linear", "inFrames": "5", "outFrames": 0})), E, "$.prompts.promptList[0].overlap.inFrames", "number of frames"),
    ("prompt_overlap_custom_missing", v2(prompt(overlap={"type": "custom", "inFrames": 0, "outFrames": 0})), E, "$.prompts.promptList[0].overlap.custom", "when the overlap type is custom"),
    ("prompt_overlap_string", v2(prompt(overlap="linear")), E, "$.prompts.promptList[0].overlap", "must be an object"),
    ("prompt_common_position", v2(prompt(), commonPromptPos="middle"), E, "$.prompts.commonPromptPos", '"middle"'),
    ("prompt_enabled_text", v2(prompt(), enabled="true"), E, "$.prompts.enabled", "true or false"),
    ("prompt_common_not_object", v2(prompt(), commonPrompt="masterpiece"), E, "$.prompts.commonPrompt", "must be a prompt object"),
    ("prompt_unknown_setting", v2(prompt(colour="red")), W, "$.prompts.promptList[0].colour", "unknown prompt setting"),
    ("prompt_format_v3", v2(prompt(), format="v3"), W, "$.prompts.format", 'only "v2" is known'),
    ("prompt_legacy_positive_number", with_top(prompts={"positive": 1, "negative": ""}), E, "$.prompts.positive", "must be text"),
    ("prompt_array_bad_element", with_top(prompts=[prompt(), 7]), E, "$.prompts[1]", "must be a prompt object"),
    ("prompt_expression_error", v2(prompt(positive="a cat ${1 +}")), E, "$*", "Error", {"needs": "compile"}),
    # --- time series ---------------------------------------------------------------------------------------
    ("series_not_list", with_top(timeSeries={"beat": []}), E, "$.timeSeries", "must be a list"),
    ("series_entry_string", series("beat"), E, "$.timeSeries[0]", "must be an object {alias, ts"),
    ("series_alias_missing", series({"ts": ts()["ts"]}), E, "$.timeSeries[0].alias", "is missing"),
    ("series_alias_bad_name", series(ts(alias="my series")), E, "$.timeSeries[0].alias", "not a usable name"),
    ("series_alias_number", series(ts(alias=7)), E, "$.timeSeries[0].alias", "must be a name"),
    ("series_alias_duplicate", series(ts(), ts()), E, "$.timeSeries[1].alias", "already used"),
    ("series_ts_missing", series({"alias": "beat"}), E, "$.timeSeries[0].ts", "is missing"),
    ("series_data_not_list", series(ts(data={"0": 1})), E, "$.timeSeries[0].ts.data", "must be a list of {x, y}"),
    ("series_sample_missing_y", series(ts(data=[{"x": 0}])), E, "$.timeSeries[0].ts.data[0].y", "is missing"),
    ("series_sample_x_text", series(ts(data=[{"x": "0", "y": 1}])), E, "$.timeSeries[0].ts.data[0].x", "must be a number"),
    ("series_sample_nan", series(ts(data=[{"x": 0, "y": NAN}])), E, "$.timeSeries[0].ts.data[0].y", "NaN"),
    ("series_unsorted", series(ts(data=[{"x": 5, "y": 1}, {"x": 1, "y": 2}])), W, "$.timeSeries[0].ts.data[1].x", "sorted on load"),
    ("series_timestamp_type", series(ts(kind=2)), E, "$.timeSeries[0].ts.timestampType", "must be one of 0, 1"),
    # --- managed fields and other top-level keys ----------------------------------------------------------
    ("managed_not_list", with_top(managedFields="zoom"), E, "$.managedFields", "must be a list of field names"),
    ("managed_number", with_top(managedFields=["zoom", 3]), E, "$.managedFields[1]", "must be a field name"),
    ("managed_empty_name", with_top(managedFields=["zoom", ""]), E, "$.managedFields[1]", "must not be empty"),
    ("managed_duplicate", with_top(managedFields=["zoom", "zoom"]), W, "$.managedFields[1]", "listed twice"),
    ("managed_reserved", with_top(managedFields=["zoom", "frame"]), E, "$.managedFields[1]", "reserved name"),
    ("top_unknown_key", with_top(colour="blue"), W, "$.colour", "unknown field; kept"),
    ("top_odd_key", with_top(**{"my notes": 1}), W, '$["my notes"]', "unknown field"),
    ("keyframe_lock_bad", with_top(keyframeLock="minutes"), W, "$.keyframeLock", '"minutes"'),
    ("reverse_render_text", with_top(reverseRender="yes"), W, "$.reverseRender", "true or false"),
    ("meta_string", with_top(meta="made by hand"), E, "$.meta", "must be an object"),
    ("deep_unknown_value", with_top(extra=json.loads("[" * 500 + "]" * 500)), W, "$.extra", "unknown field"),
    ("deep_nan_in_unknown_value", with_top(extra=json.loads("[" * 300 + "NaN" + "]" * 300)), E, "$.extra" + "[0]" * 300, "NaN is not a JSON number"),
    # --- manifests -----------------------------------------------------------------------------------------
    ("manifest_frames_object", manifest({"0": {"zoom": 1}}), E, "$.rendered_frames", "must be a list of frames"),
    ("manifest_frames_empty", manifest([]), E, "$.rendered_frames", "no frames to render"),
    ("manifest_frame_missing_number", manifest_frames((2, {"frame": DROP})), E, "$.rendered_frames[2].frame", "is missing"),
    ("manifest_frame_gap", manifest_frames((3, {"frame": 7}), (4, {"frame": 8})), E, "$.rendered_frames[3].frame", "frames 3–6 are missing"),
    ("manifest_frame_duplicate", manifest_frames((3, {"frame": 2})), E, "$.rendered_frames[3].frame", "appears more than once"),
    ("manifest_frame_out_of_order", manifest_frames((1, {"frame": 2}), (2, {"frame": 1})), E, "$.rendered_frames[2].frame", "out of order"),
    ("manifest_starts_at_one", manifest([{"frame": i + 1, "zoom": 1} for i in range(4)]), E, "$.rendered_frames[0].frame", "frame 0 is missing"),
    ("manifest_frame_string", manifest_frames((1, {"frame": "1"})), E, "$.rendered_frames[1].frame", "whole frame number"),
    ("manifest_value_text", manifest_frames((2, {"zoom": "1.5"})), E, "$.rendered_frames[2].zoom", "must be a number"),
    ("manifest_value_list", manifest_frames((2, {"zoom": [1]})), E, "$.rendered_frames[2].zoom", "must be a number (or null), not a list"),
    ("manifest_value_nan", manifest_frames((2, {"zoom": NAN})), E, "$.rendered_frames[2].zoom", "NaN is not a JSON number"),
    ("manifest_value_null", manifest_frames((2, {"zoom": None})), W, "$.rendered_frames[2].zoom", "no usable value"),
    ("manifest_frame_not_object", manifest_frames((2, None)), E, "$.rendered_frames[2]", "must be a frame object"),
    ("manifest_prompt_number", manifest_frames((0, {"deforum_prompt": 3})), E, "$.rendered_frames[0].deforum_prompt", "must be text"),
    ("manifest_meta_text", manifest(rendered_frames_meta="flat"), W, "$.rendered_frames_meta", "keyed by field"),
    ("manifest_over_cap", manifest([{"frame": i} for i in range(60)]), E, "$.rendered_frames", "more than the limit of 50", {"max_frames": 50}),
    ("manifest_bad_fps", {**manifest(), "options": {"output_fps": 0, "bpm": 140}}, E, "$.options.output_fps", "No output_fps found"),
    ("manifest_giant_value", manifest_frames((1, {"zoom": 10**400})), E, "$.rendered_frames[1].zoom", "too large"),
]


def _content(value) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str) and not value.startswith('"'):
        return value.encode("utf-8")
    pretty = json.dumps(value, indent=1)
    return (pretty if len(pretty) < 20_000 else json.dumps(value)).encode("utf-8")


def main() -> None:
    for old in HERE.glob("*.json"):
        old.unlink()
    names = set()
    lines = []
    for case in CASES:
        name, content, severity, path, words, *rest = case
        extra = rest[0] if rest else {}
        assert name not in names, name
        names.add(name)
        (HERE / f"{name}.json").write_bytes(_content(content))
        record = {"file": f"{name}.json", "exit": 2 if severity == "error" else 1, "severity": severity,
                  "path": path, "message": words, **extra}
        lines.append(json.dumps(record, ensure_ascii=False))
    (HERE / "cases.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} cases")


if __name__ == "__main__":
    main()
