"""The keyframe grid model: document keyframes ↔ editable text rows."""

from __future__ import annotations

import pytest

from lib_parseq.errors import DocumentError
from lib_parseq.ui import grid

KEYFRAMES = [
    {"frame": 0, "info": "start", "zoom": 1, "zoom_i": "L", "angle": 5, "strength": 0.6},
    {"frame": 30, "zoom": 1.5},
    {"frame": 60, "angle": 0, "angle_i": "sin(p=10)"},
]


def test_rows_show_value_and_interpolation_per_field():
    headers = grid.grid_headers(["zoom", "angle"])
    rows = grid.keyframes_to_rows(KEYFRAMES, ["zoom", "angle"])
    assert headers == ["frame", "info", "zoom", "zoom_i", "angle", "angle_i"]
    assert rows[0] == ["0", "start", "1", "L", "5", ""]
    assert rows[1] == ["30", "", "1.5", "", "", ""]
    assert rows[2] == ["60", "", "", "", "0", "sin(p=10)"]


def test_round_trip_keeps_hidden_fields_and_follows_a_moved_frame():
    headers = grid.grid_headers(["zoom"])
    rows = grid.keyframes_to_rows(KEYFRAMES, ["zoom"])
    rows[1][0] = "40"
    rows[1][2] = "2.25"
    rows[0][3] = "bez()"
    merged = grid.rows_to_keyframes(rows, headers, KEYFRAMES)
    assert merged[0] == {"frame": 0, "info": "start", "zoom": 1, "zoom_i": "bez()", "angle": 5, "strength": 0.6}
    assert merged[1] == {"frame": 40, "zoom": 2.25}
    assert merged[2]["angle_i"] == "sin(p=10)"


def test_blank_cells_remove_values_and_new_rows_become_keyframes():
    headers = grid.grid_headers(["zoom"])
    rows = grid.keyframes_to_rows(KEYFRAMES, ["zoom"])
    rows[0][2] = ""
    rows[0][3] = "  "
    rows.append(["90", "end", "3", ""])
    rows.append(["", "", "", ""])
    merged = grid.rows_to_keyframes(rows, headers, KEYFRAMES)
    assert "zoom" not in merged[0] and "zoom_i" not in merged[0]
    assert merged[3] == {"frame": 90, "info": "end", "zoom": 3}
    assert len(merged) == 4


def test_bad_value_names_field_and_frame():
    headers = grid.grid_headers(["zoom"])
    rows = [["0", "", "abc", ""], ["10", "", "1", ""]]
    with pytest.raises(DocumentError) as caught:
        grid.rows_to_keyframes(rows, headers, [])
    assert caught.value.field == "zoom" and caught.value.frame == 0
    assert "'abc'" in str(caught.value) and "zoom_i" in str(caught.value)


@pytest.mark.parametrize("frame", ["-1", "2.5", "x", ""])
def test_bad_frames_are_rejected(frame):
    with pytest.raises(DocumentError, match="row 2"):
        grid.rows_to_keyframes([["0", ""], [frame, "label"]], ["frame", "info"], [])


def test_duplicate_frames_name_both_rows():
    with pytest.raises(DocumentError, match="rows 1 and 2") as caught:
        grid.rows_to_keyframes([["5", ""], ["5", ""]], ["frame", "info"], [])
    assert caught.value.frame == 5


def test_add_remove_sort_and_last_frame():
    added = grid.add_keyframe(KEYFRAMES, 45, "drop")
    assert [k["frame"] for k in added] == [0, 30, 45, 60]
    assert added[2] == {"frame": 45, "info": "drop"}
    with pytest.raises(DocumentError, match="already a keyframe at frame 30"):
        grid.add_keyframe(KEYFRAMES, 30)
    removed = grid.remove_keyframe(added, 30)
    assert [k["frame"] for k in removed] == [0, 45, 60]
    with pytest.raises(DocumentError, match="no keyframe at frame 7"):
        grid.remove_keyframe(KEYFRAMES, 7)
    with pytest.raises(DocumentError, match="at least 2 keyframes"):
        grid.remove_keyframe(KEYFRAMES[:2], 0)
    shuffled = [KEYFRAMES[2], KEYFRAMES[0], KEYFRAMES[1]]
    assert [k["frame"] for k in grid.sort_keyframes(shuffled)] == [0, 30, 60]
    longer = grid.set_last_frame(shuffled, 200)
    assert [k["frame"] for k in longer] == [0, 30, 200] and longer[-1]["angle_i"] == "sin(p=10)"
    with pytest.raises(DocumentError, match="must come after"):
        grid.set_last_frame(KEYFRAMES, 30)


def test_numbers_display_without_trailing_zeros():
    assert grid.value_to_cell(2.0) == "2"
    assert grid.value_to_cell(0.1) == "0.1"
    assert grid.value_to_cell("") == ""
    assert grid.cell_to_number(" 3.50 ", field="z", frame=0, row=0) == 3.5
    assert grid.cell_to_number("4", field="z", frame=0, row=0) == 4
