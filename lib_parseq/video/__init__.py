"""Video in and out through ffmpeg: discovery, probing, reading, writing, output path templates."""

from lib_parseq.video.ffmpeg import find_ffmpeg
from lib_parseq.video.paths import resolve_output_path
from lib_parseq.video.probe import VideoInfo, probe_video
from lib_parseq.video.reader import VideoReader
from lib_parseq.video.writer import EncoderError, VideoWriter, make_gif, mux_audio

__all__ = [
    "EncoderError",
    "VideoInfo",
    "VideoReader",
    "VideoWriter",
    "find_ffmpeg",
    "make_gif",
    "mux_audio",
    "probe_video",
    "resolve_output_path",
]
