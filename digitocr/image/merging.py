"""Pieces of one digit joined before it is read: a '5' whose top bar stands apart, an '8' drawn as two circles, a
'4' in two strokes."""

import numpy as np

from .components import Candidate, encloses_a_hole
from .cutting import DIGIT_ASPECT

MERGE_GAP = 0.35  # pieces closer than this (of the digit height) vertically may be one digit
MERGE_OVERLAP = 0.5  # ...if they overlap horizontally by this much of the narrower piece
MERGED_HEIGHT = 1.35  # ...and the merged piece is no taller than this many digit heights
LOOPS_OVERLAP = 0.6  # two loops one on the other, sharing this much of the wider's width...
LOOPS_GAP = 0.1  # ...and no further apart than this share of the shorter's height, are an '8'
SECOND_STROKE_HEIGHT = 0.6  # a stroke this much shorter than its neighbour...
SECOND_STROKE_GAP = 0.08  # ...this close beside it (of the digit height)...
SECOND_STROKE_TOP = 0.75  # ...starting in the upper part of its band, is the rest of that digit


def _horizontal_overlap(a: Candidate, b: Candidate) -> float:
    shared = min(a.right, b.right) - max(a.x, b.x)
    return shared / max(1, min(a.width, b.width))


def _vertical_gap(a: Candidate, b: Candidate) -> int:
    return max(a.y, b.y) - min(a.bottom, b.bottom)


def merge_broken_pieces(candidates: list[Candidate], digit_height: float, labels: np.ndarray) -> list[Candidate]:
    """Join the pieces of one digit: stacked ones, like a '5' whose top bar stands apart, two loops one on the
    other (an '8' drawn as two circles), and a second stroke beside.

    Pieces are joined in the order a scan from the left, begun again after every join, would find them. A join
    changes only the pairs the grown piece is in, so the scan goes back to check each earlier piece against it
    alone, not every pair again: many pieces cost about one pass, not one pass for every join."""
    pieces = sorted(candidates, key=lambda c: c.x)
    reach = SECOND_STROKE_GAP * digit_height

    def join(a: Candidate, b: Candidate) -> bool:
        return _stacked(a, b, digit_height) or _second_stroke(a, b, digit_height) or _stacked_loops(a, b, labels)

    def earlier_joining(index: int) -> int | None:
        grown = pieces[index]
        return next((k for k in range(index) if grown.x <= pieces[k].right + reach and join(pieces[k], grown)), None)

    index = 0
    while index < len(pieces):
        a = pieces[index]
        partner = None
        for j in range(index + 1, len(pieces)):
            if pieces[j].x > a.right + reach:
                break
            if join(a, pieces[j]):
                partner = j
                break
        if partner is None:
            index += 1
            continue
        pieces[index] = a.merged_with(pieces[partner])
        del pieces[partner]
        while (earlier := earlier_joining(index)) is not None:
            pieces[earlier] = pieces[earlier].merged_with(pieces[index])
            del pieces[index]
            index = earlier
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
