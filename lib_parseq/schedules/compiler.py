"""Compile a keyframe document into the rendered manifest the Parseq app produces and Deforum reads.

Fields are evaluated whole-array by the language's vectorised evaluator, in dependency order; derived
outputs are computed on arrays; only the final ``rendered_frames`` list of dicts is built per frame, once,
from ready-made columns.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from lib_parseq import __version__
from lib_parseq.errors import DocumentError
from lib_parseq.language import (
    FieldProgram,
    KeyframeInfo,
    TimeSeries,
    Timing,
    evaluate_field,
    evaluate_prompt_expression,
    evaluate_prompt_expression_batch,
)
from lib_parseq.language.cadence import CADENCE_FIELD
from lib_parseq.schedules.derived import field_delta, field_percent, field_range, subseeds
from lib_parseq.schedules.document import Document, load_document
from lib_parseq.schedules.keyframes import defined_keyframes, interpolations
from lib_parseq.schedules.ordering import evaluation_order, field_references
from lib_parseq.schedules.prompts import assemble_prompts, one_frame_at_a_time
from lib_parseq.schedules.validate import DEFAULT_MAX_FRAMES, is_manifest, validate_manifest
from lib_parseq.schedules.validate_problems import raise_for_problems

FieldEvaluator = Callable[..., Any]
GENERATOR_NAME = "sd-webui-parseq"


_LARGEST_EXACT_INTEGER = 2.0**53


def _json_column(values: np.ndarray) -> list:
    """A float column as JSON-ready Python values, written as JavaScript would write them.

    NaN and ±Infinity become None (JSON null); a column of whole numbers becomes ints (``1``, not ``1.0``;
    ``-0`` as ``0``, like ``JSON.stringify``).
    """
    finite = np.isfinite(values)
    if finite.all():
        if np.array_equal(values, np.trunc(values)) and (np.abs(values) < _LARGEST_EXACT_INTEGER).all():
            return values.astype(np.int64).tolist()
        return values.tolist()
    column = values.tolist()
    for index in np.flatnonzero(~finite).tolist():
        column[index] = None
    return column


def _check_frame_cap(document: Document, max_frames: int) -> None:
    if document.frame_count > max_frames:
        raise DocumentError(
            f"the last keyframe is at frame {document.last_frame}, so the render would have "
            f"{document.frame_count:,} frames; the limit is {max_frames:,}",
            path="$.keyframes",
        )


def evaluate_fields(
    document: Document,
    *,
    random_seed: int | None = None,
    evaluator: FieldEvaluator = evaluate_field,
) -> dict[str, np.ndarray]:
    """Every managed field's stored values over frames 0..last, evaluated in dependency order."""
    managed = document.managed_fields
    managed_set = frozenset(managed)
    declarations = {name: interpolations(document.keyframes, name) for name in managed}
    references = {name: field_references(name, declarations[name], managed_set) for name in managed}
    order = evaluation_order(managed, references)
    timing = Timing(document.options.fps, document.options.bpm, document.options.cadence,
                    legacy_positional=document.legacy)
    keyframe_infos = [KeyframeInfo(int(kf["frame"]), _info(kf.get("info"))) for kf in document.keyframes]
    series = [TimeSeries(ts.alias, ts.xs, ts.ys, ts.in_milliseconds) for ts in document.time_series]
    values: dict[str, np.ndarray] = {}
    for name in order:
        default = document.default_for(name)
        program = FieldProgram(
            name=name,
            frame_count=document.frame_count,
            defined=defined_keyframes(document.keyframes, name, default),
            interpolations=declarations[name],
            default=default,
        )
        result = evaluator(
            program,
            timing=timing,
            keyframes=keyframe_infos,
            other_fields=values,
            time_series=series,
            random_seed=random_seed,
        )
        values[name] = np.asarray(result.values, dtype=np.float64)
        if name == CADENCE_FIELD:
            timing = _with_cadence_schedule(timing, values)
    return values


def _with_cadence_schedule(timing: Timing, values: Mapping[str, np.ndarray]) -> Timing:
    """``timing`` with the keyframed cadence's values, once the ``cadence`` field is evaluated (is_generation
    follows them; fields that call it are ordered after that field)."""
    schedule = values.get(CADENCE_FIELD)
    return timing if schedule is None else dataclasses.replace(timing, cadence_schedule=tuple(schedule.tolist()))


