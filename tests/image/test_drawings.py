import cv2
import numpy as np

from digitocr.image.drawings import ends_on_side, shaped_like_one_digit, strokes_run_off


def drawing(*strokes) -> np.ndarray:
    """Dark strokes on a white field, as a canvas export is flattened; each stroke (x1, y1, x2, y2)."""
    page = np.full((200, 200, 3), 255, np.uint8)
    for x1, y1, x2, y2 in strokes:
        cv2.line(page, (x1, y1), (x2, y2), (0, 0, 0), 9)
    return page


def test_runs_of_ink_along_a_side_are_found_end_to_end():
    edge = np.zeros(20, bool)
    edge[2:5], edge[9:10] = True, True
    assert ends_on_side(edge) == [(2, 4), (9, 9)] and ends_on_side(np.zeros(5, bool)) == []


def test_a_stroke_that_leaves_the_canvas_at_its_side_and_comes_back_is_joined_along_the_side():
    page = drawing((-20, 60, 100, 30), (-20, 120, 100, 150), (100, 30, 100, 150))  # a loop whose left side is lost
    joined = strokes_run_off(page)
    assert joined is not None and (joined[60:120, 0] < 128).all()
    assert (joined[:, 1:] == page[:, 1:]).sum() > 0.95 * page[:, 1:].size  # nothing else is drawn


def test_a_drawing_within_its_canvas_or_with_one_end_off_it_is_left_as_it_is():
    assert strokes_run_off(drawing((50, 20, 50, 180))) is None
    assert strokes_run_off(drawing((-20, 100, 150, 100))) is None
    assert strokes_run_off(np.full((50, 50, 3), 255, np.uint8)) is None


def test_ends_far_apart_or_side_by_side_on_the_bottom_edge_are_not_taken_for_one_stroke():
    assert strokes_run_off(drawing((-20, 20, 60, 30), (-20, 180, 60, 170), (60, 30, 60, 40), (60, 160, 60, 170))) \
        is None
    assert strokes_run_off(drawing((40, 100, 40, 220), (90, 100, 90, 220))) is None  # two '1's run off the bottom


def test_a_drawing_no_wider_than_tall_may_be_one_digit_and_a_wide_one_not():
    assert shaped_like_one_digit(drawing((100, 20, 100, 180)))
    assert not shaped_like_one_digit(drawing((20, 100, 180, 100), (20, 80, 20, 120)))
    assert not shaped_like_one_digit(np.full((50, 50, 3), 255, np.uint8))  # nothing drawn
