"""Marks of ink: a binary image's connected components, and candidates (regions that may be one digit) made of them.

Labelling is the costliest step shared by clean-up and segmentation, so it
is done once and narrowed as whole marks are removed, not redone. A
candidate knows its box and the component labels that form it, so its own
ink can be told from a neighbour's stroke crossing its box.
"""

from dataclasses import dataclass

import cv2
import numpy as np

from .orderstats import median, percentile

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

        OpenCV's stats cost about 4 ns a pixel; over the ink alone, about 0.15 ms and 40 ns an ink pixel. An image
        with no pixels has no marks: OpenCV's labelling crashes the process on one.
        """
        if not binary.size:
            return cls(np.zeros(binary.shape, np.int32), np.zeros((1, 5), np.int32))
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


def joined_to(mask: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """255 on the 8-connected parts of `mask` (uint8, non-zero where set) that hold a pixel of `seeds` (a bool
    image within `mask`), 0 elsewhere."""
    count, labels = cv2.connectedComponents(mask, connectivity=8)
    reached = np.bincount(labels[seeds], minlength=count) > 0
    reached[0] = False
    if reached[1:].all():  # as in most clean images: a threshold is far cheaper than looking every label up
        return cv2.threshold(mask, 0, 255, cv2.THRESH_BINARY)[1]
    return np.take(np.where(reached, 255, 0).astype(np.uint8), labels)


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


def own_ink(box: np.ndarray, labels: tuple[int, ...]) -> np.ndarray:
    """Where a label image holds one of `labels`: a plain comparison for one label, far cheaper than np.isin."""
    return box == labels[0] if len(labels) == 1 else np.isin(box, labels)


def background_regions(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A mask's background as 4-connected regions: their label per pixel and their (x, y, width, height, area), both
    in the mask's pixels. The ink is label 0 and the background outside it label 1; from 2 on, what the ink
    surrounds."""
    background = np.pad(1 - mask, 1, constant_values=1)
    _, regions, stats, _ = cv2.connectedComponentsWithStats(background, connectivity=4)
    stats[:, :2] -= 1
    return regions[1:-1, 1:-1], stats


def enclosed_background(mask: np.ndarray) -> np.ndarray:
    """(x, y, width, height, area) in the mask's pixels of each stretch of background its ink surrounds."""
    return background_regions(mask)[1][2:]


def encloses_a_hole(labels: np.ndarray, candidate: Candidate) -> bool:
    """Whether the candidate's ink closes a loop: background it surrounds, apart from the background outside."""
    return len(enclosed_background(candidate_mask(labels, candidate))) > 0


def held_inside(labels: np.ndarray, outer: Candidate, inners: list[Candidate]) -> list[Candidate]:
    """Those of `inners` whose ink lies in the background `outer`'s ink surrounds: within its loop, not beside it
    (each inner's box must lie within the outer's)."""
    enclosed = background_regions(candidate_mask(labels, outer))[0] >= 2
    held = []
    for inner in inners:
        top, left = inner.y - outer.y, inner.x - outer.x
        inner_ink = own_ink(labels[inner.y:inner.bottom, inner.x:inner.right], inner.labels)
        if enclosed[top:top + inner.height, left:left + inner.width][inner_ink].any():
            held.append(inner)
    return held


def candidate_mask(labels: np.ndarray, candidate: Candidate) -> np.ndarray:
    """The candidate's own ink inside its box, as uint8 0/1: neighbours' strokes in the box are left out."""
    box = labels[candidate.y:candidate.bottom, candidate.x:candidate.right]
    return own_ink(box, candidate.labels).view(np.uint8)
