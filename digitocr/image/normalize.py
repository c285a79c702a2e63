"""MNIST-style normalisation of one digit mask.

Every digit the model sees, in training and in reading, comes out of
`to_model_input`, so a crop at inference looks like what the model learned:

1. crop the mask to its ink,
2. bring the stroke to MNIST's width (thin pen lines are thickened, fat canvas
   strokes thinned), measured with a distance transform; a thickened stroke
   may grow past the crop, or a '1' drawn as one thin straight line could
   not widen at all and reached the model one pixel wide,
3. fit the longer side into a 20x20 box, keeping the aspect ratio, with area
   interpolation so edges are anti-aliased,
4. place it in a 28x28 field so its centre of mass sits at the centre,
5. ink bright (1.0) on a dark (0.0) field, float32.
"""

import functools

import cv2
import numpy as np

from ..networks.classifier import FIELD_SIZE

BOX_SIZE = 20  # MNIST digits fit a 20x20 box inside the field
PAPER_SHARE = 10  # percent of a scan of one digit that is surely paper: its level is the paper's
GRAY_INK = 0.2  # of the ink's peak: a fainter pixel of a gray scan is paper's grain, outside the digit's box
SATURATED = 90  # percentile of a piece's ink tone brought to full ink: its darkest tenth, the strokes' middle
NEIGHBOURS = np.ones((3, 3), np.uint8)  # a piece's gray levels reach one pixel past its ink, every way
STROKE_IN_BOX = 2.2  # typical MNIST stroke width, in pixels of the 20-pixel box
MAX_WORK_SIDE = 96  # crops are resampled to at most this before stroke work


def stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width in pixels: for a band of width w the mean distance to its edge is about w/4."""
    ink = mask > 0
    if not ink.any():
        return 0.0
    padded = cv2.copyMakeBorder(ink.view(np.uint8), 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    distances = cv2.distanceTransform(padded, cv2.DIST_L2, 3)[padded.view(bool)]
    return float(4.0 * (np.add.reduce(distances) / distances.size))  # ndarray.mean's float32 sum, without its overhead


def _crop_to_ink(mask: np.ndarray) -> np.ndarray:
    """The mask (bool or uint8) cut to the bounding box of its ink; empty (0x0) where it has none."""
    x, y, width, height = cv2.boundingRect(mask.view(np.uint8))
    return mask[y:y + height, x:x + width]


def _to_work_size(mask: np.ndarray) -> np.ndarray:
    """Resample so the longer side is MAX_WORK_SIDE: large crops get cheaper, tiny ones get room to thicken.

    When shrinking, the cut-off follows the stroke's coverage so a thin pen line
    survives as a thin line instead of vanishing.
    """
    height, width = mask.shape
    scale = MAX_WORK_SIDE / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if scale < 1:
        resized = cv2.resize(mask.astype(np.float32), size, interpolation=cv2.INTER_AREA)
        cut_off = 0.5 * min(1.0, stroke_width(mask) * scale)
    else:
        resized = cv2.resize(mask.astype(np.float32), size, interpolation=cv2.INTER_LINEAR)
        cut_off = 0.5
    return (resized >= max(cut_off, 1e-3)).view(np.uint8)


def _set_stroke_width(mask: np.ndarray, target: float) -> np.ndarray:
    current = stroke_width(mask)
    if current <= 0:
        return mask
    radius = int(round((target - current) / 2))
    if radius == 0:
        return mask
    kernel = _disc(abs(radius))
    if radius > 0:
        padded = cv2.copyMakeBorder(mask, radius, radius, radius, radius, cv2.BORDER_CONSTANT, value=0)
        return cv2.dilate(padded, kernel)
    thinned = cv2.erode(mask, kernel)
    return thinned if thinned.any() else mask


@functools.lru_cache(maxsize=None)
def _disc(radius: int) -> np.ndarray:
    """The elliptic structuring element of a radius; a few radii recur for every digit, so kept."""
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    kernel.flags.writeable = False
    return kernel


def _centre_by_mass(box_image: np.ndarray) -> np.ndarray:
    """The box placed in the field with its centre of mass at the centre, clipped to [0, 1]."""
    field = np.zeros((FIELD_SIZE, FIELD_SIZE), np.float32)
    height, width = box_image.shape
    total = np.add.reduce(box_image, axis=None)
    if total <= 0:
        return field
    ys, xs = _grid(height, width)
    centre_y = float(np.add.reduce(ys * box_image, axis=None) / total)
    centre_x = float(np.add.reduce(xs * box_image, axis=None) / total)
    top = min(max(round(FIELD_SIZE / 2 - centre_y - 0.5), 0), FIELD_SIZE - height)
    left = min(max(round(FIELD_SIZE / 2 - centre_x - 0.5), 0), FIELD_SIZE - width)
    placed = field[top:top + height, left:left + width]
    np.minimum(np.maximum(box_image, 0.0, out=placed), 1.0, out=placed)
    return field


@functools.lru_cache(maxsize=None)
def _grid(height: int, width: int) -> np.ndarray:
    """Row and column indices of a box as float64 (the type their products with float32 pixels take); at most
    BOX_SIZE squared shapes, so kept."""
    grid = np.mgrid[0:height, 0:width].astype(np.float64)
    grid.flags.writeable = False
    return grid


def to_model_input(mask: np.ndarray, stroke_in_box: float = STROKE_IN_BOX) -> np.ndarray:
    """Turn a digit's binary mask (any size, ink non-zero) into a 28x28 float32 image in [0, 1]."""
    if mask.ndim != 2 or not mask.size:
        return np.zeros((FIELD_SIZE, FIELD_SIZE), np.float32)
    crop = _crop_to_ink(mask > 0)
    work = _crop_to_ink(_to_work_size(crop)) if crop.size else crop
    if not work.size:
        return np.zeros((FIELD_SIZE, FIELD_SIZE), np.float32)
    box_scale = BOX_SIZE / max(work.shape)
    work = _crop_to_ink(_set_stroke_width(work, stroke_in_box / box_scale))
    height, width = work.shape
    box_scale = BOX_SIZE / max(height, width)
    size = (max(1, round(width * box_scale)), max(1, round(height * box_scale)))
    return _centre_by_mass(cv2.resize(work.astype(np.float32), size, interpolation=cv2.INTER_AREA))


