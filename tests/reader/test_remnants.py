from digitocr.reader.remnants import lead_in_strokes, side_remnant_lines
from digitocr.results import Box, Digit


def digit_at(label: int, x: int, y: int, width: int, height: int) -> Digit:
    return Digit(label, 0.99, tuple(0.99 if i == label else 0.001 for i in range(10)), Box(x, y, width, height), 0,
                 False)


def test_a_lone_mark_is_a_remnant_only_as_a_bar_or_in_a_corner_at_the_side():
    number = [digit_at(1, 10, 12, 8, 15), digit_at(8, 20, 12, 9, 15)]
    side_bar = [digit_at(1, 54, 8, 3, 15)]
    corner_mark = [digit_at(7, 50, 0, 8, 8)]
    middle_one = [digit_at(1, 28, 0, 3, 10)]
    side_five = [digit_at(5, 50, 10, 9, 15)]
    assert side_remnant_lines({0: side_bar, 1: number}, (60, 34)) == [0]
    assert side_remnant_lines({0: corner_mark, 1: number}, (60, 34)) == [0]
    assert side_remnant_lines({0: middle_one, 1: number}, (60, 34)) == []
    assert side_remnant_lines({0: number, 1: side_five}, (60, 34)) == []
    assert side_remnant_lines({0: side_bar, 1: corner_mark}, (60, 34)) == []


def test_a_short_slanted_one_low_against_the_next_ones_stem_is_its_lead_in_not_a_digit():
    stem, three = digit_at(1, 16, 6, 10, 16), digit_at(3, 27, 8, 13, 15)  # boxes as in a 60x34 table cell
    lead_in = digit_at(1, 10, 14, 7, 8)  # from the line up towards the stem, written apart from it
    assert lead_in_strokes([lead_in, stem, three]) == [0]
    assert lead_in_strokes([digit_at(3, 2, 8, 8, 15), lead_in, stem]) == [1]
    small_upright_one = digit_at(1, 12, 12, 2, 10)
    comma_hanging_below = digit_at(1, 11, 18, 5, 10)
    one_as_tall = digit_at(1, 6, 6, 8, 16)
    low_seven = digit_at(7, 10, 14, 7, 8)
    for mark in (small_upright_one, comma_hanging_below, one_as_tall, low_seven):
        assert lead_in_strokes([mark, stem, three]) == []
    assert lead_in_strokes([lead_in, three]) == []
    assert lead_in_strokes([digit_at(1, 0, 14, 7, 8), stem]) == []  # too far left to lead into it
