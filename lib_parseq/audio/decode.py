"""Decoding any file ffmpeg reads (wav, mp3, flac, ogg, m4a, a video's audio track) to mono float PCM.

The samples arrive through a pipe in fixed-size blocks, so a long file is analysed block by block without
ever holding all of it (``stream_pcm``); ``decode_pcm`` gathers the blocks for short files and tests.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from lib_parseq.errors import AudioError, RenderError
from lib_parseq.video.ffmpeg import find_ffmpeg, stderr_tail

DEFAULT_SAMPLE_RATE = 22050
BYTES_PER_SAMPLE = 4


def check_audio_path(path: str | Path) -> Path:
    """The path as a Path, or an AudioError when it is missing or not a file."""
    path = Path(path)
    if not path.exists():
        raise AudioError("audio file not found", path=str(path))
    if not path.is_file():
        raise AudioError("is not a file", path=str(path))
    return path


def _ffmpeg_command(path: Path, sample_rate: int, start_s: float, end_s: float | None) -> list[str]:
    if start_s < 0 or (end_s is not None and end_s <= start_s):
        raise AudioError(f"the trim must have 0 <= start < end, not start {start_s:g} s, end {end_s} s",
                         path=str(path))
    command = [find_ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error"]
    if start_s > 0:
        command += ["-ss", f"{start_s:.6f}"]
    if end_s is not None:
        command += ["-t", f"{end_s - start_s:.6f}"]
    command += ["-i", str(path), "-map", "0:a:0", "-vn", "-ac", "1", "-ar", str(sample_rate),
                "-f", "f32le", "-acodec", "pcm_f32le", "-"]
    return command


def stream_pcm(
    path: str | Path,
    *,
    sample_rate: int = DEFAULT_SAMPLE_RATE,
    start_s: float = 0.0,
    end_s: float | None = None,
    block_samples: int = DEFAULT_SAMPLE_RATE * 30,
) -> Iterator[np.ndarray]:
    """Mono float32 samples of ``path`` in blocks of ``block_samples`` (the last one shorter), trimmed.

    A file ffmpeg cannot read, or one without an audio stream, is an AudioError with ffmpeg's reason.
    """
    path = check_audio_path(path)
    try:
        command = _ffmpeg_command(path, sample_rate, start_s, end_s)
    except RenderError as error:
        raise AudioError(error.message, path=str(path)) from None
    block_bytes = block_samples * BYTES_PER_SAMPLE
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr)
        try:
            while True:
                data = process.stdout.read(block_bytes)
                usable = len(data) - len(data) % BYTES_PER_SAMPLE
                if usable:
                    yield np.frombuffer(data[:usable], dtype="<f4").astype(np.float32)
                if len(data) < block_bytes:
                    break
            if process.wait() != 0:
                stderr.seek(0)
                message = stderr.read()
                reason = stderr_tail(message)
                if b"does not contain any stream" in message or b"matches no streams" in message:
                    reason = "it has no audio track"
                raise AudioError(f"cannot be read as audio: {reason}", path=str(path))
        finally:
            if process.poll() is None:
                process.kill()
            process.communicate()


def decode_pcm(
    path: str | Path,
    *,
    sample_rate: int = DEFAULT_SAMPLE_RATE,
    start_s: float = 0.0,
    end_s: float | None = None,
) -> np.ndarray:
    """All mono float32 samples of ``path`` at ``sample_rate``, trimmed to [start_s, end_s)."""
    blocks = list(stream_pcm(path, sample_rate=sample_rate, start_s=start_s, end_s=end_s))
    return np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)
