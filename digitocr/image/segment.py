"""From a clean binary image to digit candidates, in reading order.

Connected components (outer contours) -> rings around other marks (a stamp,
a circling) set aside, what each holds a field of its own -> a digit size
estimated from the components themselves -> pieces of one broken digit
merged -> marks too small for a digit dropped (separators, specks) -> blobs
much wider than a digit cut at their thinnest columns and between the loops
they close -> lines grouped top to bottom, never across a ring -> left to
right within each line.
"""

from bisect import bisect_left
from dataclasses import dataclass, field

import numpy as np

from ..settings import ReaderSettings
from .components import Candidate, Components, encloses_a_hole, find_components, held_inside, typical_digit_height
from .cutting import Unit, ways_of_cutting
from .merging import merge_broken_pieces
from .orderstats import median

LINE_OVERLAP = 0.5  # a mark joins a line when it shares this much of its height with it
PAIR_GAP = 0.08  # neighbours this close (of their height)...
PAIR_WIDTH = 0.7  # ...and together no wider than this share of their height are also read as one digit
SEPARATOR_HEIGHT = 0.6  # a mark shorter than this share of its line, sitting low, is a comma or point
SHORTER_THAN_NEIGHBOURS = 0.7  # ...and shorter than this share of the marks either side of it
HANGING_HEIGHT = 0.75  # ...as is a lone mark this short hanging below a line, between its digits
HANGS_BELOW = 0.15  # a mark starting in the line's lower half and reaching this far (of its height) below it...
HANGING_COMMA_HEIGHT = 0.8  # ...is a comma if it is this short, even beside short neighbours, and either...
COMMA_WIDTH = 0.75  # ...this narrow (of its height), a quick stroke, or half of it below the line, a rounder one
HANGING_REASON = "a comma or point: short and low on its line"
MARKS_FRAMED = 2  # a loop around this many other marks frames them: it is no digit...
FRAMED_WORD = 0.2  # ...as does one around a single mark this share of its width wide, lying along a line
WORD_SHAPE = 2.0  # a mark at least this many times as wide as it is tall lies along a line: a rule, a dash, a word
RING_REASON = "a ring around other marks: a stamp's or a circling's, not a digit"


@dataclass
class Segmentation:
    labels: np.ndarray  # component label image, int32
    units: list["Unit"]  # kept blobs, in reading order, each with its ways of cutting
    dropped: list[Candidate] = field(default_factory=list)
    digit_height: float = 0.0
    capped: bool = False  # more components than the cap; only the largest were examined

    @property
    def digits(self) -> list[Candidate]:
        """The digits as geometry alone would cut them, in reading order."""
        return [piece for unit in self.units for piece in unit.options[unit.chosen]]


def why_not_a_digit(candidate: Candidate, digit_height: float, min_height: float) -> str:
    if candidate.height < min_height * digit_height:
        if candidate.width >= WORD_SHAPE * candidate.height:
            return "a dash or rule fragment: much shorter than the digits"
        return "a dot, comma or speck: much shorter than the digits"
    return ""


def group_lines(candidates: list[Candidate], framed: dict[int, int] | None = None) -> list[list[Candidate]]:
    """Lines top to bottom, each left to right; a mark joins the line whose span it shares most among those of its
    field: inside each ring the marks it holds (`framed`, see `rings_around_marks`), outside every ring the rest.
    Lines of different fields side by side are read left to right."""
    framed = framed or {}
    lines: list[list[Candidate]] = []
    spans: list[tuple[int, int, int]] = []
    tops, by_top = [], []  # the spans' tops in order, and which span each is: a page of noise has hundreds of lines
    for candidate in sorted(candidates, key=lambda c: c.height, reverse=True):
        its_field = framed.get(candidate.labels[0], -1)
        tallest = spans[0][1] - spans[0][0] if spans else 0
        near = by_top[bisect_left(tops, candidate.y - tallest):bisect_left(tops, candidate.bottom)]
        best = _line_joined(spans, near, candidate, its_field)
        if best >= 0:
            lines[best].append(candidate)
        else:
            lines.append([candidate])
            spans.append((candidate.y, candidate.bottom, its_field))
            at = bisect_left(tops, candidate.y)
            tops.insert(at, candidate.y)
            by_top.insert(at, len(spans) - 1)
    ordered = sorted(zip(lines, (line_field for _, _, line_field in spans)), key=lambda pair: median(
        c.y + c.height / 2 for c in pair[0]))
    for index in range(1, len(ordered)):
        while index and ordered[index - 1][1] > ordered[index][1] and \
                _height_shared(_rows(ordered[index - 1][0]), _rows(ordered[index][0])) >= LINE_OVERLAP:
            ordered[index - 1], ordered[index] = ordered[index], ordered[index - 1]
            index -= 1
    return [sorted(line, key=lambda c: c.x) for line, _ in ordered]


