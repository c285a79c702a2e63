"""From a clean binary image to digit candidates, in reading order.

Connected components (outer contours) -> a digit size estimated from the
components themselves -> pieces of one broken digit merged -> marks too small
for a digit dropped (separators, specks) -> blobs much wider than a digit
cut at their thinnest columns and between the loops they close -> lines
grouped top to bottom -> left to right within each line.
"""

from dataclasses import dataclass, field

import cv2
import numpy as np

from .orderstats import median, percentile

MERGE_GAP = 0.35  # pieces closer than this (of the digit height) vertically may be one digit
MERGE_OVERLAP = 0.5  # ...if they overlap horizontally by this much of the narrower piece
MERGED_HEIGHT = 1.35  # ...and the merged piece is no taller than this many digit heights
LOOPS_OVERLAP = 0.6  # two loops one on the other, sharing this much of the wider's width...
LOOPS_GAP = 0.1  # ...and no further apart than this share of the shorter's height, are an '8'
DIGIT_ASPECT = 0.75  # a wide handwritten digit's width over its height
SPLIT_ASPECT = 1.3  # blobs wider than this many digit heights hold touching digits
LINE_OVERLAP = 0.5  # a mark joins a line when it shares this much of its height with it
TALL_NOISE = 3.0  # a mark taller than this many digit heights is not a digit
CONSIDER_SPLIT = 0.8  # blobs are measured against at least this share of the digit height...
NARROWEST_DIGIT = 0.45  # ...and may hold one digit per this many heights of width
MAX_PARTS = 4  # the most digits one blob is cut into
SECOND_STROKE_HEIGHT = 0.6  # a stroke this much shorter than its neighbour...
SECOND_STROKE_GAP = 0.08  # ...this close beside it (of the digit height)...
SECOND_STROKE_TOP = 0.75  # ...starting in the upper part of its band, is the rest of that digit
PAIR_GAP = 0.08  # neighbours this close (of their height)...
PAIR_WIDTH = 0.7  # ...and together no wider than this share of their height are also read as one digit
TWO_CUT_WIDTH = 1.0  # a blob at least this many heights wide, surely two digits or more, is cut other ways too:
TWO_CUT_SPAN = (0.25, 0.75)  # other two-digit cuts are sought in this span of the blob's width...
TWO_CUT_SPACING = 0.1  # ...at least this share of its width from any cut already tried...
MORE_TWO_CUTS = 2  # ...and at most this many more
SEPARATOR_HEIGHT = 0.6  # a mark shorter than this share of its line, sitting low, is a comma or point
SHORTER_THAN_NEIGHBOURS = 0.7  # ...and shorter than this share of the marks either side of it
HANGING_HEIGHT = 0.75  # ...as is a lone mark this short hanging below a line, between its digits
HANGS_BELOW = 0.15  # a mark starting in the line's lower half and reaching this far (of its height) below it...
HANGING_COMMA_HEIGHT = 0.8  # ...is a comma if it is this short, even beside short neighbours, and either...
COMMA_WIDTH = 0.75  # ...this narrow (of its height), a quick stroke, or half of it below the line, a rounder one
HANGING_REASON = "a comma or point: short and low on its line"
LONE_BAR_WIDTH = 0.25  # a mark this narrow (of its height) is a bare bar...
LONE_BAR_GAP = 0.7  # ...and, this many digit heights from the next mark...
LONE_BAR_SIDE = 0.2  # ...within this share of the width from the image's side...
LONE_BAR_OUTSIDE = 0.15  # ...reaching this much of the digit height above or below the others, a border remnant
LOOP_GAP = 0.1  # a loop left open by a gap this narrow (of the blob's height) still counts as closed
HOLE_SIDE = 0.08  # a loop's hole at least this side (of the blob's height) squared in area counts
STATS_OVER_INK_BELOW = 0.08  # share of the image inked below which component stats are gathered over the ink alone...
STATS_OVER_INK_FROM = 100_000  # ...in an image of at least this many pixels (a smaller one is visited whole sooner)


