"""Compile a keyframe document into the rendered manifest the Parseq app produces and Deforum reads.

Fields are evaluated whole-array by the language's vectorised evaluator, in dependency order; derived
outputs are computed on arrays and kept as columns (``CompiledDocument``); the ``rendered_frames`` dicts are
built from them only when the manifest is read. ``compile_columns(..., previous=...)`` compiles an edited
document again re-evaluating only what the edit changed (``lib_parseq.schedules.reuse``): the tab does this
on every edit, and its result equals a full compile's.
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
from lib_parseq.schedules import reuse
from lib_parseq.schedules.compiled import CompiledDocument, FieldColumns, rendered_columns, seed_columns
from lib_parseq.schedules.document import Document, load_document
from lib_parseq.schedules.keyframes import defined_keyframes, interpolations
from lib_parseq.schedules.ordering import evaluation_order, field_references
from lib_parseq.schedules.prompts import assemble_prompts, one_frame_at_a_time
from lib_parseq.schedules.validate import DEFAULT_MAX_FRAMES, is_manifest, validate_manifest
from lib_parseq.schedules.validate_problems import raise_for_problems

FieldEvaluator = Callable[..., Any]
GENERATOR_NAME = "sd-webui-parseq"


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
    results = evaluate_fields_reusing(document, None, random_seed=random_seed, evaluator=evaluator)
    return {name: result.values for name, result in results.items()}


def evaluate_fields_reusing(
    document: Document,
    previous: reuse.Reusable | None,
    *,
    random_seed: int | None = None,
    evaluator: FieldEvaluator = evaluate_field,
) -> dict[str, reuse.FieldResult]:
    """``evaluate_fields``, taking over from ``previous`` each field whose inputs are unchanged (see ``reuse``)."""
    managed = document.managed_fields
    managed_set = frozenset(managed)
    declarations = {name: interpolations(document.keyframes, name) for name in managed}
    references = {name: field_references(name, declarations[name], managed_set) for name in managed}
    order = evaluation_order(managed, references)
    timing = _timing(document)
    keyframe_infos = _keyframe_infos(document)
    series = [TimeSeries(ts.alias, ts.xs, ts.ys, ts.in_milliseconds) for ts in document.time_series]
    shared = reuse.shared_inputs(document, random_seed, evaluator)
    values: dict[str, np.ndarray] = {}
    results: dict[str, reuse.FieldResult] = {}
    for name in order:
        default = document.default_for(name)
        defined = defined_keyframes(document.keyframes, name, default)
        key = reuse.field_key(name, shared, defined, declarations[name], default, references[name], results)
        result = previous.field(name, key) if previous is not None else None
        if result is None:
            program = FieldProgram(
                name=name,
                frame_count=document.frame_count,
                defined=defined,
                interpolations=declarations[name],
                default=default,
            )
            evaluated = evaluator(
                program,
                timing=timing,
                keyframes=keyframe_infos,
                other_fields=values,
                time_series=series,
                random_seed=random_seed,
            )
            result = reuse.FieldResult(key, np.asarray(evaluated.values, dtype=np.float64))
        values[name] = result.values
        results[name] = result
        if name == CADENCE_FIELD:
            timing = _with_cadence_schedule(timing, values)
    return results


def _timing(document: Document) -> Timing:
    return Timing(document.options.fps, document.options.bpm, document.options.cadence,
                  legacy_positional=document.legacy)


def _keyframe_infos(document: Document) -> list[KeyframeInfo]:
    return [KeyframeInfo(int(kf["frame"]), _info(kf.get("info"))) for kf in document.keyframes]


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
    timing = _with_cadence_schedule(_timing(document), values)
    keyframe_infos = _keyframe_infos(document)
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
    columns = {name: FieldColumns.of(name, values[name]) for name in document.managed_fields}
    seeds = seed_columns(values["seed"]) if "seed" in values else None
    keys, table, meta = rendered_columns(document, values, prompts, columns, seeds)
    return [dict(zip(keys, row, strict=True)) for row in zip(*table, strict=True)], meta


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
    return compile_columns(doc, max_frames=max_frames, random_seed=random_seed).manifest


def compile_columns(
    doc: Document | Mapping[str, Any],
    *,
    max_frames: int = DEFAULT_MAX_FRAMES,
    random_seed: int | None = None,
    previous: CompiledDocument | None = None,
) -> CompiledDocument:
    """Compile a document into columns (``.manifest`` builds the manifest); with ``previous``, the compile
    of an earlier version of it, fields, prompts and columns whose inputs did not change are taken over."""
    document = doc if isinstance(doc, Document) else load_document(doc, max_frames=max_frames)
    _check_frame_cap(document, max_frames)
    earlier = previous.reuse if previous is not None else None
    results = evaluate_fields_reusing(document, earlier, random_seed=random_seed)
    values = {name: result.values for name, result in results.items()}
    prompt_key = reuse.prompt_key(document, results)
    prompts = earlier.prompts(prompt_key) if earlier is not None else None
    if prompts is None:
        prompts = prompt_column(document, values)
    field_columns = {}
    for name in document.managed_fields:
        reused = earlier.columns(name, results[name]) if earlier is not None else None
        field_columns[name] = reused or FieldColumns.of(name, values[name])
    seeds = None
    if "seed" in values:
        seeds = earlier.seed_columns(results["seed"]) if earlier is not None else None
        seeds = seeds or seed_columns(values["seed"])
    keys, columns, meta = rendered_columns(document, values, prompts, field_columns, seeds)
    header = {"meta": _meta(document)}
    header.update({key: value for key, value in document.data.items() if key != "meta"})
    return CompiledDocument(
        document=document, header=header, values=values, prompts=prompts, keys=keys, columns=columns, meta=meta,
        reuse=reuse.Reusable(results, prompt_key, prompts, field_columns, seeds),
    )


def as_manifest(obj: Mapping[str, Any], **compile_kwargs: Any) -> dict[str, Any]:
    """A manifest (has ``rendered_frames``) is validated and passed through; a keyframe document is compiled."""
    if is_manifest(obj):
        problems = validate_manifest(obj, max_frames=compile_kwargs.get("max_frames", DEFAULT_MAX_FRAMES))
        raise_for_problems(problems, what="manifest")
        return dict(obj)
    return compile_document(obj, **compile_kwargs)
