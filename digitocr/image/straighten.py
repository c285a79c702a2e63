"""Standing handwriting upright: a tilted line levelled and slanted strokes sheared upright, in one warp, with the
map kept so boxes found on the straightened ink go back to the image's pixels."""

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .orderstats import median

SLANTS = [round(0.1 * step, 1) for step in range(-7, 8)]  # shears tried to stand handwriting upright
TILTS = [round(0.03 * step, 2) for step in range(-9, 10)]  # vertical shears tried to level a line (about 15 degrees)
TILT_GAIN = 1.1  # levelling must pile ink into rows this much better than leaving the line as it is...
TILT_LINE_ASPECT = 1.5  # ...and the ink be this many times wider than tall, as a line of digits is...
TILT_AGREEMENT = 0.06  # ...and agree this well with how the centres of its separate marks climb
TILT_LEVEL = 0.03  # marks whose centres climb less than this are level enough (under 2 degrees)
SLANT_HEIGHT = 64  # slant is judged on a copy this tall
SLANT_GAIN = 1.05  # a shear must pile ink up this much better than none to be used


@dataclass(frozen=True)
class Straightening:
    """The affine map from the cleaned ink to the straightened ink (a tilted line levelled, then slanted strokes
    stood upright), kept to map boxes back."""

    tilt: float  # vertical shear that levelled the line: y' = y + tilt * x (+ a shift)
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
    """The matrix of a vertical shear by `tilt` then a horizontal one by `shear`, moved so no pixel is cut off,
    and the size that holds the result."""
    height, width = shape
    across = 1.0 + shear * tilt  # x'' = across * x + shear * y, y' = tilt * x + y
    xs = (0.0, across * width, shear * height, across * width + shear * height)
    ys = (0.0, tilt * width, float(height), tilt * width + height)
    left, top = min(xs), min(ys)
    return np.array([[across, shear, -left], [tilt, 1.0, -top]]), (math.ceil(max(xs) - left), math.ceil(max(ys) - top))


def straighten(image: np.ndarray, tilt: float, shear: float) -> tuple[np.ndarray, Straightening]:
    """The ink levelled by `tilt` and stood upright by `shear`, in one warp."""
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


def estimate_tilt(small: np.ndarray) -> float:
    """The vertical shear that lays a tilted line of digits level: it piles ink into the fewest rows (sum of
    squared row sums), as a level line does. Where the line has separate marks, only tilts close to how their
    centres climb are tried, and a line whose marks already sit level is left alone at once. `small` is the
    ink as `small_ink` gives it."""
    rows, columns = np.nonzero(small.sum(axis=1))[0], np.nonzero(small.sum(axis=0))[0]
    if not len(rows) or columns[-1] - columns[0] < TILT_LINE_ASPECT * (rows[-1] - rows[0]):
        return 0.0  # too narrow for a line: a single digit's flag must not be laid flat
    slope = _marks_slope(small)
    if slope is not None and abs(slope) < TILT_LEVEL:
        return 0.0
    tried = [tilt for tilt in TILTS if slope is None or abs(tilt + slope) <= TILT_AGREEMENT]
    if tried in ([], [0.0]):
        return 0.0
    scores = {}
    for tilt in {0.0, *tried}:
        matrix, size = _sheared(small.shape, tilt, 0.0)
        scores[tilt] = float((cv2.warpAffine(small, matrix, size).sum(axis=1) ** 2).sum())
    best = max(tried, key=scores.get)
    if best in (TILTS[0], TILTS[-1]) or scores[best] <= TILT_GAIN * scores[0.0]:
        return 0.0  # the best at the range's end is a flag or border laid flat, not a line
    return best


def _marks_slope(small: np.ndarray) -> float | None:
    """How the centres of a line's separate marks climb (the median slope over pairs), or None for one mark:
    flags lined up across digits may pile ink into rows, but the digits themselves do not climb."""
    count, _, stats, centroids = cv2.connectedComponentsWithStats((small > 0).astype(np.uint8), connectivity=8)
    if count < 3:
        return None
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    xs, ys = centroids[1:][heights >= 0.4 * heights.max()].T
    across, climb = xs[None, :] - xs[:, None], ys[None, :] - ys[:, None]
    pairs = np.triu(np.ones(across.shape, bool), 1) & (across != 0)
    return median((climb[pairs] / across[pairs]).tolist()) if pairs.any() else None


def estimate_slant(small: np.ndarray) -> float:
    """The shear that makes strokes most vertical: it piles ink into the fewest columns (sum of squared column sums).
    `small` is the ink as `small_ink` gives it."""
    if small.sum() == 0:
        return 0.0
    scores = [float((straighten(small, 0.0, shear)[0].sum(axis=0) ** 2).sum()) for shear in SLANTS]
    best = SLANTS[int(np.argmax(scores))]
    return best if scores[int(np.argmax(scores))] > SLANT_GAIN * scores[SLANTS.index(0.0)] else 0.0
