"""Audio-driven animation: decode a song through ffmpeg, analyse it with librosa, merge it into a document.

librosa is imported on first analysis, so importing this package (and ``document_audio`` for renders) works
without it; a missing librosa is one AudioError with the install command.
"""

from lib_parseq.audio.choices import COMPONENTS, FEATURES, KEYFRAME_MODES
from lib_parseq.audio.decode import decode_pcm, stream_pcm
from lib_parseq.audio.dependency import require_librosa
from lib_parseq.audio.features import AudioAnalysis, FrameSeries, analyse_file, frame_features
from lib_parseq.audio.keyframes import MergeSummary, merge_analysis
from lib_parseq.audio.track import DocumentAudio, audio_for_render, audio_reference, document_audio

__all__ = [
    "COMPONENTS",
    "FEATURES",
    "KEYFRAME_MODES",
    "AudioAnalysis",
    "DocumentAudio",
    "FrameSeries",
    "MergeSummary",
    "analyse_file",
    "audio_for_render",
    "audio_reference",
    "decode_pcm",
    "document_audio",
    "frame_features",
    "merge_analysis",
    "require_librosa",
    "stream_pcm",
]