@dataclass
class Candidate:
    """A region that may be one digit: its box at working size and the component labels that form it."""

    x: int
    y: int
    width: int
    height: int
    labels: tuple[int, ...]
    line: int = 0
    dropped: str = ""  # why it is not a digit; empty when kept

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    def merged_with(self, other: "Candidate") -> "Candidate":
        x, y = min(self.x, other.x), min(self.y, other.y)
        right, bottom = max(self.right, other.right), max(self.bottom, other.bottom)
        return Candidate(x, y, right - x, bottom - y, self.labels + other.labels)


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


@dataclass(frozen=True)
class Components:
    """A binary image's 8-connected components: label image (int32, 0 = background) and stats per label.

    Labelling is the costliest step shared by clean-up and segmentation, so it
    is done once and narrowed as whole marks are removed, not redone.
    """

    labels: np.ndarray
    stats: np.ndarray  # (count, 5) int32 as OpenCV gives them: x, y, width, height, area; row 0 (background) is zeros

    @classmethod
    def of(cls, binary: np.ndarray) -> "Components":
        """Label the image; where ink is sparse the stats are gathered over the ink alone, as OpenCV visits every pixel.

        OpenCV's stats cost about 4 ns a pixel; over the ink alone, about 0.15 ms and 40 ns an ink pixel.
        """
        if binary.size < STATS_OVER_INK_FROM or cv2.countNonZero(binary) >= STATS_OVER_INK_BELOW * binary.size:
            _, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
            stats[0] = 0
            return cls(labels, stats)
        count, labels = cv2.connectedComponents(binary, connectivity=8)
        stats = np.zeros((count, 5), np.int32)
        if count > 1:
            xs, ys = cv2.findNonZero(binary).reshape(-1, 2).T
            owner = labels[ys, xs]
            left, top = np.full(count, binary.shape[1], np.int32), np.full(count, binary.shape[0], np.int32)
            right, bottom = np.full(count, -1, np.int32), np.full(count, -1, np.int32)
            np.minimum.at(left, owner, xs)
            np.minimum.at(top, owner, ys)
            np.maximum.at(right, owner, xs)
            np.maximum.at(bottom, owner, ys)
            stats[1:] = np.stack([left, top, right - left + 1, bottom - top + 1,
                                  np.bincount(owner, minlength=count)], axis=1)[1:]
        return cls(labels, stats)

    def mask(self, chosen: np.ndarray) -> np.ndarray:
        """255 on the components flagged in `chosen` (one bool per label), 0 elsewhere."""
        return np.take(np.where(chosen, 255, 0).astype(np.uint8), self.labels)

    def without(self, dropped: np.ndarray) -> "Components":
        """The components left once those flagged in `dropped` are erased, numbered as labelling that image would.

        Labels follow the order in which the scan first meets each mark, which
        erasing other marks leaves as it is.
        """
        kept = ~dropped
        kept[0] = True
        renumber = np.where(kept, np.cumsum(kept) - 1, 0).astype(self.labels.dtype)
        return Components(np.take(renumber, self.labels), self.stats[kept])


def find_components(components: Components, max_components: int) -> tuple[list[Candidate], bool]:
    stats = components.stats
    order = np.argsort(-stats[1:, cv2.CC_STAT_AREA])[:max_components] + 1
    candidates = [Candidate(int(stats[i, 0]), int(stats[i, 1]), int(stats[i, 2]), int(stats[i, 3]), (int(i),))
                  for i in order]
    return candidates, len(stats) - 1 > max_components


def typical_height(heights: np.ndarray) -> float:
    """Median height of the substantial marks, those at least 40% as tall as the tall ones."""
    if len(heights) == 0:
        return 0.0
    values = np.asarray(heights, np.float64).tolist()
    tall = percentile(values, 90)
    return median(height for height in values if height >= 0.4 * tall)


def typical_digit_height(candidates: list[Candidate]) -> float:
    return typical_height(np.array([c.height for c in candidates]))


