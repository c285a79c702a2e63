"""Standing handwriting upright: a tilted line turned level and slanted strokes sheared upright, in one warp, with
the map kept so boxes found on the straightened ink go back to the image's pixels."""

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .orderstats import median

SLANTS = [round(0.1 * step, 1) for step in range(-7, 8)]  # shears tried to stand handwriting upright
TILT_STEP = 1.5  # degrees between the turns tried...
TILTS = [TILT_STEP * step for step in range(-26, 27)]  # ...to lay a line level, up to 39 degrees either way
TILT_GAIN = 1.1  # a turn must pile ink into rows this much better than leaving the line as it is...
TILT_GAIN_PER_DEGREE = 1 / 60  # ...and this much better again for each degree it turns: most pages lie near level
TILT_AGREEMENT = 3.5  # turns tried lie within this many degrees of how the centres of a line's marks climb...
TILT_LEVEL = 2.0  # ...and marks whose centres climb less than this many degrees are level enough
TILT_LINE_ASPECT = 1.5  # ink of one mark is turned only where it is this many times wider than tall, as a line is
SLANT_HEIGHT = 64  # slant is judged on a copy this tall
SLANT_GAIN = 1.05  # a shear must pile ink up this much better than none to be used


@dataclass(frozen=True)
class Straightening:
    """The affine map from the cleaned ink to the straightened ink (a tilted line turned level, then slanted strokes
    stood upright), kept to map boxes back."""

    tilt: float  # degrees the ink was turned anticlockwise to lay its line level
    shear: float  # horizontal shear that stood strokes upright: x'' = x' + shear * y' (+ a shift)
    matrix: np.ndarray  # (2, 3) float64, cleaned to straightened pixels

    def box_before(self, x: int, y: int, width: int, height: int) -> tuple[int, int, int, int]:
        """A straightened image's box as a box of the cleaned image (the bounds of its corners mapped back)."""
        if self.tilt == 0.0 and self.shear == 0.0:
            return x, y, width, height
        inverse = cv2.invertAffineTransform(self.matrix)
        corners = np.array([[x, y, 1], [x + width, y, 1], [x, y + height, 1], [x + width, y + height, 1]], float)
        mapped = corners @ inverse.T
        left, top = np.floor(mapped.min(axis=0)).astype(int)
        right, bottom = np.ceil(mapped.max(axis=0)).astype(int)
        return int(left), int(top), int(right - left), int(bottom - top)


def _sheared(shape: tuple[int, int], tilt: float, shear: float) -> tuple[np.ndarray, tuple[int, int]]:
    """The matrix of a turn by `tilt` degrees anticlockwise then a horizontal shear by `shear`, moved so no pixel
    is cut off, and the size that holds the result."""
    height, width = shape
    turn = cv2.getRotationMatrix2D((0.0, 0.0), tilt, 1.0)[:, :2]
    linear = np.array([[1.0, shear], [0.0, 1.0]]) @ turn
    corners = np.array([[0.0, 0.0], [width, 0.0], [0.0, height], [width, height]]) @ linear.T
    low, high = corners.min(axis=0), corners.max(axis=0)
    return np.hstack([linear, -low[:, None]]), (math.ceil(high[0] - low[0]), math.ceil(high[1] - low[1]))


def straighten(image: np.ndarray, tilt: float, shear: float) -> tuple[np.ndarray, Straightening]:
    """The ink turned level by `tilt` degrees and stood upright by `shear`, in one warp."""
    matrix, size = _sheared(image.shape, tilt, shear)
    if tilt == 0.0 and shear == 0.0:
        return image, Straightening(tilt, shear, matrix)
    return cv2.warpAffine(image, matrix, size, flags=cv2.INTER_NEAREST), Straightening(tilt, shear, matrix)


def warped_like(image: np.ndarray, straightening: Straightening, shape: tuple[int, int]) -> np.ndarray:
    """Another image of the same page (the ink's tone) levelled and stood upright as the ink was, to `shape`."""
    if straightening.tilt == 0.0 and straightening.shear == 0.0:
        return image
    return cv2.warpAffine(image, straightening.matrix, (shape[1], shape[0]), flags=cv2.INTER_LINEAR)


def small_ink(binary: np.ndarray) -> np.ndarray:
    """The ink on a float copy at most SLANT_HEIGHT tall, on which tilt and slant are judged."""
    height, width = binary.shape
    factor = min(1.0, SLANT_HEIGHT / height)
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return cv2.resize(binary, size, interpolation=cv2.INTER_AREA).astype(np.float32)


