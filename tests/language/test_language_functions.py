"""Every built-in variable and function (spec §4, §5), checked against values worked out by hand."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from lib_parseq.errors import EvalError
from lib_parseq.language import (
    FieldProgram,
    KeyframeInfo,
    TimeSeries,
    Timing,
    evaluate_field,
    evaluate_prompt_expression,
)
from lib_parseq.language.bezier import PRESETS, ease


def approx(values, expected, tol=1e-9):
    assert len(values) == len(expected)
    for got, want in zip(values, expected, strict=True):
        if want is None:
            assert got is None
        else:
            assert got == pytest.approx(want, rel=tol, abs=tol), (values, expected)


# --- variables --------------------------------------------------------------------------------------

def test_frame_and_keyframe_variables(ev):
    assert ev("f") == list(range(11))
    assert ev("k") == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0]
    assert ev("active_keyframe") == ev("prev_keyframe") == [0] * 5 + [5] * 5 + [10]
    assert ev("next_keyframe") == [5] * 5 + [10] * 6
    assert ev("active_keyframe_value") == ev("prev_keyframe_value") == ev("S") == [5] * 5 + [0] * 5 + [10]
    assert ev("next_keyframe_value") == [0] * 5 + [10] * 6  # deviation #16: 0 after the last keyframe


def test_curves_through_keyframes(ev):
    assert ev("L", frames=13) == [5, 4, 3, 2, 1, 0, 2, 4, 6, 8, 10, 12, 14]
    approx(ev("C", frames=12), [5, 3.28, 1.74, 0.56, -0.08, 0, 0.92, 2.56, 4.74, 7.28, 10, None])
    approx(ev("P"), [5, 2.8, 1.2, 0.2, -0.2, 0, 0.8, 2.2, 4.2, 6.8, 10])


def test_extrapolation_before_the_first_keyframe():
    # the spec's frame -3 relative to (0,5),(5,0),(10,10) is frame 0 here
    for text, expected in (("L", 8), ("S", 5), ("P", 15.2), ("C", 9.44)):  # C: the first cubic segment, as scipy's natural spline
        program = FieldProgram("x", 1, [(3, 5), (8, 0), (13, 10)], [(0, text)])
        out = evaluate_field(program, timing=Timing(30, 140), keyframes=[KeyframeInfo(3), KeyframeInfo(13)],
                             other_fields={})
        assert out.values[0] == pytest.approx(expected, rel=1e-12), text


def test_two_knot_cubic_is_a_line_and_one_knot_is_constant(ev):
    assert ev("C", frames=5, keyframes=[[0, 0], [4, 8]]) == [0, 2, 4, 6, 8]
    assert ev("L", frames=3, keyframes=[[0, 7]]) == [7, 7, 7]


def test_beats_seconds_and_options(ev):
    approx(ev("b", frames=3, fps=30, bpm=120), [0, 1 / 15, 2 / 15])
    assert ev("wb", frames=31, fps=30, bpm=120)[14:17] == [0, 1, 1]
    approx(ev("s", frames=3, fps=20), [0, 0.05, 0.1])
    assert ev("fps + bpm + cadence", frames=1, fps=24, bpm=100) == [125]
    assert ev("last_frame + final_frame", frames=1) == [20]


def test_constants(at0):
    for name, value in (("PI", math.pi), ("E", math.e), ("SQRT2", math.sqrt(2)), ("SQRT1_2", math.sqrt(0.5)),
                        ("LN2", math.log(2)), ("LN10", math.log(10)), ("LOG2E", math.log2(math.e)),
                        ("LOG10E", math.log10(math.e))):
        assert at0(name) == pytest.approx(value, rel=1e-15)


def test_prev_computed_value_is_sequential_and_raw(ev):
    assert ev("prev_computed_value + 1", frames=4) == [1, 2, 3, 4]
    assert ev('if (f<2) "12" else prev_computed_value + 1', frames=4) == ["12", "12", "121", "1211"]


def test_cross_field_reference_and_dangerous():
    timing = Timing(30, 140)
    kfs = [KeyframeInfo(0), KeyframeInfo(4)]
    strength = np.array([0.0, 0.2, 0.4, 0.6, 0.8])
    program = FieldProgram("x", 5, [(0, 0), (4, 0)], [(0, 'strength * 10 + dangerous("strength", f - 1)')])
    out = evaluate_field(program, timing=timing, keyframes=kfs, other_fields={"strength": strength})
    assert out.values.tolist() == pytest.approx([-1, 2, 4.2, 6.4, 8.6])
    missing = FieldProgram("x", 2, [(0, 0), (1, 0)], [(0, 'dangerous("nope")')])
    assert evaluate_field(missing, timing=timing, keyframes=kfs, other_fields={}).values.tolist() == [-1, -1]
    with pytest.raises(EvalError, match="unknown variable 'strenght' — did you mean 'strength'"):
        evaluate_field(FieldProgram("x", 2, [(0, 0), (1, 0)], [(0, "strenght")]), timing=timing,
                       keyframes=kfs, other_fields={"strength": strength})


def test_self_reference_by_name_points_to_prev_computed_value():
    with pytest.raises(EvalError, match="prev_computed_value"):
        evaluate_field(FieldProgram("x", 2, [(0, 0), (1, 0)], [(0, "x + 1")]), timing=Timing(30, 140),
                       keyframes=[KeyframeInfo(0)], other_fields={"x": np.zeros(2)})


def test_time_series_bare_and_called():
    series = TimeSeries("ts", [0, 2, 4], [1, 2, 3])
    ms = TimeSeries("ms", [0, 100], [0, 10], in_milliseconds=True)
    program = FieldProgram("x", 6, [(0, 0), (5, 0)], [(0, "ts"), (3, "ts(3, 1) + ts() * 100"), (4, "ms(3, 1)"),
                                                    (5, "ms")])
    out = evaluate_field(program, timing=Timing(30, 140), keyframes=[KeyframeInfo(0)], other_fields={},
                         time_series=[series, ms])
    assert out.values.tolist() == pytest.approx([1, 1, 2, 102.5, 10, 10])


def test_empty_time_series_is_zero():
    program = FieldProgram("x", 2, [(0, 0), (1, 0)], [(0, "e")])
    out = evaluate_field(program, timing=Timing(30, 140), keyframes=[], other_fields={},
                         time_series={"e": TimeSeries("e", [], [])})
    assert out.values.tolist() == [0, 0]


# --- oscillators ------------------------------------------------------------------------------------

def test_oscillators(ev):
    approx(ev("sin(p=4)", frames=5), [0, 1, 0, -1, 0], tol=1e-12)
    approx(ev("sin(4, 1, 2, 10)", frames=2), [12, 10])
    approx(ev("tri(p=4, a=2)", frames=5), [0, 2, 0, -2, 0], tol=1e-12)
    approx(ev("saw(p=10, ps=-13)", frames=2), [-0.3, -0.2])
    assert ev("sq(p=10)", frames=21) == [1] * 6 + [-1] * 5 + [1] * 5 + [-1] * 5
    assert ev("pulse(p=4, pw=1, a=3, c=1)", frames=5) == [4, 1, 1, 1, 4]
    assert ev("sin(p=0)", frames=2) == [None, None]
    assert ev("sq(p=0, a=2, c=5) + pulse(p=0, c=1)", frames=1) == [4]
    assert ev("sin(p=4, li=0.5)", frames=5)[3:5] == [0, 0]


def test_oscillator_long_names_from_the_2022_readme(ev):
    approx(ev("sin(period=4, amplitude=2, center=1)", frames=4), [1, 3, 1, -1], tol=1e-12)
    approx(ev("pulse(period=4, pulsewidth=2)", frames=4), [1, 1, 0, 0])
    with pytest.raises(Exception, match="Duplicate arguments.*amplitude"):
        ev("sin(p=4, amp=1, amplitude=2)")


def _oscillator_values(expr: str, frames: int, *, legacy: bool) -> list[float]:
    program = FieldProgram("x", frames, [(0, 0.0)], [(0, expr)])
    out = evaluate_field(program, timing=Timing(30, 140, legacy_positional=legacy), keyframes=[], other_fields={},
                         time_series={})
    return out.values.tolist()


def test_2022_documents_read_positional_oscillator_arguments_as_centre_phase_period_amp():
    legacy = _oscillator_values("sin(0.5, 0, 50, 0.5)", 51, legacy=True)
    expected = [0.5 + 0.5 * math.sin(f * 2 * math.pi / 50) for f in range(51)]
    approx(legacy, expected, tol=1e-12)
    modern = _oscillator_values("sin(0.5, 0, 50, 0.5)", 51, legacy=False)
    assert modern[12] == pytest.approx(0.5 + 50 * math.sin(12 * 2 * math.pi / 0.5), abs=1e-9)  # period 0.5
    assert legacy[12] > 0.99
    named = "tri(period=10, phase=2, amp=3, centre=1)"
    assert _oscillator_values(named, 12, legacy=True) == _oscillator_values(named, 12, legacy=False)
    approx(_oscillator_values("pulse(1, 0, 4, 2, 0, 1)", 4, legacy=True), [3, 1, 1, 1])
    with pytest.raises(EvalError, match="missing required arguments.*period/p"):
        _oscillator_values("sin(0.5)", 2, legacy=True)


# --- transitions ------------------------------------------------------------------------------------

def test_slide(ev):
    assert ev("slide()") == [5, 4, 3, 2, 1, 0, 2, 4, 6, 8, 10]
    assert ev("slide(offset=0.5)") == [2.5] * 5 + [5] * 5 + [10]
    approx(ev("slide(s=3, to=8)", frames=5, keyframes=[[0, 0], [10, 0]]), [3, 3 + 5 / 3, 3 + 10 / 3, 8, 8])
    approx(ev("slide(from=0, to=9, span=3)", frames=5, keyframes=[[0, 0], [10, 0]]), [0, 3, 6, 9, 9])
    assert ev("slide(s=3)", frames=1, keyframes=[[0, 0], [10, 0]]) == [3]


def test_bez_and_presets(ev):
    approx(ev("bez(curve=\"linear\")", frames=6, keyframes=[[0, 0], [5, 10]]), [0, 2, 4, 6, 8, 10])
    approx(ev("bez(offset=0.5, curve=\"linear\")", frames=3, keyframes=[[0, 0], [4, 8]]), [4, 4, 4])
    approx(ev("bez(d=3, curve=\"linear\")", frames=6, keyframes=[[0, 1], [5, 10]]), [1, 1.6, 2.2, 2.8, 3.4, 10])
    approx(ev("bez(x1=0.2, y1=0.2, x2=0.8, y2=0.8)", frames=3, keyframes=[[0, 0], [2, 2]]), [0, 1, 2])
    assert ev("bez(span=0)", frames=2) == [5, 5]
    assert ev('bez(curve="easeOut")', frames=6, keyframes=[[0, 0], [5, 1]])[5] == 1


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_is_monotone_in_x_and_hits_the_ends(name):
    x1, y1, x2, y2 = PRESETS[name]
    xs = np.linspace(0, 1, 201)
    t = np.linspace(0, 1, 2001)
    bx = 3 * (1 - t) ** 2 * t * x1 + 3 * (1 - t) * t**2 * x2 + t**3
    by = 3 * (1 - t) ** 2 * t * y1 + 3 * (1 - t) * t**2 * y2 + t**3
    got = ease(x1, y1, x2, y2, xs)
    assert got[0] == 0 and got[-1] == 1
    if x1 not in (0.0, 1.0) or x2 not in (0.0, 1.0):
        assert np.allclose(got, np.interp(xs, bx, by), atol=2e-3)


def test_bezier_solver_is_accurate():
    x1, y1, x2, y2 = 0.65, 0, 0.35, 1
    t = np.linspace(0, 1, 1001)
    bx = 3 * (1 - t) ** 2 * t * x1 + 3 * (1 - t) * t**2 * x2 + t**3
    by = 3 * (1 - t) ** 2 * t * y1 + 3 * (1 - t) * t**2 * y2 + t**3
    assert np.max(np.abs(ease(x1, y1, x2, y2, bx) - by)) < 1e-7


def test_bez_errors(ev):
    with pytest.raises(EvalError, match=r"Unknown curve type: easeInOut9\. — did you mean"):
        ev('bez(curve="easeInOut9")')
    with pytest.raises(EvalError, match=r"bezier x values must be in \[0, 1\] range"):
        ev("bez(x1=1.5)")


# --- randomness -----------------------------------------------------------------------------------

def test_rand_is_seeded_held_and_redrawn_at_keyframes(ev):
    values = ev("rand(s=1, min=4, max=50, h=3.5)")
    assert values[0:4] == [values[0]] * 4 and values[5:9] == [values[5]] * 4
    assert len({values[0], values[4], values[5], values[9], values[10]}) == 5
    assert all(4 <= v < 50 for v in values)
    assert ev("rand(s=1)") == ev("rand(s=1)")
    assert ev("rand(s=1) - rand(s=1)") == [0] * 11
    assert ev("rand(s=f+1)") == ev("rand(s=1)")
    assert ev("rand(s=2)") != ev("rand(s=1)")
    assert len(set(ev("rand(s=1, h=0)", keyframes=[[0, 0], [10, 0]]))) == 1


@pytest.mark.parametrize("expr", ["rand(min=-10^400, max=10^400, s=1)", "10^400 - 10^400", "1 / \"0\" - 1 / \"0\"",
                                  "_log(-1) + _acosh(0)", "sin(p=0)"])
def test_non_finite_results_are_values_not_numpy_warnings(ev, expr):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = ev(expr, frames=3)
    assert values == [None, None, None]  # NaN at every frame (JSON null)


def test_random_state_resets_at_each_declaration():
    program = FieldProgram("x", 4, [(0, 0), (3, 0)], [(0, "rand(s=1)"), (2, "rand(s=1)")])
    values = evaluate_field(program, timing=Timing(30, 140), keyframes=[], other_fields={}).values
    assert values[2] == values[0] and values[3] == values[1]


def test_unseeded_random_follows_the_render_seed():
    program = FieldProgram("x", 5, [(0, 0), (4, 0)], [(0, "rand() + smrand() + perlin() + vibe()")])
    runs = [evaluate_field(program, timing=Timing(30, 140), keyframes=[], other_fields={}, random_seed=seed).values
            for seed in (7, 7, 8)]
    assert np.array_equal(runs[0], runs[1]) and not np.array_equal(runs[0], runs[2])


def test_smooth_noise(ev):
    for name, bound in (("smrand", 1.0), ("perlin", 1.5)):
        for smooth in (5, 20):
            values = ev(f"{name}(s=3, sm={smooth}, min=-1, max=1)", frames=200, keyframes=[[0, 0], [199, 0]])
            assert all(-bound <= v <= bound for v in values)
            assert np.abs(np.diff(values)).max() < 8 / smooth  # continuous: steps shrink with the smoothing
            assert np.std(values) > 0.1
        assert ev(f"{name}(s=3)") == ev(f"{name}(s=3)")
    assert ev("perlin(s=1, sm=5, min=2, max=4)", frames=11)[::5] == [3, 3, 3]


def test_vibe_walks_between_random_targets(ev):
    values = ev("vibe(s=1, p=4)", frames=12, keyframes=[[0, 5], [11, 0]])
    # Seeded: the same walk everywhere. It starts at the keyframe value and eases to a new random target
    # every 4 frames (frames 4 and 8 are targets), staying between min 0 and max (the keyframe value 5).
    approx(values, [5, 4.494226953503568, 2.611857114542334, 0.7294872755810999, 0.22371422908466787,
                    0.2237142290846682, 0.21935852650475157, 0.20314761289297106, 0.18693669928119055,
                    0.18258099670127392, 0.18258099670127392, 0.2162674023132526])
    assert values == ev("vibe(s=1, p=4)", frames=12, keyframes=[[0, 5], [11, 0]])
    assert values != ev("vibe(s=2, p=4)", frames=12, keyframes=[[0, 5], [11, 0]])
    periods = ev("vibe(s=2, pmin=2, pmax=4)", frames=40, keyframes=[[0, 0], [39, 0]])
    assert all(0 <= v <= 1 for v in periods)


# --- maths --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("expr", "expected"), [
    ("min(3, 4)", 3), ("max(3, 4)", 4), ("min(a=3, b=-1)", -1), ("abs(-2.5)", 2.5),
    ("round(2.5)", 3), ("round(-2.5)", -2), ("round(1.555, 2)", 1.56), ("round(1.005, 2)", 1),
    ("round(1234, -2)", 1200), ("round(0.49999999999999994)", 0), ("floor(-1.5)", -2), ("ceil(-1.5)", -1),
    ("floor(1.555, 2)", 1.55), ("ceil(1.444, 2)", 1.45),
    ("_sin(PI/2)", 1), ("_cos(0)", 1), ("_tan(0)", 0), ("_asin(1)", math.pi / 2), ("_acos(1)", 0), ("_atan(1)", math.pi / 4),
    ("_sinh(0)", 0), ("_cosh(0)", 1), ("_tanh(0)", 0), ("_asinh(0)", 0), ("_acosh(1)", 0), ("_atanh(0)", 0),
    ("_log(E)", 1), ("_log2(8)", 3), ("_log10(1000)", 3), ("_log1p(0)", 0), ("_exp(0)", 1), ("_expm1(0)", 0),
    ("_sqrt(16)", 4), ("_cbrt(27)", 3), ("_sign(-3)", -1), ("_sign(2)", 1), ("_clz32(1)", 31), ("_clz32(0)", 32),
    ("_clz32(-1)", 0), ("f2b(60)", 4.666666666666667), ("b2f(1)", 12.857142857142858), ("f2s(45)", 1.5), ("s2f(2)", 60),
])
def test_maths(at0, expr, expected):
    assert at0(expr, fps=30, bpm=140) == pytest.approx(expected, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("expr", ["_acosh(0)", "_log2(0)", "_sqrt(-1)", "min(1, _sqrt(-1))", "_exp(1000)",
                                  "_log(-1)", "_asin(2)"])
def test_out_of_domain_maths_is_non_finite_not_an_error(at0, expr):
    assert at0(expr) is None


def test_round_keeps_negative_zero():
    from lib_parseq.cli.cmd_eval import evaluate_request  # noqa: F401 (the JSON form turns -0 into 0)
    from lib_parseq.language.functions_maths import js_round

    assert math.copysign(1, js_round(np.array([-0.4]))[0]) == -1


# --- keyframe info ----------------------------------------------------------------------------------

INFO = {"0": "drum", "5": "bass", "7": "drum2"}


@pytest.mark.parametrize(("expr", "expected"), [
    ('info_match("^dr")', [1, 1, 1, 1, 1, 0, 0, 1, 1, 0]),  # keyframe 9 has no info
    ('info_match_count("dr")', [1, 1, 1, 1, 1, 1, 1, 2, 2, 2]),
    ('info_match_prev("dr")', [0, 0, 0, 0, 0, 0, 0, 7, 7, 7]),
    ('info_match_last(r="bass", d=-5)', [-5] * 5 + [5] * 5),
    ('info_match_next("dr")', [7] * 7 + [-1] * 3),
    ('info_match_gap("dr")', [7] * 7 + [-1] * 3),
    ('info_match_since("dr")', [0, 1, 2, 3, 4, 5, 6, 0, 1, 2]),
    ('info_match_until("dr", 99)', [7, 6, 5, 4, 3, 2, 1, 99, 99, 99]),
])
def test_info_matching(ev, expr, expected):
    assert ev(expr, frames=10, keyframes=[[0, 0], [9, 0]], info=INFO) == expected


def test_info_match_progress(ev):
    values = ev('info_match_progress("dr")', frames=8, keyframes=[[0, 0], [9, 0]], info=INFO)
    assert values[3] == pytest.approx(3 / 7) and values[7] == -1


def test_bad_regex_is_an_eval_error(ev):
    with pytest.raises(EvalError, match="invalid regular expression"):
        ev('info_match("(")', info=INFO)


# --- meta ---------------------------------------------------------------------------------------------

def test_computed_at(ev):
    assert ev("if (f < 3) f * 10 else computed_at(1)", frames=5) == [0, 10, 20, 10, 10]
    assert ev("computed_at(-1, 42)", frames=2) == [42, 42]
    assert ev("computed_at()", frames=2) == [None, None]  # no frame given: NaN, as the README says
    with pytest.raises(EvalError, match="prior_frame must be below the current frame"):
        ev("computed_at(f + 1)")


def test_start_of_beat(ev):
    values = ev("start_of_beat()", frames=14, fps=30, bpm=140)
    assert values[12] == 0 and values[13] == 13
    assert ev('start_of_beat(f=20, r="d")', frames=1, fps=30, bpm=140) == [12]
    assert ev('start_of_beat(f=20, r="u")', frames=1, fps=30, bpm=140) == [13]
    with pytest.raises(EvalError, match="Unknown rounding mode 'x'"):
        ev('start_of_beat(r="x")')


def test_recompute_if(ev):
    assert ev("recompute_if(f>4, f*10, 99)", frames=8) == [99] * 5 + [50, 60, 70]
    assert ev("recompute_if(f>2 and f<5, if (f%2==0) f*10 else f*100)", frames=9) == \
        [-1, -1, -1, 300, 40, 40, 40, 40, 40]


def test_is_generation():
    program = FieldProgram("x", 7, [(0, 0), (6, 0)], [(0, "is_generation()")])
    out = evaluate_field(program, timing=Timing(30, 140, cadence=3), keyframes=[], other_fields={})
    assert out.values.tolist() == [1, 0, 0, 1, 0, 0, 1]


# --- prompts ---------------------------------------------------------------------------------------------

def _prompt(text, prompt_type="positive", frame=3, values=None):
    return evaluate_prompt_expression(text, frame=frame, timing=Timing(30, 140),
                                      keyframes=[KeyframeInfo(0), KeyframeInfo(10)], field_values=values or {},
                                      prompt_type=prompt_type)


def test_posneg():
    assert _prompt('posneg("cat", 0.5)') == "(cat:0.5000)"
    assert _prompt('posneg("cat", 0)') == ""
    assert _prompt('posneg("cat", -0.5)') == "__PARSEQ_MOVE__(cat:0.5000)__PARSEQ_END_MOVE__"
    assert _prompt('posneg(t="cat", w=-0.5, nw=2)') == "__PARSEQ_MOVE__(cat:2.0000)__PARSEQ_END_MOVE__"
    assert _prompt('posneg(t="cat", w=1, pw=3, nw=2)', "negative") == "(cat:2.0000)"
    assert _prompt('posneg_lora("style", 0.7)') == "<lora:style:0.7000>"
    with pytest.raises(EvalError, match=r"posneg\(\) can only be used in a prompt\."):
        _prompt('posneg("cat", 1)', prompt_type=None)


def test_prompt_context():
    assert _prompt("f + k + strength * 10", values={"strength": 0.5}) == 8
    assert _prompt("next_keyframe") == 10
    for text in ("L", "S", "bez()", "active_keyframe_value"):
        with pytest.raises(EvalError, match="not available in prompts"):
            _prompt(text)
    with pytest.raises(EvalError, match="unknown variable 'prev_computed_value'"):
        _prompt("prev_computed_value")
    assert _prompt('"a" + 1') == "a1"


NON_FINITE_RESULTS = {  # None is NaN in parseq eval's JSON
    "computed_at(_sqrt(-1))": [None, None, None],
    "-(computed_at(prev_computed_value))": [None, None, None],
    "vibe(pmax=10^400, s=1)": [5, 5, 5],                                   # an endless period holds the start
    "vibe(pmin=_sqrt(-1), s=1)": [5, 0.22371422908466787, 0.2237142290846682],
    "rand(h=_sqrt(-1), s=1)": [0.2237142290846682] * 3,                  # hold NaN: one value throughout
    "smrand(sm=_sqrt(-1), s=1)": [0.5, 0.6732551823336207, 0.7262737889594302],
}


@pytest.mark.parametrize("expr", ["computed_at(_sqrt(-1))", "-(computed_at(prev_computed_value))",
                                  "vibe(pmax=10^400, s=1)", "vibe(pmin=_sqrt(-1), s=1)", "rand(h=_sqrt(-1), s=1)",
                                  "smrand(sm=_sqrt(-1), s=1)"])
def test_non_finite_arguments_never_crash(ev, expr):
    values = ev(expr, frames=3)
    assert values == NON_FINITE_RESULTS[expr]
