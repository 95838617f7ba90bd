"""The code before the speed work of issue 13, for benchmarks that compare against it in the same run.

``baseline_tree`` extracts ``lib_parseq`` as it was at ``BASELINE_COMMIT`` (with ``git archive``) into a
folder; a benchmark then runs the same command in two fresh processes, one per tree. Without git or that
commit (a shallow clone) the benchmarks print the absolute figures only.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BASELINE_COMMIT = "6827c01d357c24f0a1ebe5eba43b067a40c56f6b"


def baseline_tree(folder: Path) -> Path | None:
    """``folder`` holding the baseline's ``lib_parseq`` (a path to put first on sys.path), or None."""
    try:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", BASELINE_COMMIT, "lib_parseq"],
                                 capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(folder, filter="data")
        else:  # Python before 3.10.12: the archive is this repository's own
            tar.extractall(folder)  # noqa: S202
    return folder
