#!/usr/bin/env bash
# Installs the test dependencies and runs the whole test suite; `bash tests/run.sh` is the README's command
# and what CI runs. Extra arguments go to the main pytest run. At the end it prints how long each step took.
#
# Four environments (pip skips byte-compiling every installed file, which halves the install time: Python
# compiles what the tests import, once):
#   .venv           A1111 1.10.1's pins (gradio 3.41.2, numpy 1.26) + the test tools, pinned exactly in
#                   requirements-test.txt; Chromium for the browser tests (installed with apt only when it is
#                   missing and apt can be used; otherwise the browser tests are skipped and this script says so)
#   .venv-gradio4   gradio 4 (what Forge runs); tests/a1111/check_gradio4.sh installs it and builds the UI
#   .venv-numpy2    the product requirements on numpy 2
#   .venv-diffusers the test pins + CPU torch, diffusers, Ray
# .venv, .venv-gradio4 and Chromium install side by side, and the first two then compile librosa's numba kernels
# once (warm_numba, below); .venv-numpy2 and .venv-diffusers install at a lower priority beside them and go on
# while the suite runs. Then, one after another: ruff; the whole suite in .venv, spread over pytest-xdist
# workers; the maths tests on numpy 2 (also on workers); the diffusers backend's tests and the Render tab's
# browser test in .venv-diffusers.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
PIP_FLAGS=(--quiet --disable-pip-version-check --no-compile)
# pytest-xdist workers for the whole suite: three on a 2-core machine, since many tests wait on subprocesses,
# servers and the browser (193 s against 208 s with two); PARSEQ_TEST_WORKERS=0 runs it in one process. The
# numpy-2 maths tests are CPU-bound and run on two.
WORKERS=${PARSEQ_TEST_WORKERS:-3}
BROWSER_TESTS="tests/ui/test_browser.py, tests/ui/test_browser_a1111.py and tests/ui/test_browser_render.py"
LOGS=tests/artifacts/run-logs
STARTED=$SECONDS
rm -rf "$LOGS"
mkdir -p "$LOGS"
: > "$LOGS/steps"

# step NAME COMMAND...: runs COMMAND with its output in $LOGS/NAME.log; records when it ended (seconds since
# the script started), how long it took and its exit status.
# (bash ignores `set -e` inside a command whose status is tested, so the step functions chain with &&.)
step() {
    local name=$1 started=$SECONDS rc=0
    shift
    "$@" > "$LOGS/$name.log" 2>&1 || rc=$?
    printf '%5d s  %5d s  %-7s %s\n' "$((SECONDS - STARTED))" "$((SECONDS - started))" \
        "$([ "$rc" = 0 ] && echo ok || echo "FAILED")" "$name" >> "$LOGS/steps"
    return "$rc"
}

# show NAME: prints a step's log under a heading.
show() {
    echo "== $1"
    sed 's/^/   /' "$LOGS/$1.log"
}

make_venv() {
    [ -x "$1/bin/python" ] || "$PYTHON" -m venv "$1"
}

# The version requirements-test.txt pins for a tool (the numpy 2 environment installs the same tools).
pinned() {
    grep -E "^$1==" requirements-test.txt | head -n 1
}

have_chromium() {
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1
}

install_chromium() {
    if have_chromium; then
        echo "Chromium found: $(command -v chromium || command -v chromium-browser)"
        return
    fi
    local sudo=""
    if [ "$(id -u)" != "0" ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo="sudo"
        else
            echo "SKIPPING the browser tests ($BROWSER_TESTS): Chromium is not installed and this user" \
                 "cannot run apt-get (not root, no password-less sudo). Install the 'chromium' package to run them."
            return
        fi
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "SKIPPING the browser tests ($BROWSER_TESTS): Chromium is not installed and apt-get is not" \
             "available on this system. Install Chromium with the system's package manager to run them."
        return
    fi
    echo "installing Debian's chromium with apt-get"
    if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null; }; then
        echo "SKIPPING the browser tests ($BROWSER_TESTS): apt-get could not install chromium (see above)."
    fi
}

# warm_numba VENV: compile librosa's kernels once for that virtualenv, into the cache every test process copies
# (tests/conftest.py); without it each pytest-xdist worker of the whole suite compiled them itself, ~35 s of CPU
# each time. (Not for .venv-numpy2: its only audio test file runs on one worker, which compiles them once.)
warm_numba() {
    NUMBA_CACHE_DIR=tests/artifacts/numba-cache/warm "$1/bin/python" tests/audio/warm_numba_cache.py
}

install_main() {
    make_venv .venv &&
        .venv/bin/python -m pip install "${PIP_FLAGS[@]}" -r requirements-test.txt &&
        warm_numba .venv
}

install_numpy2() {
    make_venv .venv-numpy2 &&
        .venv-numpy2/bin/python -m pip install "${PIP_FLAGS[@]}" -r requirements.txt "numpy>=2" \
            "$(pinned pytest)" "$(pinned pytest-xdist)" "$(pinned hypothesis)" "$(pinned scikit-image)" &&
        .venv-numpy2/bin/python -c "import numpy; print('numpy', numpy.__version__)"
}

