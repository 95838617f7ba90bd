"""What survives an interrupted render: a lossless copy of every written frame and periodic checkpoints.

The work folder sits beside the video (``.NAME.parseq/``). ``FrameStore`` writes each frame as a PNG from a
background thread (atomically: temporary name, then rename), so the video can be rebuilt if the encoder
dies and re-encoded whole on resume. A checkpoint holds the few things the pipeline carries from frame to
frame — the recent outputs the blend and loopback need and the colour window's histograms — plus a
fingerprint of the manifest and settings, so ``--resume`` continues exactly where the checkpoint was taken.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import queue
import shutil
import threading
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from lib_parseq.atomic import write_bytes_atomic, write_text_atomic
from lib_parseq.errors import RenderError

CHECKPOINT_JSON = "checkpoint.json"
CHECKPOINT_ARRAYS = "checkpoint.npz"  # what the JSON names when it names no arrays file (older checkpoints)
# The colour window's waiting histograms (outputs not yet in the window), one int32 (3, 256) row each,
# appended at each checkpoint; the checkpoint JSON says which outputs the first row and the row count cover.
# Every file the JSON points at carries its own name (the arrays their next frame, the log its first output)
# and is never rewritten once a JSON names it, so a render killed at any instant leaves the last committed
# checkpoint whole: the JSON is the one commit point, and files it no longer names are removed after it.
_ROW_SHAPE = (3, 256)
_ROW_BYTES = 3 * 256 * 4
STATE_VERSION = 3


def arrays_name(next_frame: int) -> str:
    return f"checkpoint-{next_frame}.npz"


def colour_log_name(first: int) -> str:
    return f"colour-pending-{first}.i32"


def work_folder(video_path: Path) -> Path:
    """The hidden folder beside ``video_path`` that holds its resume state."""
    return video_path.with_name(f".{video_path.name}.parseq")


def frame_file(folder: Path, frame: int) -> Path:
    return folder / frame_name(frame)


def frame_name(frame: int) -> str:
    return f"frame_{frame:06d}.png"


def write_png(folder: str, name: str, image: np.ndarray) -> None:
    """Write an RGB image as PNG atomically; OSError on failure (disk full, permissions).

    Plain strings, not ``Path`` objects: pathlib interns every name it parses, which for one new name per
    frame grows the interpreter's interned-string table over a long render. OpenCV's default PNG settings
    (fast compression with its run-length strategy) on purpose: naming a compression level switches zlib to
    its default strategy, which costs about twice as much for the same decoded pixels.
    """
    path = os.path.join(folder, name)
    ok, encoded = cv2.imencode(".png", cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    if not ok:
        raise OSError(f"cannot encode {name} as PNG")
    write_bytes_atomic(path, encoded.tobytes())


def read_png(path: str | Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise RenderError(f"cannot read saved frame {path}")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


class FrameStore:
    """Saves frames as PNGs on a background thread; a failure is kept and raised by ``check()``."""

    def __init__(self, folder: Path, *, queue_size: int = 8) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._folder_text = str(folder)
        self._queue: queue.Queue[tuple[int, np.ndarray] | tuple[Path, Checkpoint] | None] = \
            queue.Queue(maxsize=queue_size)
        self._error: BaseException | None = None
        self._submitted = 0
        self._done = 0
        self._progress = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="parseq-frame-store", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                if self._error is None:
                    first, second = item
                    if isinstance(first, Path):
                        save_checkpoint(first, second)
                    else:
                        write_png(self._folder_text, frame_name(first), second)
            except BaseException as exc:  # noqa: BLE001 - reported to the render loop by check()
                self._error = exc
            finally:
                self._queue.task_done()
                if item is not None:
                    with self._progress:
                        self._done += 1
                        self._progress.notify_all()

    def path(self, frame: int) -> Path:
        return frame_file(self.folder, frame)

    def check(self) -> None:
        if self._error is not None:
            error = self._error
            detail = getattr(error, "strerror", None) or str(error)
            raise RenderError(f"cannot save frames in {self.folder}: {detail}") from error

    def submit(self, frame: int, image: np.ndarray) -> None:
        self.check()
        self._queue.put((frame, image))
        self._submitted += 1

    def submit_checkpoint(self, folder: Path, checkpoint: Checkpoint) -> int:
        """Save ``checkpoint`` in ``folder`` once every frame submitted before it is saved, without waiting:
        the render goes on while the frames and then the checkpoint are written, in that order. Returns
        the mark to pass to ``wait_for`` to know the checkpoint is on disk."""
        self.check()
        self._queue.put((folder, checkpoint))
        self._submitted += 1
        return self._submitted

    def wait_for(self, mark: int) -> None:
        """Wait until the first ``mark`` submissions are written; raise the failure if one failed."""
        with self._progress:
            self._progress.wait_for(lambda: self._done >= mark or not self._thread.is_alive())
        self.check()

    def flush(self) -> None:
        self._queue.join()
        self.check()

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()


def fingerprint(manifest_frames: Iterable[Mapping[str, Any]], settings: Mapping[str, Any]) -> str:
    """A hash of everything that decides the frames: the manifest's frames and the pipeline settings."""
    digest = hashlib.sha256()
    for entry in manifest_frames:
        digest.update(json.dumps(entry, sort_keys=True, default=str).encode())
    digest.update(json.dumps(settings, sort_keys=True, default=str).encode())
    return digest.hexdigest()


