#!/usr/bin/env bash
# Installs the test dependencies and runs the whole test suite; `bash tests/run.sh` is the README's command
# and what CI runs. Extra arguments go to the main pytest run.
#   1. .venv: A1111 1.10.1's pins (gradio 3.41.2, numpy 1.26) + test tools; Debian's Chromium for the
#      browser tests; ruff; the whole suite.
#   2. .venv-numpy2: the product requirements on numpy 2; the tests that do not need gradio.
#   3. .venv-gradio4: the extension loads and builds its UI on gradio 4 (what Forge runs).
#   4. .venv-diffusers: the test pins + CPU torch, diffusers, Ray; the diffusers backend's tests (tiny model
#      built in the tests), the Ray tests and the Render tab's browser test.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
PIP_FLAGS=(--quiet --disable-pip-version-check)

make_venv() {
    [ -x "$1/bin/python" ] || "$PYTHON" -m venv "$1"
}

echo "== installing test dependencies into .venv"
make_venv .venv
.venv/bin/python -m pip install "${PIP_FLAGS[@]}" -r requirements-test.txt

if ! command -v chromium >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
    echo "== installing Debian's chromium for the browser tests"
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

echo "== ruff"
.venv/bin/ruff check .

echo "== numpy 2: product requirements, tests that need no gradio"
make_venv .venv-numpy2
.venv-numpy2/bin/python -m pip install "${PIP_FLAGS[@]}" -r requirements.txt "numpy>=2" pytest hypothesis scikit-image
.venv-numpy2/bin/python -c "import numpy; print('numpy', numpy.__version__)"
.venv-numpy2/bin/python -m pytest -q -p no:cacheprovider tests/language tests/schedules tests/render tests/reliability

echo "== gradio 4"
bash tests/a1111/check_gradio4.sh

echo "== diffusers backend: CPU torch (pinned in the same command, so pip never picks a CUDA build), Ray"
make_venv .venv-diffusers
.venv-diffusers/bin/python -m pip install "${PIP_FLAGS[@]}" -r requirements-diffusers.txt torch==2.13.0
.venv-diffusers/bin/python -m pytest -q -p no:cacheprovider tests/diffusers tests/ui/test_browser_render.py

echo "== the whole suite"
.venv/bin/python -m pytest "$@"
