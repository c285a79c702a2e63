from digitocr.reader.number_finder import misshapen
from digitocr.results import Box, Digit


def read_as(label: int, width: int, height: int) -> Digit:
    return Digit(label, 0.99, tuple(0.99 if i == label else 0.001 for i in range(10)), Box(0, 0, width, height), 0,
                 False)


def test_a_digits_shape_is_judged_against_the_digit_it_is_read_as():
    bar = (12, 60)  # a pen's upright stroke
    assert misshapen((read_as(1, *bar),)) < misshapen((read_as(7, *bar),))
    assert misshapen((read_as(1, *bar),)) < misshapen((read_as(1, 12, 20),))  # a short stroke is no '1''s shape
    assert misshapen((read_as(4, 36, 60),)) < misshapen((read_as(4, 120, 30),))  # nor a rule a '4''s
