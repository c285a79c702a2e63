"""Steps that leave out what is not the number: a '1''s lead-in stroke written apart from it, lines that are only
a border's remnant, and a reading that is noise, not writing."""

from ..image.orderstats import median
from ..image.segment import LONE_BAR_SIDE, LONE_BAR_WIDTH
from ..results import Digit

STRAY_BAR_HEIGHT = 0.7  # a line of lone '1's shorter than this share of the tallest line's digits is a remnant
EDGE_TOUCH = 0.03  # a box this near (of the image's height) its top or bottom touches it
LEAD_IN_HEIGHT = 0.75  # a '1' at most this tall (of the '1' after it)...
LEAD_IN_LOW = 0.2  # ...starting at least this far (of that height) below the next one's top...
LEAD_IN_BELOW = 0.3  # ...ending no further than this below its foot...
LEAD_IN_WIDTH = 0.35  # ...at least this wide (of its own height), a slanted stroke, not an upright small '1'...
LEAD_IN_GAP = 0.2  # ...and reaching to within this (of the next one's height) of it is that '1's lead-in stroke
NOISE_DIGITS = 30  # a reading of at least this many digits...
NOISE_DOUBTFUL_SHARE = 0.7  # ...this share of them doubtful is noise (random pixels 78-91%, dev numbers 7% on average)


def stray_bar_lines(lines: dict[int, list[Digit]]) -> list[int]:
    """Lines of nothing but '1's, shorter than the tallest line's digits: what is left of a cell's border or a
    rule beside the number, not a number of their own."""
    if len(lines) < 2:
        return []
    heights = {key: median(d.box.height for d in digits) for key, digits in lines.items()}
    tallest = max(heights.values())
    return [key for key, digits in lines.items()
            if all(d.label == 1 for d in digits) and heights[key] < STRAY_BAR_HEIGHT * tallest]


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


def side_remnant_lines(lines: dict[int, list[Digit]], image_size: tuple[int, int]) -> list[int]:
    """One-mark lines at the image's left or right side, beside a line that is not one: a bare bar there is what
    is left of a cell's side border, and a mark that also touches the top or bottom is a corner where borders
    cross. A number's own line keeps its digits however near the side it is written."""
    width, height = image_size

    def is_remnant(digits: list[Digit]) -> bool:
        if len(digits) != 1:
            return False
        box = digits[0].box
        at_side = min(box.x, width - box.x - box.width) <= LONE_BAR_SIDE * width
        bare_bar = digits[0].label == 1 and box.width <= LONE_BAR_WIDTH * box.height
        in_corner = min(box.y, height - box.y - box.height) <= EDGE_TOUCH * height
        return at_side and (bare_bar or in_corner)

    remnants = [key for key, digits in lines.items() if is_remnant(digits)]
    return remnants if len(remnants) < len(lines) else []


def noise_note(lines: dict[int, list[Digit]]) -> str:
    """Why a reading is noise, not writing (empty where it is not): a great many marks, nearly all of them doubtful.

    Random pixels (sensor noise, a texture, a corrupt file that still decodes)
    make hundreds of blobs the classifier reads as shaky digits; handwriting
    gives few, and the classifier is sure of most of them.
    """
    digits = [digit for line in lines.values() for digit in line]
    doubtful = sum(digit.doubtful for digit in digits)
    if len(digits) < NOISE_DIGITS or doubtful < NOISE_DOUBTFUL_SHARE * len(digits):
        return ""
    return (f"This image looks like noise, not writing: {doubtful} of the {len(digits)} marks read as digits were "
            "doubtful, so none is reported.")
