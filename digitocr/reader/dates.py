"""A date's slashes: in '12/03/24' both readers read each '/' as a '1', and a person reads a date.

The line recognizer never learned a slash, and between digits a slash leans
as a slanted hand's '1' does: teaching the sign judge slashes at every mark
cost real '1's and digits at lines' ends (docs/history.md). A person tells
the two apart by the reading's shape first: the day, a stroke, the month, a
stroke, and the year, the day and month in one digit or two ('3/7/2024',
'03/07/24'), the year in two or four. So the slash judge (`SlashJudge.keras`,
`networks.sign_judge`) is asked only where a line reads as such a date with a
'1' for each stroke (`slash_places`), and the two are set aside only where it
takes both for slashes: a date has two or none. A reading of some lengths
has two such shapes, and the pair the judge is surer of counts.
"""

import numpy as np

from ..image.lines import LineImage, line_column, mark_field
from ..networks.line_recognizer import FRAME_STEP
from ..networks.sign_judge import SignJudge
from ..results import Box, Digit

SLASH = "/"
DATE_SHAPES = tuple(f"{day}/{month}/{year}" for year in ("YY", "YYYY") for month in ("MM", "M") for day in ("DD", "D"))
# as a date is written, its day and month in one digit or two ('3/7/24', '03/07/24')
SLASHES_BY_LENGTH = {length: [tuple(index for index, character in enumerate(shape) if character == SLASH)
                              for shape in DATE_SHAPES if len(shape) == length]
                     for length in {len(shape) for shape in DATE_SHAPES}}  # each shape's two slashes, by its length


def slash_places(labels: list[int]) -> list[tuple[int, int]]:
    """Where a reading of a date parted by slashes would hold the slashes read as '1's, for each date's shape it
    can have (one reading can have two: '3111124' is '3/11/24' or '31/1/24'); none where it has no such shape."""
    return [(first, second) for first, second in SLASHES_BY_LENGTH.get(len(labels), ())
            if labels[first] == labels[second] == 1]


def slash_fields(digits: list[Digit], places: tuple[int, int], line: LineImage, line_box: Box) -> np.ndarray:
    """The marks at `places` as the judge sees them (`lines.mark_field`); `line_box` is the line's place in the
    image's pixels, `line.box` at working size."""
    return np.stack([mark_field(line, line_box.width, digits[index].box.x - line_box.x,
                                digits[index].box.x + digits[index].box.width - line_box.x) for index in places])


def slashes_among(places: list[tuple[int, int]], chances: np.ndarray, judge: SignJudge) -> list[tuple[int, float]]:
    """The two marks of the date's shape the judge is surest of, each with its chance of being a slash, given the
    judge's `chances` (one row per pair of `places`), where it takes both for slashes; else none."""
    surest = int(np.argmax(chances.min(axis=1)))
    if chances[surest].min() < judge.sign_from:
        return []
    return [(index, float(chance)) for index, chance in zip(places[surest], chances[surest])]


def outside_slashes(frame_numbers: np.ndarray, slashes: list[Digit], line: LineImage, line_box: Box) -> np.ndarray:
    """Those of the recognizer's `frame_numbers` that lie over none of the slashes: its sureness of a date's digits
    is taken without the strokes it read as '1's, as a sign's or a word's columns are left out at a line's end."""
    for slash in slashes:
        start = line_column(line, line_box.width, slash.box.x - line_box.x) // FRAME_STEP
        end = -(-line_column(line, line_box.width, slash.box.x + slash.box.width - line_box.x) // FRAME_STEP)
        frame_numbers = frame_numbers[(frame_numbers < start) | (frame_numbers >= end)]
    return frame_numbers


def slash_separators(kept: list[Digit], slashes: list[Digit]) -> tuple[tuple[int, str], ...]:
    """Each slash set aside as a separator of the `kept` digits: (index of the digit it precedes, '/')."""
    return tuple((sum(digit.box.x < slash.box.x for digit in kept), SLASH) for slash in slashes)
