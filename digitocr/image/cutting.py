"""The ways of cutting a blob wider than a digit into digits, for the classifier to choose among.

A blob may be touching digits: it is cut into two or more pieces at its
thinnest ink columns near where digit boundaries are expected, at its other
thin columns (touching digits seldom meet at the middle), and between the
loops it closes (a cursive '00'). The reader classifies every way and keeps
the one the classifier reads most confidently.
"""

from dataclasses import dataclass

import cv2
import numpy as np

from .components import Candidate, candidate_mask, enclosed_background, own_ink

DIGIT_ASPECT = 0.75  # a wide handwritten digit's width over its height
SPLIT_ASPECT = 1.3  # blobs wider than this many digit heights hold touching digits
CONSIDER_SPLIT = 0.8  # blobs are measured against at least this share of the digit height...
NARROWEST_DIGIT = 0.45  # ...and may hold one digit per this many heights of width
MAX_PARTS = 4  # the most digits one blob is cut into
TWO_CUT_WIDTH = 1.0  # a blob at least this many heights wide, surely two digits or more, is cut other ways too:
TWO_CUT_SPAN = (0.25, 0.75)  # other two-digit cuts are sought in this span of the blob's width...
TWO_CUT_SPACING = 0.1  # ...at least this share of its width from any cut already tried...
MORE_TWO_CUTS = 2  # ...and at most this many more
LOOP_GAP = 0.1  # a loop left open by a gap this narrow (of the blob's height) still counts as closed
HOLE_SIDE = 0.08  # a loop's hole at least this side (of the blob's height) squared in area counts


@dataclass
class Unit:
    """One blob and the ways to read it: as one digit, or cut into two or more; the reader picks one."""

    whole: Candidate
    options: list[list[Candidate]]
    chosen: int = 0  # the option judged by geometry; the classifier may pick another


def ways_of_cutting(candidate: Candidate, labels: np.ndarray, digit_height: float, split_touching: bool) -> Unit:
    """A blob as one digit and, where it may hold more, cut into each count of digits its width allows, at other
    thin columns, and between its loops; the option geometry alone would choose is marked."""
    counts = part_counts(candidate, digit_height) if split_touching else [1]
    options = [split_into(candidate, labels, parts) for parts in counts]
    if 2 in counts and candidate.width >= TWO_CUT_WIDTH * max(candidate.height, digit_height):
        options += other_cuts_in_two(candidate, labels, options[counts.index(2)])
    if len(counts) > 1:
        looped = cuts_between_loops(candidate, labels)
        if looped and not any(_same_pieces(looped, option) for option in options):
            options.append(looped)
    return Unit(candidate, options, counts.index(geometric_parts(candidate, digit_height)) if split_touching else 0)


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
