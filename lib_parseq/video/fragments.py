"""Splicing fragmented MP4 streams into one file: several encoder runs, one continuous video.

A fragmented MP4 (``-movflags +frag_keyframe+empty_moov+default_base_moof``) is a header (``ftyp``, ``moov``
with no samples) followed by self-contained fragments (``moof`` + ``mdat``) that each name their start time
(``tfdt``) and their data relative to their own ``moof``. So the fragments of a second stream, encoded by a
fresh encoder with the same settings, can follow the first stream's: drop its header (after checking that
its codec description, ``stsd``, is the same), renumber its fragments (``mfhd``) and shift their start times
by the duration already in the file. Nothing else refers to file offsets; the random-access index at the end
(``mfra``) is left out (players read the fragments themselves).

``SplicePoint`` records where the file stands after a whole stream: its length, the next fragment number,
the decode time, and a digest of the bytes before that length, so a later run can check that a file still
holds exactly that head before it appends to it.
"""

from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import asdict, dataclass
from typing import Any, BinaryIO

_CONTAINERS = (b"moov", b"trak", b"mdia", b"minf", b"stbl", b"mvex", b"moof", b"traf")
_MAX_BOX = 1 << 31
TAIL_BYTES = 1 << 16  # the digest covers up to this many bytes before the splice point


class FragmentError(ValueError):
    """The stream is not a fragmented MP4 this module can splice (or is cut short)."""


