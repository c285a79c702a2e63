"""Where a line falls apart into groups spaced like words, whether the group at either end is part of the number.

A line is what lies side by side, and a crop often holds more than the number
beside it: the end of a word in cursive, a tick after the amount, the last
letter of a neighbouring column. A person sees such a group as apart from the
number: a space between, marks of another size or shape, strokes no digit is
made of, a form's column line between. Digits more than WORD_SPACE of their
height apart start a new group, by their boxes or by the line's ink between
their middles (`parted_in_ink`: the recognizer's frames place a digit's box
to a few pixels, and a box that reaches on closes a space a person sees),
and so does a digit beyond a column line,
however near (`Analysis.column_lines`); a digit hanging off the band the
line's digits share (a piece of the next row that the crop cut) is a group
of its own, however near; the first and the last group are each
weighed against the rest of the line by a logistic model of what a person
looks at: how strongly the line recognizer, on the group's own columns,
prefers reading nothing there; how sure the digits are; how many are bare
bars; the group's height and the space before it beside the rest; whether it
runs into the image's edge; its digits' shapes; how much of its inked width
they cover. A group under one half is set aside, and the debug view says so;
groups inside the line never are, for the number runs through them. The model
is fitted (`python -m digitocr.training.calibrate`) on scenes by the training
writers, of clutter beside numbers and of numbers written with wide spaces,
and ships as `WordGroups.json`.
"""

from dataclasses import dataclass
from typing import TypeVar

import cv2
import numpy as np

from ..image.lines import LineImage, inked_width, line_column
from ..image.orderstats import median
from ..image.segment import LINE_OVERLAP
from ..models import MODELS
from ..networks.ctc import log_likelihood
from ..networks.line_recognizer import FRAME_STEP
from ..results import Box, Digit
from .confidence import LogisticModel, digit_log_odds, text_likelihood
from .number_finder import EDGE, KEEP_FROM, digits_cover, median_height, misshapen, prefers_nothing, touching_edge

DEFAULT_GROUPS_PATH = MODELS / "WordGroups.json"
FEATURES = ("prefers_nothing", "mean_digit_log_odds", "ones_share", "height_beside_rest", "space_beside_rest",
            "touches_edge", "misshapen", "digits_cover")
WORD_SPACE = 0.5  # of the line's digit height: a wider space between two digits may be one between words
Group = TypeVar("Group")  # whatever a caller of `set_aside` keeps for each end group


@dataclass(frozen=True)
class EndGroup:
    """The first or last group of a line, with the rest of the line and what the recognizer said of its columns."""

    digits: tuple[Digit, ...]
    rest: tuple[Digit, ...]
    frames: np.ndarray  # the recognizer's answers for the group's own columns
    inked_width: float  # how far the group's marks run, in the image's pixels, its empty columns left out
    image_size: tuple[int, int]  # (width, height)
    columns: tuple[int, int]  # the columns of the line's image it holds, parted midway across its space: from, to


def group_features(group: EndGroup) -> np.ndarray:
    """The group's features, in the order of FEATURES."""
    labels = [digit.label for digit in group.digits]
    likelihood = float(text_likelihood(group.frames, group.digits))
    nothing = prefers_nothing(log_likelihood(group.frames, []), likelihood)
    height, rest_height = median_height(group.digits), median_height(group.rest)
    return np.array([nothing, float(np.mean(digit_log_odds(group.digits))), labels.count(1) / len(labels),
                     float(np.log(max(1.0, height) / max(1.0, rest_height))),
                     space_between(group.digits, group.rest) / max(1.0, rest_height),
                     touching_edge(group.digits, group.image_size),
                     misshapen(group.digits),
                     digits_cover(group.digits, group.inked_width)], np.float64)


def space_between(digits: tuple[Digit, ...], others: tuple[Digit, ...]) -> float:
    """The empty width between two groups side by side, in pixels."""
    first, second = sorted((Box.enclosing([d.box for d in digits]), Box.enclosing([d.box for d in others])),
                           key=lambda box: box.x)
    return float(max(0, second.x - (first.x + first.width)))


