"""A date's slashes: in '12/03/24' both readers read each '/' as a '1', and a person reads a date.

The line recognizer never learned a slash, and between digits a slash leans
as a slanted hand's '1' does: teaching the sign judge slashes at every mark
cost real '1's and digits at lines' ends (docs/history.md). A person tells
the two apart by the reading's shape first: two digits, a stroke, two
digits, a stroke, and the year in two digits or four. So the slash judge
(`SlashJudge.keras`, `networks.sign_judge`) is asked only where a line reads
as such a date with a '1' for each stroke (`slash_places`), and the two are
set aside only where it takes both for slashes: a date has two or none.
"""

import numpy as np

from ..image.lines import LineImage, line_column, mark_field
from ..networks.line_recognizer import FRAME_STEP
from ..networks.sign_judge import SignJudge
from ..results import Box, Digit

SLASH = "/"
DATE_SHAPES = ("DD/MM/YY", "DD/MM/YYYY")  # as a form's date field asks for it


def slash_places(labels: list[int]) -> tuple[int, int] | None:
    """Where a reading of a date parted by slashes holds the slashes read as '1's; None where it has no such shape."""
    for shape in DATE_SHAPES:
        first, second = (index for index, character in enumerate(shape) if character == SLASH)
        if len(labels) == len(shape) and labels[first] == labels[second] == 1:
            return first, second
    return None


def slash_fields(digits: list[Digit], places: tuple[int, int], line: LineImage, line_box: Box) -> np.ndarray:
    """The marks at `places` as the judge sees them (`lines.mark_field`); `line_box` is the line's place in the
    image's pixels, `line.box` at working size."""
    return np.stack([mark_field(line, line_box.width, digits[index].box.x - line_box.x,
                                digits[index].box.x + digits[index].box.width - line_box.x) for index in places])


def slashes_among(places: tuple[int, int], chances: np.ndarray, judge: SignJudge) -> list[tuple[int, float]]:
    """The two marks at `places`, each with its chance of being a slash, where the judge takes both for slashes;
    else none."""
    if min(chances) < judge.sign_from:
        return []
    return [(index, float(chance)) for index, chance in zip(places, chances)]


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