@dataclass(frozen=True)
class SplicePoint:
    """A file made of whole streams: ``size`` bytes, the next ``sequence`` number and ``decode_time``
    (track timescale), and the SHA-256 of the last ``TAIL_BYTES`` (or fewer) bytes before ``size``."""

    size: int = 0
    sequence: int = 1
    decode_time: int = 0
    tail_digest: str = hashlib.sha256(b"").hexdigest()

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> SplicePoint:
        try:
            return cls(int(data["size"]), int(data["sequence"]), int(data["decode_time"]), str(data["tail_digest"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise FragmentError(f"bad splice point {data!r}") from exc


def tail_digest(path: str | os.PathLike, size: int) -> str | None:
    """The digest a SplicePoint of ``size`` bytes records, for the file at ``path`` (None if it is shorter)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            if handle.tell() < size:
                return None
            start = max(0, size - TAIL_BYTES)
            handle.seek(start)
            return hashlib.sha256(handle.read(size - start)).hexdigest()
    except OSError:
        return None


def read_box(stream: BinaryIO) -> bytes | None:
    """The next whole top-level box (header included); None at a clean end. FragmentError if cut short."""
    header = stream.read(8)
    if not header:
        return None
    if len(header) < 8:
        raise FragmentError("the stream ends inside a box header")
    size = struct.unpack(">I", header[:4])[0]
    if size == 1:
        extended = stream.read(8)
        if len(extended) < 8:
            raise FragmentError("the stream ends inside a box header")
        size = struct.unpack(">Q", extended)[0]
        header += extended
    if size < len(header) or size > _MAX_BOX:
        raise FragmentError(f"box {header[4:8]!r} has an unusable size {size}")
    body = stream.read(size - len(header))
    if len(body) < size - len(header):
        raise FragmentError(f"the stream ends inside a {header[4:8].decode('latin-1')} box")
    return header + body


def _children(data: bytes | bytearray, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, offset, size) of the boxes in ``data[start:end]`` (32-bit sizes, as fragments use)."""
    boxes = []
    while start + 8 <= end:
        size, kind = struct.unpack(">I4s", data[start : start + 8])
        if size < 8 or start + size > end:
            raise FragmentError(f"box {kind!r} overruns its parent")
        boxes.append((kind, start, size))
        start += size
    return boxes


def _find(data: bytes | bytearray, path: tuple[bytes, ...], start: int = 0, end: int | None = None) -> list[int]:
    """Offsets of every box along ``path`` (each step among the previous box's children)."""
    end = len(data) if end is None else end
    found = []
    for kind, offset, size in _children(data, start, end):
        if kind != path[0]:
            continue
        if len(path) == 1:
            found.append(offset)
        elif kind in _CONTAINERS:
            found += _find(data, path[1:], offset + 8, offset + size)
    return found


def _u32(data: bytes | bytearray, offset: int) -> int:
    return struct.unpack(">I", data[offset : offset + 4])[0]


def sample_description(moov: bytes) -> bytes:
    """The codec description (``stsd``) of the stream's single track: streams splice only when these agree."""
    found = _find(moov, (b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stsd"))
    if len(found) != 1:
        raise FragmentError(f"expected one video track, found {len(found)}")
    return moov[found[0] : found[0] + _u32(moov, found[0])]


def _default_duration(moov: bytes) -> int:
    found = _find(moov, (b"moov", b"mvex", b"trex"))
    return _u32(moov, found[0] + 20) if found else 0


class FragmentSplicer:
    """Appends whole fragmented-MP4 streams to ``handle`` (a file opened for writing, positioned at
    ``point.size``), as one continuous video; ``point`` says where the file stands (a new file: the default)."""

    def __init__(self, handle: BinaryIO, point: SplicePoint | None = None, *, tail: bytes = b"",
                 description: bytes | None = None) -> None:
        self.handle = handle
        self.point = point or SplicePoint()
        self._description = description
        self._tail = bytearray(tail[-TAIL_BYTES:])

    @classmethod
    def continuing(cls, path: str | os.PathLike, point: SplicePoint) -> FragmentSplicer:
        """A splicer appending to the file at ``path``, cut back to ``point`` (which its head must match)."""
        if tail_digest(path, point.size) != point.tail_digest:
            raise FragmentError(f"{os.fspath(path)} no longer holds the video the saved state describes")
        handle = open(path, "r+b")  # noqa: SIM115 - the splicer owns the handle; its writer closes it
        try:
            handle.truncate(point.size)
            description = None
            if point.size:
                for _ in range(2):
                    box = read_box(handle)
                    if box is not None and box[4:8] == b"moov":
                        description = sample_description(box)
            handle.seek(max(0, point.size - TAIL_BYTES))
            tail = handle.read(point.size - handle.tell())
            handle.seek(point.size)
        except BaseException:
            handle.close()
            raise
        return cls(handle, point, tail=tail, description=description)

    def append_stream(self, stream: BinaryIO) -> SplicePoint:
        """Copy one encoder's stream (read to its end) into the file; returns the new splice point.

        Each fragment is written whole as it arrives, so a reader of the file (or a process killed
        meanwhile) sees only whole fragments plus at most one cut short."""
        moov: bytes | None = None
        base_time, sequence, end_time = self.point.decode_time, self.point.sequence, self.point.decode_time
        pending_moof: bytearray | None = None
        first_stream = self.point.size == 0  # the file's header is this stream's
        while (box := read_box(stream)) is not None:
            kind = box[4:8]
            if kind == b"ftyp":
                if first_stream:
                    self._write(box)
            elif kind == b"moov":
                moov = box
                description = sample_description(box)
                if first_stream:
                    self._write(box)
                    self._description = description
                elif self._description is not None and description != self._description:
                    raise FragmentError("the encoder's codec description changed between parts of the video")
            elif kind == b"moof":
                if moov is None:
                    raise FragmentError("a fragment came before the stream's header")
                pending_moof = bytearray(box)
                sequence, fragment_end = self._renumber(pending_moof, sequence, base_time, _default_duration(moov))
                end_time = max(end_time, fragment_end)
            elif kind == b"mdat":
                if pending_moof is None:
                    raise FragmentError("media data without its fragment header")
                self._write(bytes(pending_moof) + box)
                pending_moof = None
                self.point = SplicePoint(self.point.size, sequence, end_time, self.point.tail_digest)
        if moov is None:
            raise FragmentError("the encoder wrote no video header")
        self.point = SplicePoint(self.point.size, sequence, end_time, hashlib.sha256(self._tail).hexdigest())
        return self.point

    def _write(self, data: bytes) -> None:
        self.handle.write(data)
        self.point = SplicePoint(self.point.size + len(data), self.point.sequence, self.point.decode_time,
                                 self.point.tail_digest)
        self._tail += data[-TAIL_BYTES:]
        del self._tail[:-TAIL_BYTES]

    @staticmethod
    def _renumber(moof: bytearray, sequence: int, base_time: int, default_duration: int) -> tuple[int, int]:
        """Give ``moof`` fragment number ``sequence`` and shift its start time by ``base_time``; returns the
        next number and the fragment's end time."""
        headers = _find(moof, (b"moof", b"mfhd"))
        if len(headers) != 1:
            raise FragmentError("a fragment without exactly one header")
        struct.pack_into(">I", moof, headers[0] + 12, sequence)
        end_time = base_time
        for traf in _find(moof, (b"moof", b"traf")):
            traf_end = traf + _u32(moof, traf)
            tfdt = _find(moof, (b"tfdt",), traf + 8, traf_end)
            tfhd = _find(moof, (b"tfhd",), traf + 8, traf_end)
            if len(tfdt) != 1 or len(tfhd) != 1:
                raise FragmentError("a track fragment without its start time")
            version = moof[tfdt[0] + 8]
            layout = ">Q" if version == 1 else ">I"
            start = struct.unpack_from(layout, moof, tfdt[0] + 12)[0] + base_time
            struct.pack_into(layout, moof, tfdt[0] + 12, start)
            duration = _track_fragment_duration(moof, tfhd[0], _find(moof, (b"trun",), traf + 8, traf_end),
                                                default_duration)
            end_time = max(end_time, start + duration)
        return sequence + 1, end_time


def _track_fragment_duration(moof: bytearray, tfhd: int, truns: list[int], default_duration: int) -> int:
    """The summed sample durations of one track fragment (per sample, or the header's default)."""
    flags = _u32(moof, tfhd + 8) & 0xFFFFFF
    offset = tfhd + 16  # after the track id
    offset += 8 if flags & 0x01 else 0
    offset += 4 if flags & 0x02 else 0
    if flags & 0x08:
        default_duration = _u32(moof, offset)
    total = 0
    for trun in truns:
        trun_flags = _u32(moof, trun + 8) & 0xFFFFFF
        count = _u32(moof, trun + 12)
        cursor = trun + 16 + (4 if trun_flags & 0x01 else 0) + (4 if trun_flags & 0x04 else 0)
        if not trun_flags & 0x100:
            total += count * default_duration
            continue
        stride = 4 * sum(1 for bit in (0x100, 0x200, 0x400, 0x800) if trun_flags & bit)
        for _ in range(count):
            total += _u32(moof, cursor)
            cursor += stride
    return total
