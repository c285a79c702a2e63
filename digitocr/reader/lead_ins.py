"""A '1''s lead-in stroke written apart from it: many hands start a '1' with a stroke rising from the line to the
stem's tip, and where the pen lifts or the ink fades between the two, both readers see two '1's."""

from ..results import Digit

LEAD_IN_HEIGHT = 0.75  # a '1' at most this tall (of the '1' after it)...
LEAD_IN_LOW = 0.2  # ...starting at least this far (of that height) below the next one's top...
LEAD_IN_BELOW = 0.3  # ...ending no further than this below its foot...
LEAD_IN_WIDTH = 0.35  # ...at least this wide (of its own height), a slanted stroke, not an upright small '1'...
LEAD_IN_GAP = 0.2  # ...and reaching to within this (of the next one's height) of it is that '1's lead-in stroke


def lead_in_strokes(digits: list[Digit]) -> list[int]:
    """'1's that are the lead-in of the '1' after them: many hands start a '1' with a stroke rising from the
    line to the stem's tip, and where the pen lifts or the ink fades between the two, the stroke is a piece of
    its own that both readers take for another '1'. It is shorter than the stem, starts low, slants and ends
    at the stem; a small upright '1' or a comma hanging well below the line does not."""
    lead_ins = []
    for index, (stroke, stem) in enumerate(zip(digits, digits[1:])):
        low, tall = stroke.box, stem.box
        if (stroke.label == 1 and stem.label == 1 and low.height <= LEAD_IN_HEIGHT * tall.height
                and low.y >= tall.y + LEAD_IN_LOW * tall.height
                and low.y + low.height <= tall.y + tall.height + LEAD_IN_BELOW * tall.height
                and low.width >= LEAD_IN_WIDTH * low.height
                and low.x + low.width >= tall.x - LEAD_IN_GAP * tall.height):
            lead_ins.append(index)
    return lead_ins
