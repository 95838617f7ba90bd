#!/usr/bin/env bash
# Forge runs extensions on gradio 4.x. In a separate virtualenv (.venv-gradio4, created or reused) with
# gradio 4 and the product requirements, load every scripts/*.py of this extension through the A1111 stand-in's
# loader and build the whole UI (img2img Script dropdown with the Parseq script, the Parseq tab, settings).
# Exits non-zero if anything fails to import or build. Usage: bash tests/a1111/check_gradio4.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

GRADIO4_VERSION=${GRADIO4_VERSION:-4.40.0}
VENV=.venv-gradio4
PYTHON=${PYTHON:-python3}

if [ ! -x "$VENV/bin/python" ]; then
    echo "check_gradio4: creating $VENV"
    "$PYTHON" -m venv "$VENV"
fi
# Forge holds numpy at 1.26; huggingface-hub is held below 0.26 because gradio 4.40 imports HfFolder;
# pydantic below 2.11 and fastapi below 0.113 (gradio 4.40's era): with newer ones gradio 4.40 cannot build its
# API description and the served page fails (the browser tests serve the stand-in from this virtualenv).
PINS=("gradio==$GRADIO4_VERSION" "numpy==1.26.4" "huggingface-hub<0.26" "pydantic<2.11" "fastapi<0.113")
STAMP="$VENV/.parseq-requirements"
WANTED="${PINS[*]} $(cat requirements.txt)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANTED" ]; then
    echo "check_gradio4: installing ${PINS[*]} and requirements.txt into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-compile "${PINS[@]}" -r requirements.txt
    printf '%s' "$WANTED" > "$STAMP"
fi

echo "check_gradio4: loading the extension through the A1111 stand-in and building its UI with:"
"$VENV/bin/python" -c "import gradio, numpy, PIL; print('  gradio', gradio.__version__, '| numpy', numpy.__version__, '| Pillow', PIL.__version__)"
OUT=$("$VENV/bin/python" tests/a1111/stand_in/harness.py check-ui --extension . 2>&1) || { echo "$OUT"; echo "check_gradio4: FAILED"; exit 1; }
echo "$OUT" | sed 's/^/  /'
echo "$OUT" | grep -q "img2img scripts: .*'Parseq'" || { echo "check_gradio4: FAILED: the Parseq script is not in img2img"; exit 1; }
echo "$OUT" | grep -q "parseq_manifest" || { echo "check_gradio4: FAILED: no parseq_manifest box"; exit 1; }
echo "check_gradio4: OK"
