#!/usr/bin/env bash
# Installs the test dependencies and runs the whole test suite; `bash tests/run.sh` is the README's command
# and what CI runs. Extra arguments go to the main pytest run. Each stage prints how long it took.
#   1. .venv: A1111 1.10.1's pins (gradio 3.41.2, numpy 1.26) + the test tools, pinned exactly in
#      requirements-test.txt; Chromium for the browser tests (installed with apt only when it is missing and
#      apt can be used; otherwise the browser tests are skipped and this script says so); ruff; the whole suite.
#   2. .venv-numpy2: the product requirements on numpy 2; the tests that do not need gradio.
#   3. .venv-gradio4: the extension loads and builds its UI on gradio 4 (what Forge runs).
#   4. .venv-diffusers: the test pins + CPU torch, diffusers, Ray; the diffusers backend's tests (tiny model
#      built in the tests), the Ray tests and the Render tab's browser test.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
PIP_FLAGS=(--quiet --disable-pip-version-check)
BROWSER_TESTS="tests/ui/test_browser.py and tests/ui/test_browser_a1111.py"
STARTED=$SECONDS
STAGE_STARTED=$SECONDS
STAGE_NAME=""
TIMINGS=()

stage() {
    end_stage
    STAGE_NAME=$1
    STAGE_STARTED=$SECONDS
    echo "== $1"
}

end_stage() {
    if [ -n "$STAGE_NAME" ]; then
        local took=$((SECONDS - STAGE_STARTED))
        echo "   ($STAGE_NAME: ${took} s)"
        TIMINGS+=("$(printf '%5d s  %s' "$took" "$STAGE_NAME")")
    fi
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
        echo "   Chromium found: $(command -v chromium || command -v chromium-browser)"
        return
    fi
    local sudo=""
    if [ "$(id -u)" != "0" ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo="sudo"
        else
            echo "   SKIPPING the browser tests ($BROWSER_TESTS): Chromium is not installed and this user" \
                 "cannot run apt-get (not root, no password-less sudo). Install the 'chromium' package to run them."
            return
        fi
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "   SKIPPING the browser tests ($BROWSER_TESTS): Chromium is not installed and apt-get is not" \
             "available on this system. Install Chromium with the system's package manager to run them."
        return
    fi
    echo "   installing Debian's chromium with apt-get"
    if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null; }; then
        echo "   SKIPPING the browser tests ($BROWSER_TESTS): apt-get could not install chromium (see above)."
    fi
}

stage "installing test dependencies into .venv"
make_venv .venv
.venv/bin/python -m pip install "${PIP_FLAGS[@]}" -r requirements-test.txt

stage "Chromium for the browser tests"
install_chromium

stage "ruff"
.venv/bin/ruff check .

stage "numpy 2: product requirements, tests that need no gradio"
make_venv .venv-numpy2
.venv-numpy2/bin/python -m pip install "${PIP_FLAGS[@]}" -r requirements.txt "numpy>=2" \
    "$(pinned pytest)" "$(pinned hypothesis)" "$(pinned scikit-image)"
.venv-numpy2/bin/python -c "import numpy; print('numpy', numpy.__version__)"
.venv-numpy2/bin/python -m pytest -q -p no:cacheprovider tests/language tests/schedules tests/render tests/reliability \
    tests/audio/test_audio_analysis.py

stage "gradio 4"
bash tests/a1111/check_gradio4.sh

stage "diffusers backend: CPU torch (pinned in the same command, so pip never picks a CUDA build)"
make_venv .venv-diffusers
.venv-diffusers/bin/python -m pip install "${PIP_FLAGS[@]}" -r requirements-diffusers.txt torch==2.13.0
# The Ray render == local render test runs on one local two-worker cluster; the killed-worker test starts a
# second pair of workers and runs when PARSEQ_TEST_RAY=1 asks for it (the README's development section says so).
if [ "${PARSEQ_TEST_RAY:-0}" != "1" ]; then
    echo "   the killed-Ray-worker test is skipped: set PARSEQ_TEST_RAY=1 to include it"
fi
.venv-diffusers/bin/python -m pytest -q -p no:cacheprovider tests/diffusers tests/ui/test_browser_render.py

stage "the whole suite"
.venv/bin/python -m pytest "$@"
end_stage

echo "== time per stage"
printf '%s\n' "${TIMINGS[@]}"
echo "   total: $((SECONDS - STARTED)) s"
