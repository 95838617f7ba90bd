"""The Parseq expression language: parse once, evaluate over arrays of frames.

    parse(text) -> Expression                       ParseError with line:column
    evaluate_field(program, timing=..., ...)        vectorised per ``_i`` declaration
    evaluate_field_per_frame(program, ...)          the per-frame reference walk (tests, benchmarks)
    evaluate_prompt_expression(text, frame=..., ...) one ``${...}`` of a prompt at one frame
    evaluate_prompt_expression_batch(text, frames=...) the same over many frames at once
"""

from lib_parseq.language.context import FieldProgram, FieldValues, KeyframeInfo, TimeSeries, Timing
from lib_parseq.language.evaluator import (
    evaluate_field,
    evaluate_field_per_frame,
    evaluate_prompt_expression,
    evaluate_prompt_expression_batch,
)
from lib_parseq.language.expression import Expression, Reference, parse
from lib_parseq.language.values import js_number_to_string, to_fixed, to_fixed_array, to_number, to_precision

__all__ = [
    "Expression",
    "FieldProgram",
    "FieldValues",
    "KeyframeInfo",
    "Reference",
    "TimeSeries",
    "Timing",
    "evaluate_field",
    "evaluate_field_per_frame",
    "evaluate_prompt_expression",
    "evaluate_prompt_expression_batch",
    "js_number_to_string",
    "parse",
    "to_fixed",
    "to_fixed_array",
    "to_number",
    "to_precision",
]
