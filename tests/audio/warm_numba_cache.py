"""Fill the numba cache of librosa's kernels once, for one virtualenv, before the tests run.

``tests/run.sh`` runs this in each virtualenv that analyses audio, right after installing it, with
``NUMBA_CACHE_DIR`` set to ``tests/artifacts/numba-cache/warm``; ``tests/conftest.py`` then gives every test
process a copy of that cache of its own. A cold compile of the beat tracker and its friends costs about 35 s of
CPU, and each pytest-xdist worker of each phase used to pay it (the cache is per process tree: two processes
filling one cache at once can crash, numba/numba#10128).

    NUMBA_CACHE_DIR=tests/artifacts/numba-cache/warm .venv/bin/python tests/audio/warm_numba_cache.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from audio_synth import click_track, write_wav  # noqa: E402

from lib_parseq.audio.features import analyse_file  # noqa: E402


def main() -> int:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        samples, _ = click_track(120, 6.0, first_beat_s=0.25)
        analysis = analyse_file(write_wav(Path(folder) / "click.wav", samples), component="full")
    print(f"numba cache warmed in {time.perf_counter() - started:.1f} s ({sys.prefix}; "
          f"tempo {analysis.rhythm.tempo:.1f} bpm)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
