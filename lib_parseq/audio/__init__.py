"""Audio-driven animation: decode a song through ffmpeg, analyse it with librosa, merge it into a document.

The names below load their module on first use, so that the command line (which reads ``choices`` to build
its parser) starts without numpy, scipy or the schedules; librosa itself is imported on the first analysis,
and a missing librosa is one AudioError with the install command.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "COMPONENTS": "choices",
    "FEATURES": "choices",
    "KEYFRAME_MODES": "choices",
    "decode_pcm": "decode",
    "stream_pcm": "decode",
    "require_librosa": "dependency",
    "AudioAnalysis": "features",
    "FrameSeries": "features",
    "analyse_file": "features",
    "frame_features": "features",
    "MergeSummary": "keyframes",
    "merge_analysis": "keyframes",
    "DocumentAudio": "track",
    "audio_for_render": "track",
    "audio_reference": "track",
    "document_audio": "track",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
