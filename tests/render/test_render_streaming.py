"""Streamed batches (the Ray backend's way): several batches out at once, finishing out of order, written in order;
bounded, lazy, a lost batch run again, stop and resume exact. A fake worker pool stands in for Ray here."""

from __future__ import annotations

import numpy as np
import pytest
from render_helpers import decode_frames, make_manifest

from lib_parseq.render import RenderSettings, render
from lib_parseq.render.batching import StoppableBatchBackend
from lib_parseq.render.state import read_png
from lib_parseq.render.streaming import ChunkLost, run_in_order


def marked(images, params) -> list[np.ndarray]:
    """Each frame brightened by its frame number, so order mistakes show."""
    return [np.clip(image.astype(int) + 10 * p.frame, 0, 255).astype(np.uint8)
            for image, p in zip(images, params, strict=True)]


class OutOfOrderPool(StoppableBatchBackend):
    """A streaming backend whose latest submitted batch always finishes first; batches listed in ``lose`` lose
    their worker the first time they run. Records what it was handed and the most batches out at once."""

    def __init__(self, chunk: int, limit: int, *, lose: tuple[int, ...] = (), stop_after: int | None = None) -> None:
        self.max_batch = chunk
        self.limit = limit
        self.lose = set(lose)
        self.stop_after = stop_after
        self.submitted: list[list[int]] = []
        self.finished: list[list[int]] = []
        self.most_out = 0
        self._out: dict[int, tuple] = {}

    def generate_batch(self, images, params):
        return next(iter(self.generate_stream([(images, params)])))

    def generate_stream(self, batches):
        def submit(batch):
            self.submitted.append([p.frame for p in batch[1]])
            handle = len(self.submitted) - 1
            self._out[handle] = batch
            self.most_out = max(self.most_out, len(self._out))
            return handle

        def wait(handles):
            return [max(handles)]

        def collect(handle):
            images, params = self._out.pop(handle)
            first = params[0].frame
            if first in self.lose:
                self.lose.discard(first)
                raise ChunkLost
            self.finished.append([p.frame for p in params])
            if self.stop_after is not None and sum(map(len, self.finished)) >= self.stop_after:
                self.stop()
            return marked(images, params)

        return run_in_order(batches, submit, wait, collect, self.limit)


def settings(folder, **extra) -> RenderSettings:
    return RenderSettings(output="out.mp4", output_dir=folder, crf=0, preset="ultrafast",
                          save_frames=folder / "frames", **extra)


def saved(folder) -> list[np.ndarray]:
    return [read_png(path) for path in sorted((folder / "frames").glob("frame_*.png"))]


class OneAtATime(StoppableBatchBackend):
    max_batch = 1

    def generate_batch(self, images, params):
        return marked(images, params)


def test_batches_finishing_out_of_order_are_written_in_order(tmp_path, test_video):
    video = test_video(frames=10, size="32x32")
    pool = OutOfOrderPool(chunk=2, limit=3)
    render(make_manifest(10), settings(tmp_path / "pool"), pool, video_path=video)
    render(make_manifest(10), settings(tmp_path / "one"), OneAtATime(), video_path=video)
    assert pool.submitted == [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]
    assert pool.finished[:3] == [[4, 5], [2, 3], [0, 1]]  # the first three out at once, the latest first
    assert pool.most_out == 3
    _, streamed = decode_frames(tmp_path / "pool" / "out.mp4")
    _, reference = decode_frames(tmp_path / "one" / "out.mp4")
    assert len(streamed) == 10 and all(np.array_equal(a, b) for a, b in zip(streamed, reference, strict=True))


def test_a_lost_batch_runs_again_and_the_frames_are_unchanged(tmp_path, test_video):
    video = test_video(frames=8, size="32x32")
    pool = OutOfOrderPool(chunk=2, limit=2, lose=(2, 6))
    render(make_manifest(8), settings(tmp_path / "pool"), pool, video_path=video)
    render(make_manifest(8), settings(tmp_path / "one"), OneAtATime(), video_path=video)
    assert pool.submitted.count([2, 3]) == 2 and pool.submitted.count([6, 7]) == 2 and len(pool.submitted) == 6
    assert all(np.array_equal(a, b) for a, b in zip(saved(tmp_path / "pool"), saved(tmp_path / "one"), strict=True))


def test_a_stop_finishes_the_batches_out_then_resumes_to_the_same_video(tmp_path, test_video):
    video = test_video(frames=12, size="32x32")
    first = OutOfOrderPool(chunk=2, limit=3, stop_after=2)
    result = render(make_manifest(12), settings(tmp_path / "cut", checkpoint_every=1), first, video_path=video)
    # the stop came when the first batch back (frames 4-5) finished; the three batches out were written
    assert result.interrupted and result.frames_written == 6 and len(first.submitted) == 3
    rest = OutOfOrderPool(chunk=2, limit=3)
    render(make_manifest(12), settings(tmp_path / "cut", resume=True), rest, video_path=video)
    assert rest.submitted == [[6, 7], [8, 9], [10, 11]]
    render(make_manifest(12), settings(tmp_path / "full"), OutOfOrderPool(chunk=2, limit=3), video_path=video)
    assert (tmp_path / "cut" / "out.mp4").read_bytes() == (tmp_path / "full" / "out.mp4").read_bytes()


def test_a_frame_that_cannot_be_prepared_fails_after_the_batches_before_it_are_written(tmp_path, test_video,
                                                                                      monkeypatch):
    from lib_parseq.errors import RenderError
    from lib_parseq.render import batching

    real = batching.prepare_frame

    def fails_at_frame_5(plan, settings, state, frame, source):
        if frame == 5:
            raise RenderError("the motion at frame 5 cannot be applied: made up", frame=5)
        return real(plan, settings, state, frame, source)

    monkeypatch.setattr(batching, "prepare_frame", fails_at_frame_5)
    video = test_video(frames=8, size="32x32")
    pool = OutOfOrderPool(chunk=2, limit=4)
    with pytest.raises(RenderError, match="frame 5") as caught:
        render(make_manifest(8), settings(tmp_path), pool, video_path=video)
    assert pool.submitted == [[0, 1], [2, 3]]
    assert caught.value.result.frames_written == 4 and len(saved(tmp_path)) == 4


def test_run_in_order_pulls_lazily_and_refuses_a_limit_below_one():
    pulled = []

    def source():
        for index in range(6):
            pulled.append(index)
            yield index

    results = run_in_order(source(), submit=lambda c: c, wait=lambda handles: [min(handles)],
                           collect=lambda c: c * 10, limit=2)
    assert next(results) == 0 and pulled == [0, 1]
    assert list(results) == [10, 20, 30, 40, 50] and pulled == list(range(6))
    with pytest.raises(ValueError, match="at least 1"):
        next(run_in_order([1], lambda c: c, lambda h: h, lambda c: c, 0))
