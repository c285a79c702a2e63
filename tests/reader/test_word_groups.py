from dataclasses import replace

import cv2
import numpy as np
import pytest
from conftest import written

from digitocr import Reader
from digitocr.image.lines import LineImage
from digitocr.reader.word_groups import KEEP_FROM, WordGroupJudge, field_of, parted_in_ink, set_aside, word_groups
from digitocr.results import Box, Digit
from digitocr.training.distractors import cursive_fragment


NO_COLUMN_LINES = np.zeros((0, 4))
TALL = 200  # pixels: an image whose top and bottom edges cut no digit


def digit_at(label: int, x: int, width: int = 30, height: int = 50) -> Digit:
    return Digit(label, 0.99, tuple(0.99 if i == label else 0.001 for i in range(10)), Box(x, 10, width, height), 0,
                 False)


def test_digits_part_into_groups_only_at_spaces_wider_than_half_their_height():
    packed = [digit_at(4, 0), digit_at(0, 34), digit_at(9, 68)]  # 4 pixels apart, digits 50 tall
    spaced = [digit_at(1, 0), digit_at(5, 60), digit_at(0, 94), digit_at(0, 160)]  # 30 and 36 pixels apart
    assert word_groups(packed, NO_COLUMN_LINES, TALL) == [[0, 1, 2]]
    assert word_groups(spaced, NO_COLUMN_LINES, TALL) == [[0], [1, 2], [3]]
    backwards = list(reversed(spaced))
    assert word_groups(backwards, NO_COLUMN_LINES, TALL) == [[3], [2, 1], [0]]  # left to right, in any order given


def test_digits_whose_boxes_touch_part_where_their_ink_holds_a_word_space():
    """Boxes as the recognizer's frames may give them, each reaching to the next; the ink of the first two stands
    30 pixels (0.6 of the digits' height) from the last two's."""
    boxes = [digit_at(4, 0, 40), digit_at(0, 40, 60), digit_at(9, 100, 40), digit_at(6, 140, 40)]
    tone = np.zeros((TALL, 200), np.uint8)
    for left in (5, 45, 105, 145):  # ink 30 wide: the second digit's ends at 75, the third's begins at 105
        cv2.ellipse(tone, (left + 15, 35), (13, 23), 0, 0, 360, 200, 4)
    line = LineImage(0, (0, 0, 200, TALL), np.zeros((32, 32), np.float32))
    groups = word_groups(boxes, NO_COLUMN_LINES, TALL)
    assert groups == [[0, 1, 2, 3]]
    assert parted_in_ink(groups, boxes, tone, line, Box(0, 0, 200, TALL)) == [[0, 1], [2, 3]]
    joined = tone.copy()
    cv2.line(joined, (75, 35), (105, 35), 200, 4)  # the same digits run together
    assert parted_in_ink(groups, boxes, joined, line, Box(0, 0, 200, TALL)) == [[0, 1, 2, 3]]
    assert parted_in_ink(groups, boxes, None, line, Box(0, 0, 200, TALL)) == [[0, 1, 2, 3]]  # no tone kept


def test_a_column_line_in_the_space_between_two_digits_parts_them_however_close():
    packed = [digit_at(4, 0), digit_at(0, 34), digit_at(9, 68)]  # 4 pixels apart; their middle height is 35
    through_the_space = np.array([[66.0, 0, 65, 80]])
    assert word_groups(packed, through_the_space, TALL) == [[0, 1], [2]]
    assert word_groups(packed, np.array([[50.0, 0, 50, 80]]), TALL) == [[0, 1, 2]]  # through a digit: not between
    assert word_groups(packed, np.array([[66.0, 40, 66, 80]]), TALL) == [[0, 1, 2]]  # ends below the digits' middle


def test_a_digit_hanging_off_the_line_the_others_share_is_a_group_of_its_own_however_close():
    line = [digit_at(4, 0), digit_at(2, 34), digit_at(2, 68)]  # rows 10 to 60
    below = replace(digit_at(8, 100, height=30), box=Box(100, 50, 30, 30))  # a third of it on the line: a cut piece
    dropped = replace(digit_at(9, 100), box=Box(100, 25, 30, 50))  # a tail that falls 15 pixels below: on the line
    assert word_groups(line + [below], NO_COLUMN_LINES, TALL) == [[0, 1, 2], [3]]
    assert word_groups(line + [dropped], NO_COLUMN_LINES, TALL) == [[0, 1, 2, 3]]
    askew = [replace(digit_at(label, 34 * place), box=Box(34 * place, 10 + 20 * place, 30, 50))
             for place, label in enumerate((2, 0, 2, 6))]  # a line climbing 30 degrees
    assert word_groups(askew, NO_COLUMN_LINES, TALL) == [[0, 1, 2, 3]]
    assert word_groups([below, line[0], line[1]], NO_COLUMN_LINES, TALL) == [[1, 2], [0]]
    beside = replace(below, box=Box(34, 50, 30, 30))
    assert word_groups([line[0], beside], NO_COLUMN_LINES, TALL) == [[0, 1]]  # two digits have no band to stand off