def gray_model_input(bright: np.ndarray) -> np.ndarray:
    """A small gray scan of one digit (uint8, ink bright) as a 28x28 input the way MNIST's own digits were made: the
    paper's level taken off, the ink's peak brought to 1, cut to the ink, fit into the 20x20 box and centred by
    mass. Its gray levels keep what a threshold loses: a '9' whose loop the scanner's blur half closed is lighter
    inside the loop than on the stroke, where a cut makes it a solid blob."""
    tone = bright.astype(np.float32) - np.percentile(bright, PAPER_SHARE)
    peak = float(np.percentile(tone, 99))
    if peak <= 0:
        return np.zeros((FIELD_SIZE, FIELD_SIZE), np.float32)
    tone = np.clip(tone / peak, 0.0, 1.0)
    x, y, width, height = cv2.boundingRect((tone > GRAY_INK).view(np.uint8))
    if not width:
        return np.zeros((FIELD_SIZE, FIELD_SIZE), np.float32)
    return _fit_in_box(tone[y:y + height, x:x + width])


def gray_near_ink(tone: np.ndarray, own: np.ndarray) -> np.ndarray | None:
    """The ink's tone (bright where darker on the page, its background taken off) within a pixel of the kept ink
    (`own`, boolean, the same box), float32 with the darkest tenth of that ink brought to 1: MNIST's strokes are
    saturated along their middle, and one dark pixel would dim the rest. None where no ink has any tone."""
    if not own.any():
        return None
    gray = tone.astype(np.float32) * cv2.dilate(own.view(np.uint8), NEIGHBOURS)
    ink = gray[own]
    saturated = (len(ink) - 1) * SATURATED // 100
    peak = float(np.partition(ink, saturated)[saturated])  # np.percentile's answer at a quarter of its cost
    return np.minimum(gray / peak, 1.0) if peak > 0 else None


def gray_piece_input(tone: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A piece's gray levels as a 28x28 input, the way MNIST's own digits were made: the ink's tone (uint8, bright
    where darker on the page, its background taken off) within a pixel of the piece's own ink (`mask`, the same box),
    the darkest tenth of its ink brought to 1 (MNIST's strokes are saturated along their middle), thickened to
    MNIST's stroke width where thinner, fit into the 20x20 box and centred by mass. The classifier learned MNIST's
    gray digits first, and reads them better than their cut: 99.57% of MNIST's test set as published, 99.15%
    through `to_model_input`."""
    own = mask > 0
    gray = gray_near_ink(tone, own)
    if gray is None:
        return np.zeros((FIELD_SIZE, FIELD_SIZE), np.float32)
    radius = int(round((STROKE_IN_BOX * max(gray.shape) / BOX_SIZE - stroke_width(own)) / 2))
    if radius > 0:
        padded = cv2.copyMakeBorder(gray, radius, radius, radius, radius, cv2.BORDER_CONSTANT, value=0)
        gray = cv2.dilate(padded, _disc(radius))
    return _fit_in_box(gray)


def _fit_in_box(gray: np.ndarray) -> np.ndarray:
    """Gray ink (float32, 0 to 1) fit into the 20x20 box, keeping its proportions, and centred by mass."""
    height, width = gray.shape
    scale = BOX_SIZE / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return _centre_by_mass(cv2.resize(gray, size, interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA))