def estimate_tilt(small: np.ndarray, marks: np.ndarray) -> float:
    """The degrees to turn a tilted line of digits (or the lines of a page photographed askew) to lay it level: the
    turn that piles its ink into the fewest rows (sum of squared row sums), as level lines do, where it piles them
    better by more the further it turns (TILT_GAIN_PER_DEGREE): a photo is far more often near level than far off
    it, and a remnant of the next row in a cell's corner climbs as steeply as a line from the digits. Where the ink
    has separate marks, only turns close to how their centres climb are tried, and ink whose marks already sit
    level is left alone at once. Ink of one mark must be wider than tall, as a line is: a single digit's flag must
    not be laid flat. `small` is the ink as `small_ink` gives it; `marks` the boxes (x, y, width, height) of its
    separate marks at full size (`Components.stats`): a page of several lines, shrunk to SLANT_HEIGHT, runs its
    digits together."""
    if not small.any():
        return 0.0
    slope = _marks_slope(marks)
    climb = None if slope is None else math.degrees(math.atan(slope))
    if climb is not None and abs(climb) < TILT_LEVEL:
        return 0.0
    if climb is None and not _wide(small):
        return 0.0  # one mark, too narrow for a line: a single digit's flag must not be laid flat
    tried = [tilt for tilt in TILTS if climb is None or abs(tilt - climb) <= TILT_AGREEMENT]
    if tried in ([], [0.0]):
        return 0.0
    ink = _inked(small)
    first = tried if climb is not None else tried[::2]  # the few turns near the climb; else every other turn...
    scores = dict(zip([0.0, *first], _row_piling(ink, [0.0, *first]).tolist()))
    best = max(first, key=scores.get)
    beside = [tilt for tilt in tried if abs(tilt - best) == TILT_STEP and tilt not in scores]
    if beside:  # ...and then the two beside the best of those
        scores |= dict(zip(beside, _row_piling(ink, beside).tolist()))
        best = max([best, *beside], key=scores.get)
    needed = max(TILT_GAIN, 1 + TILT_GAIN_PER_DEGREE * abs(best))
    if best in (TILTS[0], TILTS[-1]) or scores[best] <= needed * scores[0.0]:
        return 0.0  # the best at the range's end is a flag or border laid flat, not a line
    return best


def _inked(small: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The inked pixels' rows and columns (float32) and their ink, for `_row_piling`."""
    ys, xs = np.nonzero(small)
    return ys.astype(np.float32), xs.astype(np.float32), small[ys, xs]


def _row_piling(ink: tuple[np.ndarray, np.ndarray, np.ndarray], tilts: list[float]) -> np.ndarray:
    """For each turn (degrees), how the ink (`_inked`) piles into rows turned that way: the sum of squared row sums,
    each inked pixel counted in the row its centre turns to."""
    ys, xs, weights = ink
    radians = np.radians(np.asarray(tilts, np.float32))
    rows = np.rint(np.outer(np.cos(radians), ys) - np.outer(np.sin(radians), xs)).astype(np.int64)
    return _piled(rows, weights)


def _piled(places: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per row of `places` (one way of laying the ink out: the row or column each inked pixel lands in), the sum of
    the squared totals of the pixels' `weights` in each place: the more the ink piles up, the higher."""
    places = places - places.min(axis=1, keepdims=True)
    span = int(places.max()) + 1
    piles = np.bincount((places + span * np.arange(len(places))[:, None]).ravel(), np.tile(weights, len(places)),
                        span * len(places)).reshape(len(places), span)
    return (piles ** 2).sum(axis=1)


def _wide(ink: np.ndarray) -> bool:
    """Whether the ink is wider than tall as a line of digits is (TILT_LINE_ASPECT)."""
    rows, columns = np.nonzero(ink.sum(axis=1))[0], np.nonzero(ink.sum(axis=0))[0]
    return columns[-1] - columns[0] >= TILT_LINE_ASPECT * (rows[-1] - rows[0])


def _marks_slope(marks: np.ndarray) -> float | None:
    """How the centres of a line's separate marks (boxes: x, y, width, height) climb: the median slope from each mark
    to the nearest one beside it, to its right and no steeper than the turns tried (on a page of several lines, the
    marks above and below are on other lines); None for one mark, or marks only above one another: flags lined up
    across digits may pile ink into rows, but the digits themselves do not climb."""
    if len(marks) < 2:
        return None
    tall = marks[marks[:, 3] >= 0.4 * marks[:, 3].max()].astype(np.float64)
    centres = tall[:, :2] + tall[:, 2:] / 2
    across = centres[None, :, 0] - centres[:, None, 0]
    climb = centres[None, :, 1] - centres[:, None, 1]
    beside = (across > 0) & (np.abs(climb) <= np.tan(np.radians(TILTS[-1])) * across)
    if not beside.any():
        return None
    distances = np.where(beside, np.hypot(across, climb), np.inf)
    rows = np.flatnonzero(beside.any(axis=1))
    nearest = distances[rows].argmin(axis=1)
    return median((climb[rows, nearest] / across[rows, nearest]).tolist())


def estimate_slant(small: np.ndarray) -> float:
    """The shear that makes strokes most vertical: it piles ink into the fewest columns (sum of squared column sums).
    `small` is the ink as `small_ink` gives it."""
    if small.sum() == 0:
        return 0.0
    scores = _column_piling(_inked(small), SLANTS)
    best = int(np.argmax(scores))
    return SLANTS[best] if scores[best] > SLANT_GAIN * scores[SLANTS.index(0.0)] else 0.0


def _column_piling(ink: tuple[np.ndarray, np.ndarray, np.ndarray], shears: list[float]) -> np.ndarray:
    """For each shear, how the ink (`_inked`) piles into columns sheared that way: the sum of squared column sums,
    each inked pixel counted in the column its centre shears to, as a warp would move it, with no image warped. Halves
    round up, not to even: at a shear of 0.5, rounding to even would shift some pairs of rows alike and others apart,
    and pile ink that is not upright."""
    ys, xs, weights = ink
    columns = np.floor(xs[None, :] + np.asarray(shears, np.float32)[:, None] * ys[None, :] + 0.5).astype(np.int64)
    return _piled(columns, weights)
