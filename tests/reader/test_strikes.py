import cv2
import numpy as np
from conftest import written

from digitocr.image.lines import LineImage
from digitocr.reader.strikes import (SEARCH_HEIGHT, along_own_ink, at_search_height, fitted_to_ink,
                                     least_squares_line, struck_out)
from digitocr.reader.word_groups import word_groups
from digitocr.results import Box, Digit

LINE = LineImage(0, (0, 0, 400, 100), np.zeros((32, 128), np.float32))  # at working size as in the image
NO_COLUMN_LINES = np.zeros((0, 4))
DIGIT_LEFTS = (20, 80, 220, 280)  # two digits, a space, two more: 40 wide, 60 tall, rows 20 to 80
PACKED_LEFTS = (20, 80, 140, 200)  # four digits 20 pixels apart: one group, no space between any of them


def digits(lefts: tuple[int, ...] = DIGIT_LEFTS) -> list[Digit]:
    return [Digit(4, 0.99, (0.1,) * 10, Box(x, 20, 40, 60), 0, False) for x in lefts]


def tone_with(*strokes: tuple[int, int, int, int], lefts: tuple[int, ...] = DIGIT_LEFTS, ring: int = 5) -> np.ndarray:
    """A line's ink tone: a ring `ring` pixels thick for each digit, and the straight strokes (x1, y1, x2, y2) given,
    5 pixels thick."""
    tone = np.zeros((100, 400), np.uint8)
    for x in lefts:
        cv2.ellipse(tone, (x + 20, 50), (17, 27), 0, 0, 360, 200, ring)
    for x1, y1, x2, y2 in strokes:
        cv2.line(tone, (x1, y1), (x2, y2), 200, 5)
    return tone


def struck(tone: np.ndarray | None, lefts: tuple[int, ...] = DIGIT_LEFTS) -> list[int]:
    return struck_out(digits(lefts), word_groups(digits(lefts), NO_COLUMN_LINES, 100), tone, LINE, Box(0, 0, 400, 100))


def test_the_digits_one_straight_stroke_crosses_through_their_middle_at_an_end_of_the_line_are_struck_out():
    assert struck(tone_with((10, 55, 130, 45))) == [0, 1]
    assert struck(tone_with((10, 85, 130, 20))) == [0, 1]  # corner to corner
    assert struck(tone_with((210, 50, 330, 50))) == [2, 3]


def test_a_rule_through_every_digit_a_line_along_their_bottoms_and_a_digits_own_bar_strike_nothing():
    assert struck(tone_with((0, 50, 399, 50))) == []
    assert struck(tone_with((10, 78, 130, 78))) == []
    assert struck(tone_with((25, 50, 65, 50))) == []  # a crossed 7's bar
    assert struck(tone_with((0, 50, 88, 50))) == []  # one of two
    assert struck(None) == []  # a one-digit scan has no tone kept


def test_a_stroke_running_past_both_ends_of_the_first_digits_strikes_them_where_no_space_parts_them_from_the_rest():
    assert len(word_groups(digits(PACKED_LEFTS), NO_COLUMN_LINES, 100)) == 1
    assert struck(tone_with((8, 55, 128, 45), lefts=PACKED_LEFTS), PACKED_LEFTS) == [0, 1]
    assert struck(tone_with((158, 50, 250, 50), lefts=PACKED_LEFTS), PACKED_LEFTS) == []  # starts in the third digit
    assert struck(tone_with((8, 55, 150, 45), lefts=PACKED_LEFTS), PACKED_LEFTS) == []  # ends in the third


def test_a_stroke_whose_ends_the_first_digits_boxes_take_in_strikes_them_where_no_space_parts_them_from_the_rest():
    """The strike touches the digits, so their boxes reach out to its ends and half the pen's width past them."""
    boxes_to_the_ends = [Box(5, 20, 55, 60), Box(80, 20, 52, 60)] + [Box(x, 20, 40, 60) for x in PACKED_LEFTS[2:]]
    touching = [Digit(4, 0.99, (0.1,) * 10, box, 0, False) for box in boxes_to_the_ends]
    tone = tone_with((8, 55, 128, 45), lefts=PACKED_LEFTS)
    assert struck_out(touching, word_groups(touching, NO_COLUMN_LINES, 100), tone, LINE, Box(0, 0, 400, 100)) == [0, 1]


def test_a_stroke_that_begins_inside_the_first_digit_strikes_the_groups_it_crosses_where_a_space_parts_them_from_the_rest():
    """Two groups struck together: a space inside the void number is no reason to keep half of it."""
    lefts = (20, 70, 150, 200, 300, 350)
    assert [len(group) for group in word_groups(digits(lefts), NO_COLUMN_LINES, 100)] == [2, 2, 2]
    assert struck(tone_with((40, 50, 250, 50), lefts=lefts), lefts) == [0, 1, 2, 3]


def test_a_strike_through_bold_digits_that_runs_inside_their_strokes_for_most_of_its_course_strikes_them():
    assert struck(tone_with((10, 55, 130, 45), ring=16)) == [0, 1]  # thin along 42% of its course