@dataclass
class Checkpoint:
    """The pipeline state before ``next_frame``: recent outputs (most recent first) and colour arrays."""

    next_frame: int
    fingerprint: str
    history: list[np.ndarray]
    colour: dict[str, np.ndarray]
    input_hist: np.ndarray | None
    colour_pending: Callable[[int], np.ndarray] | None = None  # ColourWindow.pending_snapshot(), when saving
    video: dict[str, Any] | None = None  # where the video ends at this checkpoint (segmented resume state)


def save_checkpoint(folder: Path, checkpoint: Checkpoint) -> None:
    """Write the checkpoint: its arrays and colour log first, then the JSON that names them (the commit)."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {f"colour_{k}": v for k, v in checkpoint.colour.items()}
    for i, image in enumerate(checkpoint.history):
        arrays[f"history_{i}"] = image
    if checkpoint.input_hist is not None:
        arrays["input_hist"] = checkpoint.input_hist
    arrays_file = arrays_name(checkpoint.next_frame)
    # Zipped in memory, then written: numpy leaves its zip writer open when a write fails part-way (a full
    # disk), and that writer's finaliser later raises "seek of closed file" wherever garbage collection runs.
    packed = io.BytesIO()
    np.savez(packed, **arrays)
    write_bytes_atomic(folder / arrays_file, packed.getvalue())
    colour_log = _append_colour_log(folder, checkpoint)
    meta = {"version": STATE_VERSION, "next_frame": checkpoint.next_frame, "fingerprint": checkpoint.fingerprint,
            "history": len(checkpoint.history), "arrays": arrays_file, "colour_log": colour_log}
    if checkpoint.video is not None:
        meta["video"] = checkpoint.video
    write_text_atomic(folder / CHECKPOINT_JSON, json.dumps(meta))
    _remove_unnamed(folder, keep={arrays_file, colour_log_name(colour_log[0])})


def _remove_unnamed(folder: Path, keep: set[str]) -> None:
    """Remove the arrays and colour logs of earlier checkpoints (the JSON no longer names them)."""
    for pattern in ("checkpoint-*.npz", "colour-pending-*.i32"):
        for path in folder.glob(pattern):
            if path.name not in keep:
                path.unlink(missing_ok=True)


def _committed_log(folder: Path) -> tuple[int, int]:
    """(first output, rows) of the colour log as the last saved checkpoint JSON records it; (0, 0) if none."""
    try:
        meta = json.loads((folder / CHECKPOINT_JSON).read_text())
        first, rows = (int(v) for v in meta["colour_log"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0, 0
    return first, rows


def _append_colour_log(folder: Path, checkpoint: Checkpoint) -> list[int]:
    """Bring the colour log up to the window's outputs; returns [first output, rows] for the JSON.

    Only rows added since the last checkpoint are written, appended after the rows the committed JSON
    counts (whatever an uncommitted checkpoint appended past them is cut first). Rows the window has consumed
    are dropped by starting a new log, named by its first output, once they outnumber the rows still
    waiting: the log stays O(waiting rows), the copying costs O(1) per frame on average, and the committed log
    is never touched.
    """
    counters = checkpoint.colour.get("counters")
    if checkpoint.colour_pending is None or counters is None:
        return [0, 0]
    end = int(counters[2])
    first, rows = _committed_log(folder)
    path = folder / colour_log_name(first)
    if not path.is_file() or path.stat().st_size < rows * _ROW_BYTES or not first <= end <= first + rows:
        first, rows = end, 0  # no usable log: start one at the window's end
        path = folder / colour_log_name(first)
    if end - first > first + rows - end:  # consumed rows outnumber waiting ones: a new log of the waiting
        waiting = _read_log_rows(path, end - first, first + rows - end)
        first, rows = end, first + rows - end
        path = folder / colour_log_name(first)
        write_bytes_atomic(path, waiting.astype(np.int32).tobytes())
    with open(path, "r+b" if path.is_file() else "wb") as handle:
        handle.truncate(rows * _ROW_BYTES)  # drop rows of a checkpoint that was never committed
    new_rows = checkpoint.colour_pending(first + rows)
    with open(path, "ab") as handle:
        handle.write(np.ascontiguousarray(new_rows, dtype=np.int32).tobytes())
        handle.flush()
        os.fsync(handle.fileno())
    return [first, rows + len(new_rows)]


def _read_log_rows(path: Path, skip: int, count: int) -> np.ndarray:
    data = np.fromfile(path, dtype=np.int32, count=count * _ROW_SHAPE[0] * _ROW_SHAPE[1],
                       offset=skip * _ROW_BYTES)
    if data.size != count * _ROW_SHAPE[0] * _ROW_SHAPE[1]:
        raise ValueError(f"{path.name} holds fewer histograms than the checkpoint records")
    return data.reshape(count, *_ROW_SHAPE)


def load_checkpoint(folder: Path) -> Checkpoint:
    """Read the checkpoint in ``folder`` (RenderError if there is none or it is damaged)."""
    meta_path = folder / CHECKPOINT_JSON
    if not meta_path.is_file():
        raise RenderError(f"nothing to resume: no saved render state in {folder}")
    try:
        meta = json.loads(meta_path.read_text())
        arrays_file = str(meta.get("arrays", CHECKPOINT_ARRAYS))
        if Path(arrays_file).name != arrays_file:
            raise ValueError(f"arrays file {arrays_file!r} is not a plain name")
        with np.load(folder / arrays_file) as data:
            arrays = {key: data[key] for key in data.files}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise RenderError(f"the saved render state in {folder} is damaged ({exc or type(exc).__name__}); "
                          "start again with --overwrite") from exc
    if meta.get("version") != STATE_VERSION:
        raise RenderError(f"the saved render state in {folder} is from another version")
    colour = {key[len("colour_"):]: value for key, value in arrays.items() if key.startswith("colour_")}
    if "counters" in colour:
        added, end = (int(colour["counters"][i]) for i in (0, 2))
        first, rows = (int(v) for v in meta.get("colour_log", (0, 0)))
        try:
            colour["pending"] = (_read_log_rows(folder / colour_log_name(first), end - first, added - end) if added > end
                                 else np.zeros((0, *_ROW_SHAPE), np.int32))
        except (OSError, ValueError) as exc:
            raise RenderError(f"the saved render state in {folder} is damaged ({exc}); "
                              "start again with --overwrite") from exc
        if not first <= end <= added <= first + rows:
            raise RenderError(f"the saved render state in {folder} is damaged (colour histograms missing); "
                              "start again with --overwrite")
    return Checkpoint(
        next_frame=int(meta["next_frame"]),
        fingerprint=str(meta["fingerprint"]),
        history=[arrays[f"history_{i}"] for i in range(int(meta["history"]))],
        colour=colour,
        input_hist=arrays.get("input_hist"),
        video=meta.get("video") if isinstance(meta.get("video"), dict) else None,
    )


def remove_work_folder(folder: Path) -> None:
    """Delete a finished render's state (checkpoint, and the cached frames kept there).

    Files are removed as the folder is scanned, never listed all at once (a render may leave 100,000 frames).
    """
    if folder.is_symlink() or not folder.is_dir():
        return
    for directory in (folder / "frames", folder):
        if not directory.is_dir() or directory.is_symlink():
            continue
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_file(follow_symlinks=False) or entry.is_symlink():
                    try:
                        os.unlink(entry.path)
                    except OSError:
                        pass
    shutil.rmtree(folder, ignore_errors=True)
