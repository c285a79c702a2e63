"""Separators and signs as written: the ',' '.' and '-' between a line's digits, which are never digits.

Segmentation drops short marks before classifying (a dot, a comma, a dash);
here each dropped mark is placed against the line's digits. A mark in a gap
between two digits, low on the line, is a decimal or thousands separator: a
comma when it is taller than wide or hangs below the digits, else a point.
A dash at mid-height between digits or before the first one is a '-'.
Marks after the last digit, above the line or beside no digit are left out:
they are more often specks and border bits than writing.
"""

from dataclasses import dataclass

from ..image.orderstats import median
from ..results import Box, Digit

LOW_ON_LINE = 0.55  # a separator's centre lies below this share of the line's height
COMMA_ASPECT = 1.4  # a mark this much taller than wide is a comma
HANGS_BELOW = 0.12  # ...as is one reaching this far (of the digit height) below the digits
DASH_BAND = (0.25, 0.75)  # a dash's centre lies in this part of the line's height
LEADING_REACH = 1.2  # digit heights before the first digit a leading '-' may stand
INSIDE_MARGIN = 0.25  # of a digit's width: a mark this far inside its box is not in a gap
DASH_REASON = "a dash"  # the start of segmentation's reasons for dropping a dash...
POINT_REASONS = ("a dot, comma", "a comma or point")  # ...and a dot or comma


@dataclass(frozen=True)
class Mark:
    """A mark segmentation dropped as too short for a digit, with why."""

    reason: str
    box: Box


def _line_band(digits: list[Digit]) -> tuple[float, float, float]:
    tops = [d.box.y for d in digits]
    bottoms = [d.box.y + d.box.height for d in digits]
    return median(tops), median(bottoms), median(d.box.height for d in digits)


def separator_for(mark: Mark, top: float, bottom: float, digit_height: float) -> str:
    """',' '.' '-' or '' for a mark near a line whose digits span rows top..bottom."""
    box = mark.box
    centre = (box.y + box.height / 2 - top) / max(1.0, bottom - top)
    if mark.reason.startswith(DASH_REASON):
        return "-" if DASH_BAND[0] <= centre <= DASH_BAND[1] else ""
    if not mark.reason.startswith(POINT_REASONS) or centre < LOW_ON_LINE or centre > 1.5:
        return ""
    hangs = box.y + box.height > bottom + HANGS_BELOW * digit_height
    return "," if box.height > COMMA_ASPECT * box.width or hangs else "."


def line_separators(digits: list[Digit], marks: list[Mark]) -> tuple[tuple[int, str], ...]:
    """Where separators stand in a line: (index of the digit they precede, character), one per gap at most."""
    if not digits:
        return ()
    top, bottom, digit_height = _line_band(digits)
    found: dict[int, str] = {}
    for mark in marks:
        middle = mark.box.x + mark.box.width / 2
        before = next((index for index, digit in enumerate(digits) if middle < digit.box.x + digit.box.width / 2),
                      None)
        if before is None or before in found or _inside(middle, digits[before]) or \
                (before > 0 and _inside(middle, digits[before - 1])):
            continue
        if before == 0 and digits[0].box.x - middle > LEADING_REACH * digit_height:
            continue
        char = separator_for(mark, top, bottom, digit_height)
        if char and (before > 0 or char == "-"):
            found[before] = char
    return tuple(sorted(found.items()))


def _inside(x: float, digit: Digit) -> bool:
    """Well inside a digit's box: a mark there is part of the digit's space, not a gap."""
    margin = INSIDE_MARGIN * digit.box.width
    return digit.box.x + margin < x < digit.box.x + digit.box.width - margin