def word_groups(digits: list[Digit], column_lines: np.ndarray, image_height: int) -> list[list[int]]:
    """The digits' indices, left to right, in groups parted by spaces wider than WORD_SPACE of their height, or by a
    form's column line (`column_lines`, as `Analysis` keeps them), which parts one field from the next; a digit off
    the line (`off_the_line`, the image `image_height` pixels tall as the digits' boxes are) is a group of its own."""
    order = sorted(range(len(digits)), key=lambda index: digits[index].box.x)
    widest_space = WORD_SPACE * median_height(digits)
    apart = off_the_line(digits, image_height)
    groups, right, last = [], None, None
    for index in order:
        box = digits[index].box
        if right is None or box.x - right > widest_space or ruled_between(column_lines, right, box) or \
                apart[index] or apart[last]:
            groups.append([])
        groups[-1].append(index)
        right = box.x + box.width if right is None else max(right, box.x + box.width)
        last = index
    return groups


def parted_in_ink(groups: list[list[int]], digits: list[Digit], tone: np.ndarray | None, line: LineImage,
                  line_box: Box) -> list[list[int]]:
    """`groups` (as `word_groups` parts `digits`) parted again wherever the line's ink, between two neighbours'
    middles, holds a run of empty columns WORD_SPACE of the digits' height wide. A digit read by the line recognizer
    has the box its frames give, true to a few pixels, and one that reaches on towards the next closes a space a
    person sees in the ink. `tone` is the ink's tone at working size (`Analysis.tone`, None where it is not kept),
    `line.box` the line's place in it and `line_box` in the image's pixels, as the digits' boxes are."""
    if tone is None:
        return groups
    x, y, width, height = line.box
    _, ink = cv2.threshold(np.ascontiguousarray(tone[y:y + height, x:x + width]), 0, 255,
                           cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    inked = ink.any(axis=0)
    across = width / max(1, line_box.width)
    middles = [(digit.box.x - line_box.x + digit.box.width / 2) * across for digit in digits]
    widest_space = WORD_SPACE * median_height(digits) * height / max(1, line_box.height)
    parted = []
    for group in groups:
        parted.append(group[:1])
        for left, right in zip(group, group[1:]):
            if widest_gap(inked, middles[left], middles[right]) >= widest_space:
                parted.append([])
            parted[-1].append(right)
    return parted


def widest_gap(inked: np.ndarray, start: float, end: float) -> int:
    """The most empty columns side by side in `inked` (bool, whether each column holds ink) from column `start` to
    column `end`."""
    empty = ~inked[max(0, int(np.ceil(start))):max(0, int(end) + 1)]
    return int(np.diff(np.flatnonzero(np.concatenate(([True], ~empty, [True])))).max(initial=1) - 1)


def off_the_line(digits: list[Digit], image_height: int) -> list[bool]:
    """For each digit, whether it hangs off the line, as a piece of the row below that a crop cuts: less than
    LINE_OVERLAP of its height in the band the line's digits share, their median top to median bottom once their
    climb is taken out (`line_climb`, so a line photographed askew keeps its end digits). Where the image's top or
    bottom edge cuts a mark, the crop hid part of it: it is held to the line's digit height, not to what is left of
    it, and has no say in where the band lies while three whole digits do. A band needs three digits, and a climb
    four: the slope of two or three is as much their own misalignment as the line's, and with one of them off the
    line, no median holds."""
    if len(digits) < 3:
        return [False] * len(digits)
    middles = np.array([d.box.x + d.box.width / 2 for d in digits], np.float64)
    tops = np.array([d.box.y for d in digits], np.float64)
    seen = np.array([d.box.height for d in digits], np.float64)  # of a mark the crop cut, only what it left
    bottoms = tops + seen
    cut = (tops <= EDGE) | (bottoms >= image_height - EDGE)
    whole = ~cut if np.count_nonzero(~cut) >= 3 else np.ones(len(digits), bool)
    heights = np.where(cut, np.maximum(seen, median(seen[whole].tolist())), seen)
    climb = line_climb(middles[whole], (tops[whole] + bottoms[whole]) / 2) if np.count_nonzero(whole) >= 4 else 0.0
    level_tops, level_bottoms = tops - climb * middles, bottoms - climb * middles
    shared = np.minimum(median(level_bottoms[whole].tolist()), level_bottoms) - \
        np.maximum(median(level_tops[whole].tolist()), level_tops)
    return (shared < LINE_OVERLAP * heights).tolist()


def line_climb(xs: np.ndarray, ys: np.ndarray) -> float:
    """Rows per column the points climb, by the repeated median (each point's median slope to the others, and the
    median of those): it holds however far off a minority of the points lie. Two points one above the other say
    nothing of a climb: their slope counts as none."""
    dx, dy = xs[None, :] - xs[:, None], ys[None, :] - ys[:, None]
    slopes = np.divide(dy, dx, out=np.zeros(dx.shape), where=dx != 0)[~np.eye(len(xs), dtype=bool)]
    return median(median(row) for row in slopes.reshape(len(xs), -1).tolist())


def ruled_between(column_lines: np.ndarray, right: float, box: Box) -> bool:
    """Whether a column line runs down the space from `right` to `box` at the box's middle height."""
    at = column_lines_at(column_lines, box.y + box.height / 2)
    return bool(((right <= at) & (at <= box.x)).any())


def field_of(column_lines: np.ndarray, span: Box) -> tuple[float | None, float | None]:
    """Where the form's field that holds `span` begins and ends: the nearest column line either side of it at its
    middle height, None on a side with none."""
    at = column_lines_at(column_lines, span.y + span.height / 2)
    before, after = at[at <= span.x], at[at >= span.x + span.width]
    return float(before.max()) if len(before) else None, float(after.min()) if len(after) else None


def column_lines_at(column_lines: np.ndarray, height: float) -> np.ndarray:
    """Where the column lines that run down through `height` cross it."""
    if not len(column_lines):
        return np.zeros(0)
    x1, y1, x2, y2 = column_lines.T
    across = (y1 <= height) & (height <= y2)
    return (x1 + (x2 - x1) * (height - y1) / np.maximum(y2 - y1, 1e-9))[across]


def end_groups(digits: list[Digit], line: LineImage, line_box: Box, frames: np.ndarray,
               image_size: tuple[int, int], groups: list[list[int]]) -> list[tuple[list[int], EndGroup]]:
    """The line's first and last group of its `groups` (as `word_groups` parts `digits`, where it has two or more),
    each with its indices into `digits`. The recognizer's frames and the line's ink are parted midway across the
    space between groups: the recognizer sees a few columns either side of each frame, far fewer than a word
    space."""
    if len(groups) < 2:
        return []

    def parting(left: list[int], right: list[int]) -> int:
        return parting_column(line, line_box, [digits[i] for i in left], [digits[i] for i in right])

    ends = [(groups[0], 0, parting(groups[0], groups[1])),
            (groups[-1], parting(groups[-2], groups[-1]), line.image.shape[1])]
    return [(group, EndGroup(tuple(digits[i] for i in group), tuple(d for i, d in enumerate(digits) if i not in group),
                             frames_within(frames, start, end), inked_width(line, line_box.width, start, end),
                             image_size, (start, end)))
            for group, start, end in ends]


def parting_column(line: LineImage, line_box: Box, left: list[Digit], right: list[Digit]) -> int:
    """The column of the line's image (`line_box` its place in the image's pixels) midway across the space between
    the digits `left` and those `right` of them."""
    left_end = max(digit.box.x + digit.box.width for digit in left)
    return line_column(line, line_box.width, (left_end + min(digit.box.x for digit in right)) / 2 - line_box.x)


def frames_within(frames: np.ndarray, start: int, end: int) -> np.ndarray:
    """The recognizer's frames over columns `start` to `end` of its line's image, one frame at least."""
    first_frame = start // FRAME_STEP
    return frames[first_frame:max(first_frame + 1, -(-end // FRAME_STEP))]


def columns_left(apart: list[EndGroup], columns: int) -> tuple[int, int]:
    """The columns of a line's image, `columns` wide, left to the number once the end groups `apart` are set aside."""
    return (max((group.columns[1] for group in apart if group.columns[0] == 0), default=0),
            min((group.columns[0] for group in apart if group.columns[1] == columns), default=columns))


def set_aside(judged: list[tuple[Group, float]]) -> list[tuple[Group, float]]:
    """Of the end groups (whatever stands for each) and their chances, those under KEEP_FROM; of a line of two
    groups, never both: one of them is the number the line was kept for."""
    apart = [(indices, chance) for indices, chance in judged if chance < KEEP_FROM]
    return [min(judged, key=lambda pair: pair[1])] if apart and len(apart) == len(judged) else apart


class WordGroupJudge(LogisticModel):
    """P(part of the number), from an end group's `group_features`."""

    FEATURES = FEATURES
    DEFAULT_PATH = DEFAULT_GROUPS_PATH
    WHAT = "a word-group model"

    def part_of_number(self, group: EndGroup) -> float:
        return self.answer(group_features(group))
