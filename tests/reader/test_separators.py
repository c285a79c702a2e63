import cv2
import numpy as np
from PIL import Image

from conftest import SAMPLES
from digitocr.results import Box, Digit, Line
from digitocr.reader.separators import Mark, line_separators

DOT = "a dot, comma or speck: much shorter than the digits"
DASH = "a dash or rule fragment: much shorter than the digits"


def digits_at(*lefts: int) -> list[Digit]:
    return [Digit(1, 0.99, (0.0,) * 10, Box(left, 100, 30, 50), 0, False) for left in lefts]


def test_a_low_mark_between_digits_is_a_point_or_a_comma():
    digits = digits_at(0, 50, 100)
    point = Mark(DOT, Box(37, 142, 6, 6))
    comma = Mark(DOT, Box(88, 140, 5, 16))
    separators = line_separators(digits, [point, comma])
    assert separators == ((1, "."), (2, ","))
    assert Line(tuple(digits), separators=separators).written == "1.1,1"


def test_a_dash_before_the_number_is_a_minus_and_marks_after_it_or_above_are_left_out():
    digits = digits_at(50, 100)
    marks = [Mark(DASH, Box(20, 123, 20, 4)), Mark(DOT, Box(140, 142, 6, 6)), Mark(DOT, Box(87, 95, 6, 6))]
    assert Line(tuple(digits), separators=line_separators(digits, marks)).written == "-11"


def test_a_comma_drawn_into_a_sample_is_written_but_is_no_digit(reader):
    canvas = np.asarray(Image.open(SAMPLES / "2026_canvas.png").convert("RGBA")).copy()
    first = reader.read(canvas)
    zero, two = first.digits[1].box, first.digits[2].box
    x = (zero.x + zero.width + two.x) // 2
    bottom = max(zero.y + zero.height, two.y + two.height)
    cv2.circle(canvas, (x, bottom - 6), 7, (0, 0, 0, 255), -1)
    cv2.line(canvas, (x + 3, bottom - 6), (x - 6, bottom + 16), (0, 0, 0, 255), 6)
    reading = reader.read(canvas)
    assert reading.text == "2026"
    assert reading.written == "20,26"
    assert reading.to_dict()["written"] == "20,26"
