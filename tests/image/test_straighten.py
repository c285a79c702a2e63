import cv2
import numpy as np

from conftest import binary_of, blank_page, draw_bar, draw_ring
from digitocr.image import straighten
from digitocr.image.components import Components


def tilt_of(ink: np.ndarray) -> float:
    """The tilt estimated as the pipeline does: on the small copy, with the marks' boxes at full size."""
    return straighten.estimate_tilt(straighten.small_ink(ink), Components.of(ink).stats[1:, :4])


def test_a_tilted_line_of_digits_is_levelled_and_a_level_one_left_alone():
    page = blank_page(200, 400)
    for x in (60, 140, 220, 300):
        draw_ring(page, (x, 100), (22, 34))
    ink = binary_of(page)
    assert tilt_of(ink) == 0.0
    matrix, size = straighten._sheared(ink.shape, 9.0, 0.0)  # the line climbs 9 degrees
    tilted = cv2.warpAffine(ink, matrix, size, flags=cv2.INTER_NEAREST)
    tilt = tilt_of(tilted)
    assert abs(tilt + 9.0) <= 1.5
    level, straightening = straighten.straighten(tilted, tilt, 0.0)
    rows = np.nonzero(level.sum(axis=1))[0]
    assert rows[-1] - rows[0] < 1.3 * 72  # about one ring's height again
    x, y, width, height = straightening.box_before(0, int(rows[0]), level.shape[1], int(rows[-1] - rows[0]))
    assert x <= 30 and x + width >= 330  # the levelled line's box maps back around the tilted ink


def test_a_line_photographed_far_askew_is_turned_level():
    page = blank_page(200, 500)
    for x in (60, 160, 260, 360):
        draw_ring(page, (x, 100), (22, 34))
    ink = binary_of(page)
    matrix, size = straighten._sheared(ink.shape, 25.0, 0.0)  # the whole line turned, rings and all
    tilt = tilt_of(cv2.warpAffine(ink, matrix, size, flags=cv2.INTER_NEAREST))
    assert abs(tilt + 25.0) <= 1.5


def test_a_page_of_lines_photographed_askew_is_turned_level_by_its_marks_at_full_size():
    page = blank_page(560, 900)
    for row, count in enumerate((7, 4, 6)):
        for digit in range(count):
            draw_ring(page, (150 + 64 * digit + 40 * row, 140 + 120 * row), (20, 34))
    ink = binary_of(page)
    matrix, size = straighten._sheared(ink.shape, -25.0, 0.0)
    tilted = cv2.warpAffine(ink, matrix, size, flags=cv2.INTER_NEAREST)
    assert abs(tilt_of(tilted) - 25.0) <= 2.5


def test_a_lone_flagged_one_is_not_laid_flat():
    page = blank_page(200, 200)
    draw_bar(page, 110, 30, 10, 140)
    cv2.line(page, (110, 32), (60, 80), 20, 10)  # a long flag
    assert tilt_of(binary_of(page)) == 0.0


def test_slanted_strokes_are_sheared_upright_and_upright_ones_left_alone():
    page = blank_page(200, 500)
    for x in (80, 180, 280, 380):
        draw_bar(page, x, 40, 10, 120)
    ink = binary_of(page)
    assert straighten.estimate_slant(straighten.small_ink(ink)) == 0.0
    for slant in (0.5, -0.3):
        italic, _ = straighten.straighten(ink, 0.0, slant)
        assert abs(straighten.estimate_slant(straighten.small_ink(italic)) + slant) <= 0.1
