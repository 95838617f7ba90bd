"""The optional audio dependency: librosa is imported on first use, and its absence is one clear error."""

from __future__ import annotations

import functools
from types import ModuleType

from lib_parseq.errors import AudioError

INSTALL_HINT = (
    "audio analysis needs librosa, which is not installed: run `pip install \"librosa>=0.10\"` in the Python "
    "environment that runs Parseq (in AUTOMATIC1111, restart the webui: the extension's install step adds it)"
)


@functools.lru_cache(maxsize=1)
def require_librosa() -> ModuleType:
    """librosa, or an AudioError that says how to install it (never an ImportError traceback)."""
    try:
        import librosa
    except ImportError as error:
        raise AudioError(f"{INSTALL_HINT} ({error})") from None
    return librosa