def test_one_digit_crossed_with_no_space_before_the_rest_is_left_standing():
    """A flat '0' 80 pixels wide: its own straight side spans its box as a strike would."""
    wide_zero = [Digit(0, 0.99, (0.1,) * 10, Box(20, 20, 80, 60), 0, False)] + digits((120, 180, 240))
    tone = tone_with((20, 50, 100, 50), lefts=(120, 180, 240))
    assert struck_out(wide_zero, word_groups(wide_zero, NO_COLUMN_LINES, 100), tone, LINE, Box(0, 0, 400, 100)) == []


def test_a_stroke_is_followed_along_its_ink_to_where_the_pen_lifted():
    ink = np.zeros((100, 400), np.uint8)
    cv2.line(ink, (30, 60), (230, 40), 1, 3)
    x1, y1, x2, y2 = along_own_ink(ink > 0, (80, 55, 180, 45))
    assert abs(x1 - 30) <= 2 and abs(y1 - 60) <= 1 and abs(x2 - 230) <= 2 and abs(y2 - 40) <= 1
    assert along_own_ink(np.ones((100, 400), bool), (80, 50, 180, 50))[::2] == (0, 399)


def test_a_long_stroke_is_followed_to_its_end_once_its_course_is_laid_along_its_ink():
    """The transform's course is true to about a degree: over 300 pixels, 4 pixels off at the far end."""
    ink = np.zeros((100, 400), np.uint8)
    cv2.line(ink, (30, 60), (330, 50), 1, 3)
    drifting = (30, 60, 200, 52)
    assert along_own_ink(ink > 0, drifting)[2] < 300
    x1, y1, x2, y2 = fitted_to_ink(ink > 0, drifting)
    assert abs(y1 - 60) <= 1 and abs(y2 - (60 - 10 * (x2 - 30) / 300)) <= 1
    assert abs(along_own_ink(ink > 0, (x1, y1, x2, y2))[2] - 330) <= 2


def test_a_number_struck_out_and_written_again_reads_as_the_number_left_standing(reader):
    void, number = written("72", gap=-12), written("4096", gap=-12)
    page = np.hstack([void, np.full((120, 60, 3), 235, np.uint8), number])
    clean = reader.read(page)
    cv2.line(page, (15, 70), (void.shape[1] - 15, 58), (40, 40, 40), 6)
    struck = reader.read(page)
    assert clean.text == "724096" and struck.text == "4096"
    assert any("crossed out" in note for note in struck.notes) and not any("crossed out" in n for n in clean.notes)


def test_the_recognizer_weighs_the_number_on_its_own_columns_once_a_group_struck_out_goes():
    from digitocr.reader.steps import columns_apart

    first_two, last_two = digits()[:2], digits()[2:]  # boxes from x = 20 to 120, and from 220 to 320
    assert columns_apart(LINE, Box(0, 0, 400, 100), tuple(first_two), last_two) == (54, 128)  # parted at x = 170
    assert columns_apart(LINE, Box(0, 0, 400, 100), tuple(last_two), first_two) == (0, 54)


def test_a_stroke_is_fitted_as_numpy_fits_a_line():
    columns = np.arange(200, 291)
    middles = 0.3 * columns + np.random.default_rng(5).normal(0, 2, len(columns))
    assert np.allclose(least_squares_line(columns, middles), np.polyfit(columns, middles, 1), rtol=1e-9, atol=1e-9)


def test_digits_written_three_times_as_tall_are_searched_smaller_and_struck_as_the_same_line_written_small():
    factor = 3
    tall = [Digit(4, 0.99, (0.1,) * 10, Box(x * factor, 20 * factor, 40 * factor, 60 * factor), 0, False)
            for x in DIGIT_LEFTS]
    line_box = Box(0, 0, 400 * factor, 100 * factor)
    line = LineImage(0, (0, 0, line_box.width, line_box.height), LINE.image)
    for stroke, voided in (((10, 55, 130, 45), [0, 1]), ((0, 50, 399, 50), []), ((25, 50, 65, 50), [])):
        tone = cv2.resize(tone_with(stroke), None, fx=factor, fy=factor, interpolation=cv2.INTER_LINEAR)
        band, boxes = at_search_height(tone, np.array([box_of(d) for d in tall], np.float64))
        assert np.median(boxes[:, 3]) == SEARCH_HEIGHT and band.shape[0] == round(tone.shape[0] * SEARCH_HEIGHT / 180)
        assert struck_out(tall, word_groups(tall, NO_COLUMN_LINES, line_box.height), tone, line, line_box) == voided


def box_of(digit: Digit) -> tuple[int, int, int, int]:
    return digit.box.x, digit.box.y, digit.box.width, digit.box.height


def test_digits_struck_stand_apart_from_the_number_written_again_in_the_ink_where_their_boxes_touch():
    """The second digit's box reaches on towards the rest, as a box the recognizer's frames give may, so the boxes
    show no space between the groups; the ink does."""
    lefts = (20, 80, 170, 230)
    boxes = [Box(20, 20, 40, 60), Box(80, 20, 85, 60), Box(170, 20, 40, 60), Box(230, 20, 40, 60)]
    close = [Digit(4, 0.99, (0.1,) * 10, box, 0, False) for box in boxes]
    groups = word_groups(close, NO_COLUMN_LINES, 100)
    assert len(groups) == 1
    assert struck_out(close, groups, tone_with((10, 55, 112, 47), lefts=lefts), LINE, Box(0, 0, 400, 100)) == [0, 1]
    assert struck_out(close, groups, tone_with(lefts=lefts), LINE, Box(0, 0, 400, 100)) == []
