"""A checkpoint is committed by its JSON alone: a render killed while writing the next one resumes from the
last committed checkpoint, whole (arrays, history and waiting colour histograms of that checkpoint)."""

from __future__ import annotations

import numpy as np
import pytest

from lib_parseq.frames.colour import ColourWindow
from lib_parseq.render import state as state_module
from lib_parseq.render.state import Checkpoint, load_checkpoint, save_checkpoint


def histogram(value: int) -> np.ndarray:
    return np.full((3, 256), value, np.int64)


def window_after(outputs: int) -> ColourWindow:
    """A slow window (rate 0.5, width 4) that has seen ``outputs`` outputs and matched frame ``outputs``."""
    window = ColourWindow(4, 0.5)
    for i in range(outputs):
        window.target(i)
        window.add(histogram(i + 1))
    window.target(outputs)
    return window


def checkpoint_at(frame: int) -> Checkpoint:
    window = window_after(frame)
    image = np.full((4, 4, 3), frame, np.uint8)
    return Checkpoint(frame, "fp", [image], window.state(), None, window.pending_snapshot())


@pytest.mark.parametrize("later", [12, 40])
def test_a_checkpoint_killed_before_its_json_leaves_the_previous_one_whole(tmp_path, monkeypatch, later):
    save_checkpoint(tmp_path, checkpoint_at(10))
    expected = load_checkpoint(tmp_path)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies after the arrays and the colour log, before the JSON

    monkeypatch.setattr(state_module, "write_text_atomic", killed)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(tmp_path, checkpoint_at(later))
    monkeypatch.undo()

    got = load_checkpoint(tmp_path)
    assert got.next_frame == 10
    assert np.array_equal(got.history[0], expected.history[0]) and int(got.history[0][0, 0, 0]) == 10
    assert set(got.colour) == set(expected.colour)
    for key in expected.colour:
        assert np.array_equal(got.colour[key], expected.colour[key]), key
    # The restored window continues exactly as the one that was saved.
    restored, original = ColourWindow(4, 0.5), window_after(10)
    restored.restore(got.colour)
    for i in range(10, 30):
        assert np.array_equal(restored.target(i), original.target(i))
        restored.add(histogram(i + 1))
        original.add(histogram(i + 1))


def test_committing_a_checkpoint_removes_the_files_of_earlier_ones(tmp_path):
    for frame in (5, 10, 40):
        save_checkpoint(tmp_path, checkpoint_at(frame))
    assert sorted(p.name for p in tmp_path.glob("checkpoint-*.npz")) == ["checkpoint-40.npz"]
    assert len(list(tmp_path.glob("colour-pending-*.i32"))) == 1
    assert load_checkpoint(tmp_path).next_frame == 40
