"""What a drawing (a canvas export) may hold that a page does not: strokes the canvas cut, and one digit.

A stroke that leaves the canvas at its side and comes back leaves two ends on
that side with its way round between them lost, so a '0' drawn too wide
reaches the reader as two arcs. `strokes_run_off` joins neighbouring ends on
each side along it, as the stroke would have gone on a wider canvas. Only the
left and right sides: ends on one of them lie one above the other, as one
digit's stroke leaving and coming back leaves them, while ends on the top or
bottom edge lie side by side, as often two digits' strokes as one digit's.
A drawing is also most often one digit, and `shaped_like_one_digit` says
whether its ink could be one. Neither decides what the drawing holds: the
reader reads it both ways and keeps the reading it is surer of (`Reader`),
since a '7' whose bar and stem both run off the right side is no loop.
"""

import cv2
import numpy as np

RETURN_SPAN = 0.5  # ends on one side further apart than this share of the ink's extent are not tried as one stroke


def ends_on_side(side: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) position of each run of ink along one side (bool)."""
    on = np.flatnonzero(side)
    if not len(on):
        return []
    breaks = np.flatnonzero(np.diff(on) > 1)
    return list(zip(np.r_[on[0], on[breaks + 1]].tolist(), np.r_[on[breaks], on[-1]].tolist()))


def inked(pixels: np.ndarray) -> np.ndarray:
    """Where a drawing (RGB on its flat field) is inked: nearer the strokes' tone than the field's, so not its
    anti-aliased fringe (bool)."""
    grey = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    field = int(np.median(grey[::4, ::4]))  # most of a drawing is its field
    contrast = cv2.absdiff(grey, np.full_like(grey, field))
    return contrast > int(contrast.max()) // 2


def shaped_like_one_digit(pixels: np.ndarray) -> bool:
    """Whether a drawing's ink, all of it, is no wider than tall, as `pipeline.holds_one_digit` asks of a scan."""
    _, _, width, height = cv2.boundingRect(inked(pixels).view(np.uint8))
    return 0 < width <= height


def strokes_run_off(pixels: np.ndarray) -> np.ndarray | None:
    """The drawing (RGB on its flat field) with each pair of neighbouring ends on its left or right side joined along
    it, in the ink's colour and as thick as the wider end; None where no two ends are close enough to try."""
    ink = inked(pixels)
    width = ink.shape[1]
    sides = ((ends_on_side(ink[:, 0]), lambda at, half: (half, at)),
             (ends_on_side(ink[:, -1]), lambda at, half: (width - 1 - half, at)))
    if all(len(ends) < 2 for ends, _ in sides):
        return None
    _, _, ink_width, ink_height = cv2.boundingRect(ink.view(np.uint8))
    reach = RETURN_SPAN * max(ink_width, ink_height)
    joins = []
    for ends, point in sides:
        for (first, last), (next_first, next_last) in zip(ends, ends[1:]):
            if next_first - last <= reach:
                thickness = max(last - first, next_last - next_first) + 1
                joins.append((point(last, thickness // 2), point(next_first, thickness // 2), thickness))
    if not joins:
        return None
    colour = tuple(int(value) for value in np.median(pixels[ink], axis=0))
    joined = pixels.copy()
    for start, end, thickness in joins:
        cv2.line(joined, start, end, colour, thickness)
    return joined
