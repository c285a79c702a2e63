"""The reading while the steps after the networks shape it: each line's digits, and what each step decided."""

from dataclasses import dataclass, field

import numpy as np

from ..results import Digit
from .line_choice import LineVerdict

CONTOUR_READER = "contours"
LINE_RECOGNIZER = "line recognizer"


@dataclass(frozen=True)
class Draft:
    """Each step takes a draft and gives a new one; `lines` are keyed by the segmentation's line numbers."""

    lines: dict[int, list[Digit]]
    confidences: np.ndarray  # the classifier's top probability for every piece
    choices: list[tuple[list[list[int]], int]]  # per blob: its ways of cutting (piece indices) and the one chosen
    rejected: tuple[int, ...] = ()  # pieces left out because the classifier's answer was flat
    read_by: dict[int, str] = field(default_factory=dict)  # lines the line recognizer read; the rest by contours
    verdicts: tuple[LineVerdict, ...] = ()  # how each line's two readings were weighed
    no_number: dict[int, list[Digit]] = field(default_factory=dict)  # lines the recognizer finds no digit in
    not_number: dict[int, tuple[list[Digit], float | None]] = field(default_factory=dict)  # lines the finder set aside
    number_chances: dict[int, float] = field(default_factory=dict)  # how likely the finder found each kept line
    apart: tuple[tuple[tuple[Digit, ...], float], ...] = ()  # groups at a line's end set aside, with their chances
    struck: tuple[tuple[Digit, ...], ...] = ()  # groups at a line's end crossed out with one stroke: void
    signs: tuple[tuple[Digit, float], ...] = ()  # marks at a line's end set aside as signs, with their chances
    slashes: dict[int, tuple[tuple[Digit, float], ...]] = field(default_factory=dict)  # per line, a date's two
    # slashes set aside, with their chances
    groups: dict[int, list[list[int]]] = field(default_factory=dict)  # each line's groups a space apart, indices
    # into its digits (`word_groups`), as the strike step found them: the word-group step reads the same digits
    number_columns: dict[int, tuple[int, int]] = field(default_factory=dict)  # image columns left once end groups go
    notes: tuple[str, ...] = ()  # what the reading tells its user
    guessed: bool = False  # no line looked more likely than not to be the number: the likeliest was read
