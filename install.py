"""A1111 runs this at every start (and after installing the extension): install what Parseq needs and A1111 lacks.

Each requirement is checked by its import name (so an ``opencv-python`` that A1111 brought counts for ``cv2``) and,
where Parseq needs a minimum version, by its installed version. Missing ones are installed with
``launch.run_pip``, bounded by the versions tested with this extension. A1111's own pins are never moved: every
pip call carries a constraints file that holds the installed versions of A1111's pinned packages (gradio,
numpy, Pillow, torch ...), so pip fails rather than upgrade them.
"""

import importlib.metadata
import os
import tempfile

import launch

# (distribution, import name, minimum version or None, what to install when missing or too old)
REQUIREMENTS = (
    ("imageio-ffmpeg", "imageio_ffmpeg", None, "imageio-ffmpeg==0.8.1"),
    ("jsonschema", "jsonschema", "4.17", "jsonschema>=4.17,<=4.26.0"),
    ("opencv-python-headless", "cv2", None, "opencv-python-headless>=4.8,<=4.11.0.86"),
    ("orjson", "orjson", None, "orjson>=3.9,<=3.13.0"),
    ("tqdm", "tqdm", None, "tqdm>=4.64,<=4.70.1"),
    ("matplotlib", "matplotlib", None, "matplotlib>=3.7,<=3.11.2"),
    ("regex", "regex", "2022.1.18", "regex>=2022.1.18,<=2026.11.19"),
    ("librosa", "librosa", "0.10", "librosa>=0.10,<=0.11.0"),
)

# A1111 1.10.1's pins (requirements_versions.txt) and torch: held at their installed versions.
PROTECTED = ("gradio", "numpy", "Pillow", "torch", "torchvision", "fastapi", "httpx", "httpcore", "protobuf",
             "pydantic", "transformers", "scikit-image", "safetensors", "lark", "accelerate", "open-clip-torch",
             "pytorch_lightning", "kornia", "einops", "omegaconf", "spandrel", "setuptools")


def _version_tuple(text):
    parts = []
    for piece in text.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def _installed_version(distribution):
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def needs_install(distribution, import_name, minimum):
    if not launch.is_installed(import_name):
        return True
    if minimum is None:
        return False
    version = _installed_version(distribution)
    return version is not None and _version_tuple(version) < _version_tuple(minimum)


def constraints_text():
    lines = []
    for name in PROTECTED:
        version = _installed_version(name)
        if version is not None:
            lines.append(f"{name}=={version}")
    return "\n".join(lines) + "\n"


def main():
    wanted = [spec for dist, module, minimum, spec in REQUIREMENTS if needs_install(dist, module, minimum)]
    if not wanted:
        return
    with tempfile.TemporaryDirectory(prefix="parseq-install-") as folder:
        constraints = os.path.join(folder, "a1111-pins.txt")
        with open(constraints, "w", encoding="utf-8") as handle:
            handle.write(constraints_text())
        for spec in wanted:
            launch.run_pip(f'install "{spec}" -c "{constraints}"', f"{spec} for sd-webui-parseq")


if __name__ == "__main__":
    main()
