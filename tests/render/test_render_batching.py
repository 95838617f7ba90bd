"""Batched generation in the render loop: which renders batch, call sizes, order, checkpoints on batch bounds."""

from __future__ import annotations

import numpy as np
from render_helpers import decode_frames, make_manifest

from lib_parseq.render import RenderSettings, render
from lib_parseq.render.batching import StoppableBatchBackend, checkpoint_interval


class MarkingBackend(StoppableBatchBackend):
    """Brightens each frame by its frame number (so order mistakes show) and records every call's frames."""

    def __init__(self, max_batch: int, stop_after: int | None = None) -> None:
        self.max_batch = max_batch
        self.calls: list[list[int]] = []
        self.stop_after = stop_after

    def generate_batch(self, images, params):
        self.calls.append([p.frame for p in params])
        if self.stop_after is not None and sum(map(len, self.calls)) >= self.stop_after:
            self.stop()
        return [np.clip(image.astype(int) + 10 * p.frame, 0, 255).astype(np.uint8)
                for image, p in zip(images, params, strict=True)]


def settings(folder, **extra) -> RenderSettings:
    return RenderSettings(output="out.mp4", output_dir=folder, crf=0, preset="ultrafast", **extra)


def test_vid2vid_frames_go_in_batches_and_come_out_in_order(tmp_path, test_video):
    video = test_video(frames=7, size="32x32")
    batched = MarkingBackend(3)
    render(make_manifest(7), settings(tmp_path / "b", save_frames=tmp_path / "b" / "frames"), batched,
           video_path=video)
    single = MarkingBackend(1)
    render(make_manifest(7), settings(tmp_path / "s"), single, video_path=video)
    assert batched.calls == [[0, 1, 2], [3, 4, 5], [6]]
    assert single.calls == [[f] for f in range(7)]
    _, with_batches = decode_frames(tmp_path / "b" / "out.mp4")
    _, one_by_one = decode_frames(tmp_path / "s" / "out.mp4")
    assert len(with_batches) == 7 and all(np.array_equal(a, b) for a, b in zip(with_batches, one_by_one, strict=True))


def test_frames_that_depend_on_earlier_outputs_are_not_batched(tmp_path, test_video):
    video = test_video(frames=4, size="32x32")
    blended = MarkingBackend(4)
    render(make_manifest(4, loopback_frames=2), settings(tmp_path / "a"), blended, video_path=video)
    coloured = MarkingBackend(4)
    render(make_manifest(4), settings(tmp_path / "c", cc_window_width=2), coloured, video_path=video)
    first_output = MarkingBackend(4)  # colour matched to the first output's histogram
    render(make_manifest(4), settings(tmp_path / "f", colour_source="first"), first_output, video_path=video)
    loopback = MarkingBackend(4)
    render(make_manifest(4), settings(tmp_path / "l"), loopback, init_image=np.zeros((32, 32, 3), np.uint8))
    assert blended.calls == coloured.calls == first_output.calls == loopback.calls == [[0], [1], [2], [3]]


def test_a_stopped_batched_render_resumes_with_the_same_batches(tmp_path, test_video):
    video = test_video(frames=8, size="32x32")
    first = MarkingBackend(3, stop_after=4)
    result = render(make_manifest(8), settings(tmp_path, checkpoint_every=1), first, video_path=video)
    assert result.interrupted and result.frames_written == 6 and first.calls == [[0, 1, 2], [3, 4, 5]]
    rest = MarkingBackend(3)
    render(make_manifest(8), settings(tmp_path, resume=True), rest, video_path=video)
    assert rest.calls == [[6, 7]]
    assert [checkpoint_interval(1, 3), checkpoint_interval(25, 4), checkpoint_interval(25, 1)] == [3, 28, 25]
