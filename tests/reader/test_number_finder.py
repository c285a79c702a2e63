from dataclasses import replace

import numpy as np
import pytest
from conftest import written

from digitocr import Reader
from digitocr.reader.number_finder import KEEP_FROM, LineContext, NumberFinder, misshapen
from digitocr.reader.prepare import prepare
from digitocr.reader.steps import line_width
from digitocr.results import Box, Digit
from digitocr.training.distractors import cursive_fragment


def read_as(label: int, width: int, height: int, x: int = 0) -> Digit:
    return Digit(label, 0.99, tuple(0.99 if i == label else 0.001 for i in range(10)), Box(x, 0, width, height), 0,
                 False)


def test_a_digits_shape_is_judged_against_the_digit_it_is_read_as():
    bar = (12, 60)  # a pen's upright stroke
    assert misshapen((read_as(1, *bar),)) < misshapen((read_as(7, *bar),))
    assert misshapen((read_as(1, *bar),)) < misshapen((read_as(1, 12, 20),))  # a short stroke is no '1''s shape
    assert misshapen((read_as(4, 36, 60),)) < misshapen((read_as(4, 120, 30),))  # nor a rule a '4''s


def digits_cover(reader, image: np.ndarray) -> tuple[str, float]:
    """What the image reads, and how much of its line's width the digits cover, as the number finder sees it."""
    reading = reader.read(image)
    [line] = reading.lines
    prepared = prepare(image, reader.settings)
    return reading.text, sum(d.box.width for d in line.digits) / line_width(prepared, prepared.lines[0].line,
                                                                           line.digits)


def test_a_number_spaced_a_digit_to_a_box_covers_its_line_as_fully_as_a_packed_one(reader):
    packed_text, packed_cover = digits_cover(reader, written("4096", gap=0))
    spaced_text, spaced_cover = digits_cover(reader, written("4096", gap=90))
    assert packed_text == spaced_text == "4096" and packed_cover > 0.8 and spaced_cover > 0.8


def test_a_number_covers_its_own_field_whatever_the_next_column_holds(reader):
    """A ledger's row number beside the next column's word, a printed column line between: the word's ink is the
    next field's, so the number finder weighs the number's line as all digits, as it weighs the number alone."""
    number = written("24", gap=0)
    height, width = number.shape[:2]
    word = cursive_fragment(70, np.random.default_rng(3))
    page = np.full((height, width + 60 + word.shape[1], 3), 235, np.uint8)
    page[:, :width] = number
    page[25:25 + word.shape[0], width + 40:width + 40 + word.shape[1]][word > 0] = 40
    ruled = page.copy()
    ruled[:, width + 20:width + 23] = 170  # the column line, printed lighter than the writing

    def cover(image: np.ndarray) -> float:
        prepared = prepare(image, reader.settings)
        digits = tuple(d for d in reader.read(image).lines[0].digits if d.box.x < width)
        return sum(d.box.width for d in digits) / line_width(prepared, prepared.lines[0].line, digits)

    assert cover(ruled) > 0.8 and cover(page) < 0.6  # the word's ink counted, the digits cover about half


@pytest.mark.parametrize("digits", [((6, 4, 24), (4, 30, 22)), ((7, 18, 22),), ((1, 5, 8), (4, 16, 20), (6, 38, 20))],
                         ids=["64", "7", "146"])
def test_a_number_that_fills_its_cell_to_the_crop_s_edges_is_kept(digits):
    """A clerk's tight crop of a cell runs the digits into its top and bottom, as a register crop's cut-off rows do;
    read surely, alone in the image, they are still the number."""
    height = 34
    line = tuple(read_as(label, width, height, x) for label, x, width in digits)
    width = line[-1].box.x + line[-1].box.width - line[0].box.x
    context = LineContext(line, -0.3, -10.0, 0, (64, height), float(height), 0, float(width))
    assert NumberFinder.load().part_of_number(context) >= KEEP_FROM


class LeaningFinder:
    """A number finder that gives every line the same chance of being part of the number."""

    def __init__(self, chance: float):
        self.chance = chance

    def part_of_number(self, line: LineContext) -> float:
        return self.chance


@pytest.mark.parametrize("chance, text", [(0.4, "24"), (0.2, "")])
def test_where_no_line_is_kept_the_likeliest_is_read_unless_the_finder_finds_it_clutter(reader, chance, text):
    """An image given to be read holds a number: a line the finder merely leans against is read, and reviewed."""
    leaning = Reader(models=replace(reader.models, finder=LeaningFinder(chance)))
    reading = leaning.read(written("24", gap=0))
    assert reading.text == text and reading.needs_review
    assert reading.guessed == reading.to_dict()["guessed"] == bool(text)
    assert any(f"gives it {chance:.0%}" in note for note in reading.notes) == bool(text)