def _info(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


class _FrameValues(Mapping[str, float]):
    """The managed fields' stored values at one frame, read lazily (prompts usually use one or two)."""

    def __init__(self, columns: Mapping[str, list[float]], frame: int) -> None:
        self._columns = columns
        self._frame = frame

    def __getitem__(self, name: str) -> float:
        return self._columns[name][self._frame]

    def __iter__(self):
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


def prompt_column(
    document: Document, values: Mapping[str, np.ndarray], *, per_frame: bool = False
) -> list[str] | None:
    """``deforum_prompt`` at every frame: each distinct ``${…}`` evaluated once over the frames that use it.

    ``per_frame=True`` evaluates every ``${…}`` at each frame separately instead (the reference path,
    for tests and benchmarks).
    """
    timing = _with_cadence_schedule(Timing(document.options.fps, document.options.bpm, document.options.cadence,
                                           legacy_positional=document.legacy), values)
    keyframe_infos = [KeyframeInfo(int(kf["frame"]), _info(kf.get("info"))) for kf in document.keyframes]
    series = [TimeSeries(ts.alias, ts.xs, ts.ys, ts.in_milliseconds) for ts in document.time_series]
    if per_frame:
        columns = {name: column.tolist() for name, column in values.items()}

        def evaluate_one(text: str, frame: int, prompt_type: str | None) -> float | str:
            return evaluate_prompt_expression(
                text, frame=frame, timing=timing, keyframes=keyframe_infos,
                field_values=_FrameValues(columns, frame),
                prompt_type=prompt_type, time_series=series,
            )

        return assemble_prompts(document.prompts, document.frame_count, document.last_frame,
                                one_frame_at_a_time(evaluate_one))

    def evaluate(text: str, frames: np.ndarray, prompt_type: str | None) -> np.ndarray:
        return evaluate_prompt_expression_batch(
            text, frames=frames, timing=timing, keyframes=keyframe_infos, field_values=values,
            prompt_type=prompt_type, time_series=series,
        )

    return assemble_prompts(document.prompts, document.frame_count, document.last_frame, evaluate)


def rendered_frames(
    document: Document, values: Mapping[str, np.ndarray], prompts: list[str] | None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """``rendered_frames`` and ``rendered_frames_meta`` with Parseq's key order within each frame."""
    managed = document.managed_fields
    count = document.frame_count
    keys: list[str] = ["frame"]
    columns: list[list] = [list(range(count))]
    for name in managed:
        keys.append(name)
        columns.append(_json_column(values[name]))
    if prompts is not None:
        keys.append("deforum_prompt")
        columns.append(prompts)
    if "seed" in values:
        subseed, strength = subseeds(values["seed"])
        keys += ["subseed", "subseed_strength"]
        columns += [_json_column(subseed), _json_column(strength)]
    meta = {}
    for name in managed:
        value_range = field_range(values[name])
        meta[name] = value_range.as_json()
        keys += [f"{name}_delta", f"{name}_pc"]
        columns += [
            _json_column(field_delta(name, values[name])),
            _json_column(field_percent(values[name], value_range)),
        ]
    frames = [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]
    return frames, meta


def _meta(document: Document) -> dict[str, Any]:
    meta = dict(document.data.get("meta") or {})
    meta.update(
        generated_by=GENERATOR_NAME,
        version=__version__,
        generated_at=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    )
    return meta


def compile_document(
    doc: Document | Mapping[str, Any],
    *,
    max_frames: int = DEFAULT_MAX_FRAMES,
    random_seed: int | None = None,
) -> dict[str, Any]:
    """The rendered manifest of a keyframe document (loaded with ``load_document`` or raw JSON).

    ``max_frames`` caps the render length, checked before any evaluation; ``random_seed`` makes unseeded
    ``rand``/noise calls reproducible.
    """
    document = doc if isinstance(doc, Document) else load_document(doc, max_frames=max_frames)
    _check_frame_cap(document, max_frames)
    values = evaluate_fields(document, random_seed=random_seed)
    prompts = prompt_column(document, values)
    frames, meta = rendered_frames(document, values, prompts)
    manifest = {"meta": _meta(document)}
    manifest.update({key: value for key, value in document.data.items() if key != "meta"})
    manifest["rendered_frames"] = frames
    manifest["rendered_frames_meta"] = meta
    return manifest


def as_manifest(obj: Mapping[str, Any], **compile_kwargs: Any) -> dict[str, Any]:
    """A manifest (has ``rendered_frames``) is validated and passed through; a keyframe document is compiled."""
    if is_manifest(obj):
        problems = validate_manifest(obj, max_frames=compile_kwargs.get("max_frames", DEFAULT_MAX_FRAMES))
        raise_for_problems(problems, what="manifest")
        return dict(obj)
    return compile_document(obj, **compile_kwargs)
