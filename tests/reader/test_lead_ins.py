from digitocr.reader.lead_ins import lead_in_strokes
from digitocr.results import Box, Digit


def digit_at(label: int, x: int, y: int, width: int, height: int) -> Digit:
    return Digit(label, 0.99, tuple(0.99 if i == label else 0.001 for i in range(10)), Box(x, y, width, height), 0,
                 False)


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