def test_a_mark_the_image_s_edge_cuts_is_held_to_the_line_s_digit_height_not_to_what_is_left_of_it():
    line = [digit_at(4, 0), digit_at(2, 34), digit_at(2, 68)]  # rows 10 to 60
    stub = replace(digit_at(0, 100, height=16), box=Box(100, 44, 30, 16))  # rows 44 to 60: all of it in the band
    assert word_groups(line + [stub], NO_COLUMN_LINES, TALL) == [[0, 1, 2, 3]]  # a small digit, wholly seen
    assert word_groups(line + [stub], NO_COLUMN_LINES, 60) == [[0, 1, 2], [3]]  # the top of the next row's digit
    cut_short = replace(digit_at(7, 100, height=44), box=Box(100, 16, 30, 44))  # a digit of the line the crop cut
    assert word_groups(line + [cut_short], NO_COLUMN_LINES, 60) == [[0, 1, 2, 3]]
    corner = replace(digit_at(6, 6), box=Box(6, 0, 25, 27))  # the foot of the row above's '6'
    falling = [replace(digit_at(label, box.x), box=box)
               for label, box in ((9, Box(39, 10, 33, 47)), (4, Box(75, 14, 30, 40)), (4, Box(99, 16, 36, 42)))]
    assert word_groups([corner] + falling, NO_COLUMN_LINES, 74) == [[0], [1, 2, 3]]  # it tilts no climb its way


def test_a_number_s_field_runs_between_the_nearest_column_lines_either_side_of_it():
    number = Box(100, 10, 60, 50)  # its middle height is 35
    lines = np.array([[20.0, 0, 20, 80], [60.0, 0, 60, 80], [180.0, 0, 180, 80], [300.0, 0, 300, 80],
                      [130.0, 0, 130, 80], [90.0, 40, 90, 80]])
    assert field_of(lines, number) == (60.0, 180.0)  # through the digits, or ending below their middle: no bound
    assert field_of(lines[:1], number) == (20.0, None) and field_of(NO_COLUMN_LINES, number) == (None, None)


def test_of_a_line_of_two_groups_both_judged_apart_only_the_less_likely_is_set_aside():
    assert set_aside([([0, 1], 0.3), ([2], 0.1)]) == [([2], 0.1)]
    assert set_aside([([0, 1], 0.9), ([2], 0.1)]) == [([2], 0.1)]
    assert set_aside([([0], 0.2), ([2], 0.4)]) == [([0], 0.2)]
    assert set_aside([([0], 0.7), ([2], 0.8)]) == []


def with_word_after(number: np.ndarray, seed: int) -> np.ndarray:
    """The page of `number` with the start of a word in cursive after it, a digit's height apart, as a crop of a
    register's row takes in the next column's writing."""
    height = 60
    word = cursive_fragment(height, np.random.default_rng(seed))
    above = max(0, word.shape[0] - 95)  # rows to add above the page for the word's tallest letters
    page = np.pad(number, ((above, 0), (0, word.shape[1] + height + 20), (0, 0)), constant_values=235)
    top, left = above + 95 - word.shape[0], number.shape[1] - 30 + height
    region = page[top:top + word.shape[0], left:left + word.shape[1]]
    region[word > 0] = 40
    return page


@pytest.fixture(scope="module")
def keeps_every_group() -> WordGroupJudge:
    return WordGroupJudge(np.zeros(len(WordGroupJudge.FEATURES)), 10.0)


def test_the_start_of_a_word_a_space_after_the_number_is_set_aside_and_said_so(reader):
    number = written("4096", gap=0)
    pages = [with_word_after(number, seed) for seed in range(12)]
    readings = [reader.read(page) for page in pages]
    assert sum(reading.text == "4096" for reading in readings) >= 10
    assert any("set aside as no part of the number (a word" in note for r in readings for note in r.notes)


def test_without_the_judge_a_words_loop_is_read_as_a_digit(reader, keeps_every_group):
    """The line recognizer reads most such words as nothing; the judge is what reads the rest right: keeping every
    group, the same reader takes a word's first loop for a zero after the number."""
    keeping_all = Reader(models=replace(reader.models, word_groups=keeps_every_group))
    number = written("4096", gap=0)
    texts = [keeping_all.read(with_word_after(number, seed)).text for seed in range(12)]
    assert "40960" in texts and sum(text == "4096" for text in texts) < 12


def test_a_number_written_a_digit_to_a_box_keeps_its_end_digits(reader):
    assert reader.read(written("4096", gap=90)).text == "4096"
    assert reader.read(written("1500", gap=70)).text == "1500"


def frames_reading(labels: list[int], frames: int = 12) -> np.ndarray:
    """Recognizer answers that read `labels`, one every other frame from the third, and the blank elsewhere."""
    answers = np.full((frames, 11), 0.002)
    answers[:, 10] = 0.98
    for index, label in enumerate(labels):
        answers[2 + 2 * index] = 0.002
        answers[2 + 2 * index, label] = 0.98
    return answers


def test_the_shipped_judge_keeps_a_sure_digit_a_space_away_and_sets_aside_small_marks_it_reads_nothing_in():
    from digitocr.reader.word_groups import EndGroup

    judge, rest = WordGroupJudge.load(), (digit_at(4, 0), digit_at(0, 34), digit_at(9, 68))
    sure_digit = EndGroup((digit_at(6, 130),), rest, frames_reading([6]), 30.0, (400, 80), (110, 160))
    small_loops = EndGroup((digit_at(0, 130, width=70, height=25),), rest, frames_reading([]), 80.0, (400, 80),
                           (110, 160))
    assert judge.part_of_number(sure_digit) >= KEEP_FROM > judge.part_of_number(small_loops)


def test_the_number_keeps_the_columns_between_the_groups_set_aside():
    from digitocr.reader.word_groups import EndGroup, columns_left

    def group_over(start: int, end: int) -> EndGroup:
        return EndGroup((digit_at(0, start),), (), frames_reading([]), 10.0, (400, 80), (start, end))

    assert columns_left([group_over(0, 40)], 200) == (40, 200)
    assert columns_left([group_over(150, 200)], 200) == (0, 150)
    assert columns_left([group_over(0, 40), group_over(150, 200)], 200) == (40, 150)
