import cv2
import numpy as np

from conftest import enclosed_holes
from digitocr.training import pen_styles
from digitocr.training.pendigits import PenDigit, draw_strokes, scale_strokes


def pen_two() -> PenDigit:
    """A '2' as one pen path: the arc over the top, the descent to the bottom left, the base to the right."""
    arc = [(10 + 20 * np.cos(angle), 22 - 20 * np.sin(angle)) for angle in np.linspace(np.pi * 0.9, 0.0, 12)]
    path = np.array(arc + [(18, 50), (4, 78), (22, 78), (42, 78)], np.float32)
    return PenDigit(2, 1, (path,))


def drawn(digit: PenDigit) -> np.ndarray:
    """The digit 80 pixels tall with a 3-pixel pen, 1 on ink."""
    canvas = np.zeros((110, 160), np.uint8)
    draw_strokes(canvas, scale_strokes(digit.strokes, 80, (40, 15)), 3)
    return (canvas >= 128).astype(np.uint8)


def test_a_plain_pen_two_has_no_hole():
    assert enclosed_holes(drawn(pen_two())) == []


def hole_height(digit: PenDigit) -> float | None:
    """Where the digit's largest hole sits, from 0 at its ink's top to 1 at its bottom; None where it has none."""
    ink = drawn(digit)
    holes = enclosed_holes(ink)
    if not holes:
        return None
    rows = np.nonzero(ink.any(axis=1))[0]
    return float((np.nonzero(max(holes, key=np.sum))[0].mean() - rows[0]) / (rows[-1] - rows[0]))


def test_a_looped_base_closes_a_loop_low_in_the_digit():
    for seed in range(20):
        height = hole_height(pen_styles.looped_base(pen_two(), np.random.default_rng(seed)))
        assert height is not None and height > 0.55, seed


def test_a_curled_start_closes_a_small_loop_where_the_pen_lands():
    first = pen_two().strokes[0][0]
    for seed in range(10):
        curled = pen_styles.curled_start(pen_two(), np.random.default_rng(seed))
        path = curled.strokes[0]
        assert np.allclose(path[0], first, atol=1e-3) and len(path) > len(pen_two().strokes[0])
        height = hole_height(curled)
        assert height is not None and height < 0.4, seed


def test_a_narrowed_digit_keeps_its_height_and_loses_width():
    two = pen_two()
    narrow = pen_styles.narrowed(two, np.random.default_rng(0))
    width, height = np.ptp(two.strokes[0], axis=0)
    narrow_width, narrow_height = np.ptp(narrow.strokes[0], axis=0)
    assert narrow_height == height and pen_styles.NARROWEST * width <= narrow_width < width


def test_a_path_with_no_turn_near_its_bottom_is_left_as_it_is():
    bar = PenDigit(2, 1, (np.array([(0, 0), (40, 0)], np.float32), np.array([(0, 10), (40, 10)], np.float32)))
    assert pen_styles.looped_base(bar, np.random.default_rng(0)) is bar


def test_resampling_spaces_points_evenly_along_the_path():
    path = pen_styles.resampled(np.array([(0, 0), (10, 0), (10, 30)], np.float32), 2.0)
    steps = np.hypot(*np.diff(path, axis=0).T)
    assert len(path) == 20 and np.allclose(steps[steps > 1.9], 2.0) and cv2.arcLength(path, False) > 37