def _horizontal_overlap(a: Candidate, b: Candidate) -> float:
    shared = min(a.right, b.right) - max(a.x, b.x)
    return shared / max(1, min(a.width, b.width))


def _vertical_gap(a: Candidate, b: Candidate) -> int:
    return max(a.y, b.y) - min(a.bottom, b.bottom)


def merge_broken_pieces(candidates: list[Candidate], digit_height: float, labels: np.ndarray) -> list[Candidate]:
    """Join the pieces of one digit: stacked ones, like a '5' whose top bar stands apart, two loops one on the
    other (an '8' drawn as two circles), and a second stroke beside."""
    pieces = sorted(candidates, key=lambda c: c.x)
    reach = SECOND_STROKE_GAP * digit_height
    merged = True
    while merged:
        merged = False
        for i, a in enumerate(pieces):
            for j in range(i + 1, len(pieces)):
                b = pieces[j]
                if b.x > a.right + reach:
                    break
                if _stacked(a, b, digit_height) or _second_stroke(a, b, digit_height) or _stacked_loops(a, b, labels):
                    pieces[i] = a.merged_with(b)
                    del pieces[j]
                    merged = True
                    break
            if merged:
                break
    return pieces


def _stacked(a: Candidate, b: Candidate, digit_height: float) -> bool:
    """Pieces over each other, close, and together no taller than a digit; a point under a digit stays apart."""
    lower = a if a.y > b.y else b
    is_point = lower.height < MERGE_GAP * digit_height and lower.y >= min(a.bottom, b.bottom) - 1
    return (not is_point and _horizontal_overlap(a, b) >= MERGE_OVERLAP
            and _vertical_gap(a, b) <= MERGE_GAP * digit_height
            and a.merged_with(b).height <= MERGED_HEIGHT * digit_height)


def _stacked_loops(a: Candidate, b: Candidate, labels: np.ndarray) -> bool:
    """Two closed loops of a width, the lower touching or all but touching the upper: the halves of an '8' drawn
    as two circles. Two lines of writing leave a wider gap between them."""
    upper, lower = (a, b) if a.y <= b.y else (b, a)
    return (lower.y - upper.bottom <= LOOPS_GAP * min(a.height, b.height) and lower.bottom > upper.bottom
            and min(a.right, b.right) - max(a.x, b.x) >= LOOPS_OVERLAP * max(a.width, b.width)
            and encloses_a_hole(labels, a) and encloses_a_hole(labels, b))


def _second_stroke(a: Candidate, b: Candidate, digit_height: float) -> bool:
    """A short stroke just beside a digit, inside its band and not hanging below it: a '4' or '5' in two strokes."""
    big, small = (a, b) if a.height >= b.height else (b, a)
    gap = max(small.x - big.right, big.x - small.right)
    return (small.height < SECOND_STROKE_HEIGHT * big.height and gap <= SECOND_STROKE_GAP * digit_height
            and small.y >= big.y and small.y <= big.y + SECOND_STROKE_TOP * big.height
            and small.bottom <= big.bottom + 0.1 * big.height
            and max(a.right, b.right) - min(a.x, b.x) <= DIGIT_ASPECT * 1.2 * big.height)


def why_not_a_digit(candidate: Candidate, digit_height: float, min_height: float) -> str:
    if candidate.height < min_height * digit_height:
        if candidate.width >= 2 * candidate.height:
            return "a dash or rule fragment: much shorter than the digits"
        return "a dot, comma or speck: much shorter than the digits"
    if candidate.height > TALL_NOISE * digit_height:
        return "far taller than the digits"
    return ""


def own_ink(box: np.ndarray, labels: tuple[int, ...]) -> np.ndarray:
    """Where a label image holds one of `labels`: a plain comparison for one label, far cheaper than np.isin."""
    return box == labels[0] if len(labels) == 1 else np.isin(box, labels)


def _ink_columns(labels: np.ndarray, candidate: Candidate) -> np.ndarray:
    box = labels[candidate.y:candidate.bottom, candidate.x:candidate.right]
    return own_ink(box, candidate.labels).sum(axis=0)