def _line_joined(spans: list[tuple[int, int, int]], near: list[int], candidate: Candidate, its_field: int) -> int:
    """The line (an index into `spans`, each its first mark's rows and field) of the candidate's field whose span it
    shares most, the first such where two share as much, where that is LINE_OVERLAP of the shorter or more; else -1.
    Only the spans `near` it are weighed: one that starts below its bottom, or above its top by more than the
    tallest span's height (the first span's, as marks come tallest first), shares none of its rows."""
    best, best_share = -1, 0.0
    for index in near:
        top, bottom, line_field = spans[index]
        share = _height_shared((top, bottom), (candidate.y, candidate.bottom))
        if line_field == its_field and (share > best_share or (share == best_share > 0 and index < best)):
            best, best_share = index, share
    return best if best_share >= LINE_OVERLAP else -1


def _rows(line: list[Candidate]) -> tuple[int, int]:
    return min(c.y for c in line), max(c.bottom for c in line)


def _height_shared(span: tuple[int, int], other: tuple[int, int]) -> float:
    """The share of the shorter of two row spans (top, bottom) that both cover: one line's, where it is high."""
    shared = min(span[1], other[1]) - max(span[0], other[0])
    return shared / max(1, min(span[1] - span[0], other[1] - other[0]))


def segment(binary: np.ndarray, settings: ReaderSettings, single_digit: bool = False,
            components: Components | None = None) -> Segmentation:
    """Digit candidates in reading order; with `single_digit`, all kept marks are one digit (a tiny crop).

    `components`, where the caller already has them, must be those of `binary`.
    """
    components = components or Components.of(binary)
    labels = components.labels
    candidates, capped = find_components(components, settings.max_components)
    rings, framed = ([], {}) if single_digit else rings_around_marks(candidates, labels)
    candidates = [candidate for candidate in candidates if not candidate.dropped]
    digit_height = typical_digit_height(candidates)
    candidates = merge_broken_pieces(candidates, digit_height, labels)
    digit_height = typical_digit_height(candidates)
    if single_digit and candidates:
        return Segmentation(labels, [one_digit(candidates)], [], digit_height, capped)
    kept, dropped = marks_of_their_lines_size(candidates, settings.min_digit_height, framed, settings.one_line)
    dropped = rings + dropped
    lines = lines_of(kept, framed, settings.one_line)
    for mark in hanging_separators(lines):
        mark.dropped = HANGING_REASON
        dropped.append(mark)
    units: list[Unit] = []
    line_number = 0
    for line in lines:
        line = digits_of_line(line, labels, dropped)
        units += line_units(line, line_number, labels, typical_digit_height(line),
                            settings.split_touching)
        line_number += bool(line)
    return Segmentation(labels, units, dropped, digit_height, capped)


