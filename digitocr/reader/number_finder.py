"""Which lines are the number: a person takes the marks that are digit-sized, aligned and read with confidence,
and leaves the rest, wherever in the image it lies.

Each line the readers kept is described by what a person would look at: how
strongly the line recognizer prefers reading nothing there, how likely it
finds the line's text, how sure the classifier is of its digits, how many
digits there are and how many are bare bars ('1's), how tall the line is
beside the tallest, whether its marks run into the image's edge (a border,
a cut-off row), how far their shape is from a digit's, how many other lines
there are, how much of the line's ink was too flat to name, and how much of
the line's inked width its digits cover (a number's line is mostly its
digits, however widely spaced; a digit or two read among a band of noise or
a word is not), within the form's field that holds them (`steps.line_width`:
a column line either side ends it). A logistic model
maps these to the probability that the line is part of the number; a line
under one half is set aside, and the debug view says so. The model is
fitted (`python -m digitocr.training.calibrate`) on scenes of clutter by
training writers, not on the dev images, and ships as `NumberFinder.json`.
"""

from dataclasses import dataclass

import numpy as np

from ..image.orderstats import median
from ..models import MODELS
from ..results import Digit
from .confidence import LogisticModel, digit_log_odds

DEFAULT_FINDER_PATH = MODELS / "NumberFinder.json"
FEATURES = ("prefers_nothing", "text_log_likelihood", "mean_digit_log_odds", "digits", "ones_share", "height_share",
            "touches_edge", "misshapen", "other_lines", "flat_share", "digits_cover")
KEEP_FROM = 0.5  # a line at least this likely to be part of the number is kept
LIKELIEST_FROM = 0.25  # where no line is kept, the likeliest is from this: clutter only at odds of 3 to 1 against
MOST_EMPTY_LINES = 3  # beside its number a field's crop holds the rows cut off above and below and a border's bar
SMALLEST_LEGIBLE = 8  # pixels: marks shorter are no legible digits (Semeion's scans, the smallest read, are about 16)
MOST_PREFERENCE = 30.0  # nats either way: beyond this, the recognizer's preference says no more
EDGE = 1  # pixels: a box this near the image's border runs into it
TYPICAL_ASPECT = 0.6  # a handwritten digit is about this wide for its height
ONE_NARROWER = 0.5  # and a '1' about half as wide (MNIST's training digits: median 0.4 against 0.8 for the rest)


@dataclass(frozen=True)
class LineContext:
    """One line the readers kept, with what surrounds it."""

    digits: tuple[Digit, ...]
    text_likelihood: float | None  # log P(the line's text) under the recognizer; None where it did not read it
    nothing_likelihood: float | None  # log P(no digit at all) under the recognizer
    flat_pieces: int
    image_size: tuple[int, int]  # (width, height)
    tallest: float  # the median digit height of the image's tallest line
    other_lines: int
    width: float  # how far the line's marks run across the image, in its pixels


def median_height(digits: tuple[Digit, ...] | list[Digit]) -> float:
    return float(median([digit.box.height for digit in digits]))


def line_features(line: LineContext) -> np.ndarray:
    """The line's features, in the order of FEATURES (the line must hold a digit)."""
    labels = [digit.label for digit in line.digits]
    likelihood = line.text_likelihood or 0.0
    nothing = 0.0 if line.nothing_likelihood is None else prefers_nothing(line.nothing_likelihood, likelihood)
    return np.array([nothing, likelihood, float(np.mean(digit_log_odds(line.digits))), len(labels),
                     labels.count(1) / len(labels), median_height(line.digits) / max(1.0, line.tallest),
                     touching_edge(line.digits, line.image_size), misshapen(line.digits),
                     line.other_lines, line.flat_pieces / (line.flat_pieces + len(labels)),
                     digits_cover(line.digits, line.width)], np.float64)


def prefers_nothing(nothing_likelihood: float, text_likelihood: float) -> float:
    """How strongly, in nats, the recognizer prefers reading no digit to the text read, within MOST_PREFERENCE."""
    return float(np.clip(nothing_likelihood - text_likelihood, -MOST_PREFERENCE, MOST_PREFERENCE))


def digits_cover(digits: tuple[Digit, ...], inked_width: float) -> float:
    """The share of marks' inked width that the digits' boxes cover, at most 1."""
    return min(1.0, sum(d.box.width for d in digits) / max(1.0, inked_width))


def touching_edge(digits: tuple[Digit, ...], image_size: tuple[int, int]) -> float:
    """The share of the digits whose boxes run into the image's border (a border's bars, a row the crop cut)."""
    width, height = image_size
    return float(np.mean([d.box.x <= EDGE or d.box.y <= EDGE or d.box.x + d.box.width >= width - EDGE or
                          d.box.y + d.box.height >= height - EDGE for d in digits]))


def misshapen(digits: tuple[Digit, ...]) -> float:
    """How far, as a factor in logs, the digits' boxes are from the proportions of the digits they are read as: a
    rule or a line of specks read as one wide digit is far from them, and so is a short stroke read as a '1'."""
    return float(median([abs(np.log(d.box.width / max(1, d.box.height) / typical_aspect(d.label))) for d in digits]))


def typical_aspect(label: int) -> float:
    return TYPICAL_ASPECT * (ONE_NARROWER if label == 1 else 1.0)


class NumberFinder(LogisticModel):
    """P(part of the number), from a line's `line_features`."""

    FEATURES = FEATURES
    DEFAULT_PATH = DEFAULT_FINDER_PATH
    WHAT = "a number finder"

    def part_of_number(self, line: LineContext) -> float:
        """The probability that the line is part of the number."""
        return self.answer(line_features(line))