def geometric_parts(candidate: Candidate, digit_height: float) -> int:
    """How many digits a blob holds, judged by its width alone."""
    if candidate.width <= SPLIT_ASPECT * digit_height or candidate.width <= SPLIT_ASPECT * candidate.height:
        return 1
    return max(2, round(candidate.width / (DIGIT_ASPECT * max(digit_height, candidate.height))))


def part_counts(candidate: Candidate, digit_height: float) -> list[int]:
    """The digit counts worth asking the classifier about: 1 for a narrow mark, up to MAX_PARTS for a wide one."""
    reference = max(candidate.height, CONSIDER_SPLIT * digit_height)
    most = min(MAX_PARTS, int(candidate.width / (NARROWEST_DIGIT * reference)))
    return list(range(1, max(most, geometric_parts(candidate, digit_height)) + 1))


def split_into(candidate: Candidate, labels: np.ndarray, parts: int) -> list[Candidate]:
    """Cut a blob into `parts` at the thinnest ink columns near where digit boundaries are expected."""
    if parts == 1:
        return [candidate]
    columns = _ink_columns(labels, candidate).astype(np.float64)
    cuts = []
    window = max(1, int(candidate.width / parts / 3))
    for k in range(1, parts):
        expected = int(k * candidate.width / parts)
        low, high = max((cuts[-1] if cuts else 0) + 1, expected - window), min(candidate.width - 1, expected + window)
        if low >= high:
            continue
        cuts.append(low + int(np.argmin(columns[low:high])))
    return cut_at(candidate, labels, cuts)


def other_cuts_in_two(candidate: Candidate, labels: np.ndarray, taken: list[Candidate]) -> list[list[Candidate]]:
    """Two-digit cuts at the blob's other thin columns: touching digits seldom meet at the middle."""
    columns = _ink_columns(labels, candidate).astype(np.float64)
    low, high = int(TWO_CUT_SPAN[0] * candidate.width), int(TWO_CUT_SPAN[1] * candidate.width)
    if high - low < 3:
        return []
    smooth = np.convolve(columns, np.ones(3) / 3, mode="same")
    inner = smooth[low:high]
    minima = [low + i for i in range(1, len(inner) - 1) if inner[i] <= inner[i - 1] and inner[i] < inner[i + 1]]
    used = [piece.right - candidate.x for piece in taken[:-1]]
    spacing = TWO_CUT_SPACING * candidate.width
    chosen: list[int] = []
    for column in sorted(minima, key=lambda c: smooth[c]):
        if all(abs(column - other) >= spacing for other in used + chosen):
            chosen.append(column)
        if len(chosen) == MORE_TWO_CUTS:
            break
    return [cut_at(candidate, labels, [column]) for column in chosen]


def hole_columns(candidate: Candidate, labels: np.ndarray) -> list[tuple[int, int]]:
    """Column spans of the loops the blob closes, those stacked above each other (an '8') joined into one."""
    side = max(3, int(LOOP_GAP * candidate.height) | 1)
    closed = cv2.morphologyEx(candidate_mask(labels, candidate), cv2.MORPH_CLOSE, np.ones((side, side), np.uint8))
    smallest = max(3.0, (HOLE_SIDE * candidate.height) ** 2)
    spans = sorted((int(x), int(x + w)) for x, y, w, h, area in enclosed_background(closed) if area >= smallest)
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined and start < joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return joined


def cuts_between_loops(candidate: Candidate, labels: np.ndarray) -> list[Candidate]:
    """Touching loops side by side ('00', '80', '69') are cut at the thinnest column between them."""
    spans = hole_columns(candidate, labels)
    if len(spans) < 2:
        return []
    columns = _ink_columns(labels, candidate)
    cuts = [left_end + int(np.argmin(columns[left_end:right_start + 1]))
            for (_, left_end), (right_start, _) in zip(spans, spans[1:])]
    return cut_at(candidate, labels, cuts)


def _same_pieces(one: list[Candidate], other: list[Candidate]) -> bool:
    return [(piece.x, piece.width) for piece in one] == [(piece.x, piece.width) for piece in other]