def rings_around_marks(candidates: list[Candidate], labels: np.ndarray) -> tuple[list[Candidate], dict[int, int]]:
    """The marks whose loops hold writing: a stamp's ring around its letters, a circle drawn round a number. A
    digit's loop holds paper, or at most one mark of its own (the slash or dot some write in a zero), so a loop
    around more frames writing, whatever its shape, and so does a loop around one mark lying along a line, as a
    stamp's word whose letters run together does, which no slash or dot does, or around such a ring (a stamp's
    outer ring): each such mark is marked dropped with why, and what it holds is a field of its own, as what a
    column's line divides is. Rings are found innermost first. Returns the rings, and for each component a ring
    holds, the number of the innermost ring holding it."""
    left, top, right, bottom = np.array([(c.x, c.y, c.right, c.bottom) for c in candidates], np.int32).reshape(-1, 4).T
    within = (left[:, None] < left) & (top[:, None] < top) & (right < right[:, None]) & (bottom < bottom[:, None])
    rings, framed = [], {}
    for outer in sorted(np.nonzero(within.any(axis=1))[0], key=lambda i: candidates[i].height):
        ring = candidates[outer]
        held = held_inside(labels, ring, [candidates[inner] for inner in np.nonzero(within[outer])[0]])
        if len(held) >= MARKS_FRAMED or any(mark.dropped == RING_REASON or word_shaped(mark, ring) for mark in held):
            ring.dropped = RING_REASON
            framed = {label: len(rings) for mark in held for label in mark.labels} | framed
            rings.append(ring)
    return rings, framed


def word_shaped(mark: Candidate, ring: Candidate) -> bool:
    """Whether a mark a ring holds lies along a line, as a word does, and spans enough of the ring to be no speck."""
    return mark.width >= WORD_SHAPE * mark.height and mark.width >= FRAMED_WORD * ring.width


def lines_of(candidates: list[Candidate], framed: dict[int, int], one_line: bool) -> list[list[Candidate]]:
    """`group_lines`, or where the image is known to hold one line, every mark on it, left to right."""
    if one_line and candidates:
        return [sorted(candidates, key=lambda c: c.x)]
    return group_lines(candidates, framed)


def marks_of_their_lines_size(candidates: list[Candidate], min_height: float,
                              framed: dict[int, int] | None = None, one_line: bool = False) -> tuple[list, list]:
    """The marks near the size of the other marks on their line, and those much shorter (with why).

    Each line is measured by its own marks: a field of specks beside a
    number is a line of its own, and neither it nor the number sets the
    size the other is judged against. A mark far taller than its line's
    digits is kept: whether it is writing (a long stem, a tall first digit)
    or clutter (a word's ascender, a border) is for the readers and the
    number finder to judge.
    """
    kept, dropped = [], []
    for line in lines_of(candidates, framed or {}, one_line):
        height = typical_digit_height(line)
        for candidate in line:
            candidate.dropped = why_not_a_digit(candidate, height, min_height)
            (dropped if candidate.dropped else kept).append(candidate)
    return kept, dropped


def one_digit(candidates: list[Candidate]) -> Unit:
    """Every mark of a one-digit crop as one digit, whatever was dropped: its strokes may be anywhere in it."""
    whole = candidates[0]
    for candidate in candidates[1:]:
        whole = whole.merged_with(candidate)
    whole.dropped = ""
    return Unit(whole, [[whole]])


def digits_of_line(line: list[Candidate], labels: np.ndarray, dropped: list[Candidate]) -> list[Candidate]:
    """A line's marks less its separators, which join `dropped` with why."""
    line = [c for c in line if not c.dropped]
    band = _band(line) if line else (0.0, 0.0, 0.0)
    for candidate in line:
        candidate.dropped = why_not_in_line(candidate, line, labels, band)
        if candidate.dropped:
            dropped.append(candidate)
    return [c for c in line if not c.dropped]


def line_units(line: list[Candidate], line_number: int, labels: np.ndarray, digit_height: float,
               split_touching: bool) -> list[Unit]:
    """A line's blobs, each with its ways of being read; two close narrow marks also as one digit (a '4' in two
    strokes)."""
    units = []
    index = 0
    while index < len(line):
        candidate = line[index]
        candidate.line = line_number
        neighbour = line[index + 1] if index + 1 < len(line) else None
        if split_touching and neighbour is not None and _may_be_one_digit(candidate, neighbour):
            neighbour.line = line_number
            joined = candidate.merged_with(neighbour)
            joined.line = line_number
            units.append(Unit(joined, [[joined], [candidate, neighbour]], 1))
            index += 2
            continue
        units.append(ways_of_cutting(candidate, labels, digit_height, split_touching))
        index += 1
    return units