install_gradio4() {
    bash tests/a1111/check_gradio4.sh && warm_numba .venv-gradio4
}

install_diffusers() {
    # CPU torch pinned in the same command, so pip never picks a CUDA build
    make_venv .venv-diffusers &&
        .venv-diffusers/bin/python -m pip install "${PIP_FLAGS[@]}" -r requirements-diffusers.txt torch==2.13.0
}

numpy2_tests() {
    # The maths on numpy 2: the language, schedules, frames and render pipeline, the evaluation fuzz and the
    # audio analysis. Not repeated here: the rest of tests/reliability (input handling) and the render tests
    # of processes stopped, killed, resumed and out of disk (signals, files and ffmpeg; numpy does not touch them).
    .venv-numpy2/bin/python -m pytest -q -p no:cacheprovider -n 2 --dist loadfile tests/language \
        tests/schedules tests/render tests/reliability/test_fuzz.py tests/audio/test_audio_analysis.py \
        --deselect tests/render/test_render_segments.py --deselect tests/render/test_render_resume_and_faults.py
}

diffusers_tests() {
    # The Ray tests start a local two-worker cluster (GCS, raylet, agents, and per worker a process importing torch
    # and diffusers): on a busy 2-core machine the node can miss Ray's start-up deadline, so they run when
    # PARSEQ_TEST_RAY=1 asks for them (the README's development section says so).
    local tests=(tests/diffusers tests/ui/test_browser_render.py)
    if [ "${PARSEQ_TEST_RAY:-0}" != "1" ]; then
        echo "Ray tests (tests/diffusers/test_diffusers_ray.py) not run: set PARSEQ_TEST_RAY=1 to include them"
        tests+=(--ignore=tests/diffusers/test_diffusers_ray.py)
    fi
    .venv-diffusers/bin/python -m pytest -q -p no:cacheprovider "${tests[@]}"
}

# wait_for NAME...: waits for those background install steps and prints their logs; exits if one failed.
wait_for() {
    local name failed=0
    for name in "$@"; do
        wait "${install_pid[$name]}" || failed=1
        show "$name"
    done
    if [ "$failed" != 0 ]; then
        echo "== an installation step failed (above); steps:"
        cat "$LOGS/steps"
        exit 1
    fi
}

# The whole suite needs .venv, .venv-gradio4 and Chromium; .venv-numpy2 and .venv-diffusers are needed only by
# the two phases after it, so they install at a lower priority and go on while the suite runs (its tests
# often wait on servers and the browser, and then the installs take the CPU).
echo "== installing .venv, .venv-gradio4 and Chromium (.venv-numpy2 and .venv-diffusers go on in the background)"
declare -A install_pid
# if this script ends early (a failed install, Ctrl-C), the installs still running in the background end with it
trap 'for pid in $(jobs -p); do pkill -TERM -P "$pid" || true; kill "$pid" || true; done 2> /dev/null' EXIT
rm -rf tests/artifacts/numba-cache
for name in install_main install_gradio4 install_chromium; do
    step "$name" "$name" &
    install_pid[$name]=$!
done
for name in install_numpy2 install_diffusers; do
    (renice -n 10 -p "$BASHPID" > /dev/null 2>&1; step "$name" "$name") &
    install_pid[$name]=$!
done
wait_for install_main install_gradio4 install_chromium

# The test phases run one after another, each spread over both cores. Side by side they were no faster on the
# 2-core machine (519-535 s against 526 s from a fresh clone): they contended and the tests that wait on
# processes waited longer; one after another, each phase's output also reads in order.
rc=0
echo "== ruff"
step ruff .venv/bin/ruff check . || rc=1
sed 's/^/   /' "$LOGS/ruff.log"
echo "== the whole suite (.venv, $WORKERS pytest-xdist workers)"
started=$SECONDS
suite_rc=0
.venv/bin/python -m pytest -n "$WORKERS" --dist loadfile "$@" || suite_rc=1
printf '%5d s  %5d s  %-7s %s\n' "$((SECONDS - STARTED))" "$((SECONDS - started))" \
    "$([ "$suite_rc" = 0 ] && echo ok || echo "FAILED")" "whole suite" >> "$LOGS/steps"
[ "$suite_rc" = 0 ] || rc=1
# each later phase waits only for its own environment (.venv-diffusers, with torch, is usually the last)
for name in numpy2 diffusers; do
    echo "== installing .venv-$name (begun with the others)"
    wait_for "install_$name"
    echo "== ${name}_tests"
    step "${name}_tests" "${name}_tests" || rc=1
    sed 's/^/   /' "$LOGS/${name}_tests.log"
done

echo "== steps (ended: seconds since the start; took: the step's own time; the installs overlap)"
echo "  ended     took  status  step"
cat "$LOGS/steps"
echo "   total: $((SECONDS - STARTED)) s"
if [ "$rc" != 0 ]; then
    echo "== FAILED: see the steps marked FAILED above"
    exit 1
fi