def cut_at(candidate: Candidate, labels: np.ndarray, cuts: list[int]) -> list[Candidate]:
    """The blob's pieces between the given columns (offsets from its left edge), each box shrunk to its ink."""
    edges = [0] + list(cuts) + [candidate.width]
    pieces = []
    for start, end in zip(edges, edges[1:]):
        box = labels[candidate.y:candidate.bottom, candidate.x + start:candidate.x + end]
        rows = np.nonzero(own_ink(box, candidate.labels).any(axis=1))[0]
        if len(rows) == 0:
            continue
        pieces.append(Candidate(candidate.x + start, candidate.y + int(rows[0]), end - start,
                                int(rows[-1] - rows[0] + 1), candidate.labels, candidate.line))
    return pieces


@dataclass
class Unit:
    """One blob and the ways to read it: as one digit, or cut into two or more; the reader picks one."""

    whole: Candidate
    options: list[list[Candidate]]
    chosen: int = 0  # the option judged by geometry; the classifier may pick another


def group_lines(candidates: list[Candidate]) -> list[list[Candidate]]:
    """Lines top to bottom, each left to right; a mark joins the line whose span it shares most."""
    lines: list[list[Candidate]] = []
    spans: list[tuple[int, int]] = []
    for candidate in sorted(candidates, key=lambda c: c.height, reverse=True):
        best, best_share = -1, 0.0
        for index, (top, bottom) in enumerate(spans):
            shared = min(bottom, candidate.bottom) - max(top, candidate.y)
            share = shared / max(1, min(candidate.height, bottom - top))
            if share > best_share:
                best, best_share = index, share
        if best >= 0 and best_share >= LINE_OVERLAP:
            lines[best].append(candidate)
        else:
            lines.append([candidate])
            spans.append((candidate.y, candidate.bottom))
    ordered = sorted(lines, key=lambda line: median(c.y + c.height / 2 for c in line))
    return [sorted(line, key=lambda c: c.x) for line in ordered]


def segment(binary: np.ndarray, min_height: float, split_touching: bool, max_components: int,
            single_digit: bool = False, components: Components | None = None) -> Segmentation:
    """Digit candidates in reading order; with `single_digit`, all kept marks are one digit (a tiny crop).

    `components`, where the caller already has them, must be those of `binary`.
    """
    components = components or Components.of(binary)
    labels = components.labels
    candidates, capped = find_components(components, max_components)
    digit_height = typical_digit_height(candidates)
    candidates = merge_broken_pieces(candidates, digit_height, labels)
    digit_height = typical_digit_height(candidates)
    kept, dropped = [], []
    for candidate in candidates:
        candidate.dropped = why_not_a_digit(candidate, digit_height, min_height)
        (dropped if candidate.dropped else kept).append(candidate)
    if single_digit and candidates:
        whole = candidates[0]
        for candidate in candidates[1:]:
            whole = whole.merged_with(candidate)
        whole.dropped = ""
        return Segmentation(labels, [Unit(whole, [[whole]])], [], digit_height, capped)
    units: list[Unit] = []
    line_number = 0
    lines = group_lines(kept)
    for mark in hanging_separators(lines):
        mark.dropped = HANGING_REASON
        dropped.append(mark)
    for line in lines:
        line = [c for c in line if not c.dropped]
        for candidate in line:
            candidate.dropped = why_not_in_line(candidate, line, labels)
            if candidate.dropped:
                dropped.append(candidate)
        line = [c for c in line if not c.dropped]
        for candidate in lone_side_bars(line, labels.shape[1]):
            candidate.dropped = "a border remnant: a lone bar at the image's side, far from the number"
            dropped.append(candidate)
        line = [c for c in line if not c.dropped]
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
            counts = part_counts(candidate, digit_height) if split_touching else [1]
            options = [split_into(candidate, labels, parts) for parts in counts]
            if 2 in counts and candidate.width >= TWO_CUT_WIDTH * max(candidate.height, digit_height):
                options += other_cuts_in_two(candidate, labels, options[counts.index(2)])
            if len(counts) > 1:
                looped = cuts_between_loops(candidate, labels)
                if looped and not any(_same_pieces(looped, option) for option in options):
                    options.append(looped)
            units.append(Unit(candidate, options,
                              counts.index(geometric_parts(candidate, digit_height)) if split_touching else 0))
            index += 1
        line_number += bool(line)
    return Segmentation(labels, units, dropped, digit_height, capped)


