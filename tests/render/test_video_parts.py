"""Fragmented MP4 streams from separate encoders spliced into one video (``video.fragments``, ``video.segmented``):
the result is one valid video of all the frames, a part that does not fit is refused, and a file is only
continued when it still holds exactly the head a splice point describes."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import numpy as np
import pytest
from render_helpers import decode_frames, duration_s

from lib_parseq.errors import RenderError
from lib_parseq.video import VideoWriter
from lib_parseq.video.fragments import FragmentError, FragmentSplicer, SplicePoint, tail_digest
from lib_parseq.video.segmented import SegmentedVideoWriter

FPS = 10


def frames(count: int, size: int = 32) -> list[np.ndarray]:
    rng = np.random.default_rng(5)
    return [np.clip(rng.integers(0, 40, (size, size, 3)) + 6 * i, 0, 255).astype(np.uint8) for i in range(count)]


def encoded(images: list[np.ndarray], preset: str = "ultrafast") -> bytes:
    """One encoder's fragmented MP4 stream of ``images`` (lossless)."""
    height, width = images[0].shape[:2]
    writer = VideoWriter(Path("part.mp4"), width, height, FPS, crf=0, preset=preset, stream=True)
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.append(writer.stdout.read()))
    reader.start()
    for image in images:
        writer.write(image)
    writer.end_input()
    reader.join()
    writer.stdout.close()
    writer.close()
    return chunks[0]


@pytest.mark.parametrize("preset", ["ultrafast", "medium"])
def test_spliced_parts_play_as_one_video_of_every_frame(tmp_path, preset):
    images = frames(23)
    whole = tmp_path / "whole.mp4"
    single = VideoWriter(whole, 32, 32, FPS, crf=0, preset=preset)
    for image in images:
        single.write(image)
    single.close()
    spliced = tmp_path / "spliced.mp4"
    with open(spliced, "wb") as handle:
        splicer = FragmentSplicer(handle)
        for start in (0, 10, 20):
            point = splicer.append_stream(io.BytesIO(encoded(images[start : start + 10], preset)))
    assert point.size == spliced.stat().st_size and point.sequence > 3
    assert point.tail_digest == tail_digest(spliced, point.size)
    ours, theirs = decode_frames(spliced)[1], decode_frames(whole)[1]
    assert len(ours) == len(theirs) == 23
    assert all(np.array_equal(a, b) for a, b in zip(ours, theirs, strict=True))
    assert duration_s(spliced) == pytest.approx(2.3, abs=0.01)


def test_a_part_of_another_size_is_refused(tmp_path):
    with open(tmp_path / "v.mp4", "wb") as handle:
        splicer = FragmentSplicer(handle)
        splicer.append_stream(io.BytesIO(encoded(frames(3))))
        with pytest.raises(FragmentError, match="codec description changed"):
            splicer.append_stream(io.BytesIO(encoded(frames(3, size=16))))


def test_a_stream_cut_short_is_refused(tmp_path):
    data = encoded(frames(5))
    with open(tmp_path / "v.mp4", "wb") as handle, pytest.raises(FragmentError, match="ends inside"):
        FragmentSplicer(handle).append_stream(io.BytesIO(data[: len(data) - 100]))


def test_continuing_needs_the_very_head_the_point_describes(tmp_path):
    path = tmp_path / "v.mp4"
    points: list[SplicePoint] = []
    writer = SegmentedVideoWriter(path, 32, 32, FPS, crf=0, preset="ultrafast")
    for i, image in enumerate(frames(12)):
        if i == 6:
            writer.cut(points.append)
        writer.write(image)
    writer.close()
    full = path.read_bytes()
    damaged = bytearray(full)
    damaged[points[0].size - 10] ^= 1
    path.write_bytes(bytes(damaged))
    with pytest.raises(RenderError, match="no longer holds"):
        SegmentedVideoWriter(path, 32, 32, FPS, crf=0, preset="ultrafast", point=points[0])
    assert path.read_bytes() == bytes(damaged)
    path.write_bytes(full + b"partial fragment")
    writer = SegmentedVideoWriter(path, 32, 32, FPS, crf=0, preset="ultrafast", point=points[0])
    for image in frames(12)[6:]:
        writer.write(image)
    writer.close()
    assert path.read_bytes() == full