def _may_be_one_digit(left: Candidate, right: Candidate) -> bool:
    """Two marks so close and so narrow together that they may be one digit drawn in two strokes, like a '4'."""
    taller = max(left.height, right.height)
    gap = right.x - left.right
    shared = min(left.bottom, right.bottom) - max(left.y, right.y)
    return (gap <= PAIR_GAP * taller and shared >= 0.5 * min(left.height, right.height)
            and right.right - left.x <= PAIR_WIDTH * taller)


def _band(line: list[Candidate]) -> tuple[float, float, float]:
    """Top, bottom and height of a line's digits, its shorter marks left out."""
    heights = np.array([c.height for c in line])
    tall = [c for c in line if c.height >= 0.6 * heights.max()]
    return median(c.y for c in tall), median(c.bottom for c in tall), median(c.height for c in tall)


def _shorter_than_neighbours(mark: Candidate, line: list[Candidate]) -> bool:
    """A separator is short beside the marks either side of it: after one tall '4' stem, the line's other digits
    are short against the line but not against each other."""
    left = [c for c in line if c is not mark and c.x + c.width / 2 <= mark.x + mark.width / 2]
    right = [c for c in line if c is not mark and c.x + c.width / 2 > mark.x + mark.width / 2]
    neighbours = [max(left, key=lambda c: c.x)] if left else []
    neighbours += [min(right, key=lambda c: c.x)] if right else []
    return all(mark.height < SHORTER_THAN_NEIGHBOURS * c.height for c in neighbours)


def hanging_separators(lines: list[list[Candidate]]) -> list[Candidate]:
    """Lines of one short mark that starts in another line's lower half, between its first and last digits, and
    hangs below it: a comma too low to share half its height with the digits, not a line of its own."""
    found = []
    for line in lines:
        if len(line) != 1:
            continue
        mark = line[0]
        for other in lines:
            if len(other) < 2:
                continue
            top, bottom, height = _band(other)
            if mark.height < HANGING_HEIGHT * height and top + 0.45 * height < mark.y < bottom \
                    and other[0].x < mark.x + mark.width / 2 < other[-1].right:
                found.append(mark)
                break
    return found


def why_not_in_line(candidate: Candidate, line: list[Candidate], labels: np.ndarray,
                    band: tuple[float, float, float]) -> str:
    """A short mark in the line's lower half (of its digits' `band`, as `_band` finds it) between two of its marks
    is a comma or point, whatever its own size, unless it closes a loop: then it is a '0' written small, as cents
    often are. Beside its neighbours it is short; a mark that also hangs well below the line is a comma even where it
    is nearly their height, as a quick pen draws one in a small cell. After the last mark, a short one is as often the
    last digits of an amount written small (a '5' and a small '700'), which the readers and the sign judge tell from
    a point by its shape: it is left to them.
    """
    line_top, line_bottom, line_height = band
    centre = candidate.x + candidate.width / 2
    if candidate.y <= line_top + 0.45 * line_height or \
            all(c.x + c.width / 2 < centre for c in line if c is not candidate):
        return ""
    short = candidate.height < SEPARATOR_HEIGHT * line_height and _shorter_than_neighbours(candidate, line)
    below = candidate.bottom - line_bottom
    hanging = candidate.height < HANGING_COMMA_HEIGHT * line_height and below > HANGS_BELOW * line_height \
        and (candidate.width <= COMMA_WIDTH * candidate.height or below >= 0.5 * candidate.height)
    if (short or hanging) and not encloses_a_hole(labels, candidate):
        return HANGING_REASON
    return ""