def _may_be_one_digit(left: Candidate, right: Candidate) -> bool:
    """Two marks so close and so narrow together that they may be one digit drawn in two strokes, like a '4'."""
    taller = max(left.height, right.height)
    gap = right.x - left.right
    shared = min(left.bottom, right.bottom) - max(left.y, right.y)
    return (gap <= PAIR_GAP * taller and shared >= 0.5 * min(left.height, right.height)
            and right.right - left.x <= PAIR_WIDTH * taller)


def lone_side_bars(line: list[Candidate], image_width: int) -> list[Candidate]:
    """The first or last mark of a line when it is a bare bar near the image's side, set apart from the number by
    more than most digit gaps and reaching above or below the other digits: what is left of a cell's side border.

    A '1' written after the number sits close to it and within its band.
    """
    if len(line) < 2:
        return []
    height = median(c.height for c in line)
    found = []
    for bar, rest, gap, side_gap in ((line[0], line[1:], line[1].x - line[0].right, line[0].x),
                                     (line[-1], line[:-1], line[-1].x - line[-2].right, image_width - line[-1].right)):
        top, bottom = median(c.y for c in rest), median(c.bottom for c in rest)
        outside = max(top - bar.y, bar.bottom - bottom) > LONE_BAR_OUTSIDE * height
        if bar.width <= LONE_BAR_WIDTH * bar.height and gap > LONE_BAR_GAP * height \
                and side_gap <= LONE_BAR_SIDE * image_width and outside:
            found.append(bar)
    return found


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


def why_not_in_line(candidate: Candidate, line: list[Candidate], labels: np.ndarray) -> str:
    """A short mark in the line's lower half is a comma or point, whatever its own size, unless it closes a loop:
    then it is a '0' written small, as cents often are. Beside its neighbours it is short; a mark that also hangs
    well below the line is a comma even where it is nearly their height, as a quick pen draws one in a small cell.
    """
    line_top, line_bottom, line_height = _band(line)
    if candidate.y <= line_top + 0.45 * line_height:
        return ""
    short = candidate.height < SEPARATOR_HEIGHT * line_height and _shorter_than_neighbours(candidate, line)
    below = candidate.bottom - line_bottom
    hanging = candidate.height < HANGING_COMMA_HEIGHT * line_height and below > HANGS_BELOW * line_height \
        and (candidate.width <= COMMA_WIDTH * candidate.height or below >= 0.5 * candidate.height)
    if (short or hanging) and not encloses_a_hole(labels, candidate):
        return HANGING_REASON
    return ""


def enclosed_background(mask: np.ndarray) -> np.ndarray:
    """(x, y, width, height, area) in the mask's pixels of each stretch of background its ink surrounds."""
    background = np.pad(1 - mask, 1, constant_values=1)
    _, _, stats, _ = cv2.connectedComponentsWithStats(background, connectivity=4)
    holes = stats[2:].copy()  # the ink itself is label 0, the background outside label 1
    holes[:, :2] -= 1
    return holes


def encloses_a_hole(labels: np.ndarray, candidate: Candidate) -> bool:
    """Whether the candidate's ink closes a loop: background it surrounds, apart from the background outside."""
    return len(enclosed_background(candidate_mask(labels, candidate))) > 0


def candidate_mask(labels: np.ndarray, candidate: Candidate) -> np.ndarray:
    """The candidate's own ink inside its box, as uint8 0/1: neighbours' strokes in the box are left out."""
    box = labels[candidate.y:candidate.bottom, candidate.x:candidate.right]
    return own_ink(box, candidate.labels).view(np.uint8)
