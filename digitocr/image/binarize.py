"""From RGB pixels to binary ink: each stage takes and returns arrays, so the debug view can show every one.

grayscale -> working size -> Gaussian blur -> ink polarity (ink made bright)
-> background flattening (shadows and uneven light removed) -> threshold
(Otsu, or adaptive where the light is uneven, with hysteresis so faint
strokes stay whole, and each mark under Otsu's cut at half its own peak so a
thin pen's digit beside a marker's stays whole too).
"""

from dataclasses import dataclass

import cv2
import numpy as np

from .components import joined_to
from .normalize import stroke_width
from .orderstats import image_percentiles

BACKGROUND_SIDE = 160  # the background is estimated on a copy this size, far cheaper than full size
BACKGROUND_KERNEL = 4.0  # opening size in stroke widths (of a first Otsu guess): wider than any stroke
POLARITY_WINDOW = 0.5  # paper tone window, as a fraction of the small copy's shorter side
POLARITY_TAIL = 0.5  # percent of pixels at each end taken as the darkest and lightest marks
POLARITY_MARGIN = 1.25  # tails closer than this ratio are a tie (a bold digit filling its crop), settled by area
FRAME_SIDE = 0.9  # an image side this much covered by the lesser tone is a frame line
MIN_CONTRAST = 16  # flattened ink this faint (of 255) is noise, not writing
HYSTERESIS = 0.75  # fainter pixels down to this share of the cut-off are kept where they touch ink
UNEVEN_LIGHT = 60  # background range (of 255) above which the threshold is adaptive
COLOUR_CONTRAST = 2  # marks spread this many times as far along the colours' main axis as in lightness: ink told by
# colour (a gray image's spread 1.16 times; no dev image, nor any stress scene of another kind, over 1.24)
COLOUR_SIDE = 64  # the colours' spread is measured on about this many pixels across the longer side, evenly spaced
PAPER_CHANGES = 3  # pixels of that sample: the paper's own tone is the colours blurred this far, the marks what differ
LUMINANCE = np.array([0.299, 0.587, 0.114])  # lightness's RGB weights (ITU-R BT.601), as OpenCV's grayscale weighs
LIGHTNESS_AXIS = LUMINANCE / np.linalg.norm(LUMINANCE)  # the same, as a unit axis
LOCAL_MEAN_SIGMA = 6.0  # pixels of Gaussian sigma kept when the adaptive threshold's local mean is shrunk


def gray_along(rgb: np.ndarray, axis: np.ndarray | None) -> np.ndarray:
    """The image's luminance where `axis` is None, else the image along that unit RGB axis, stretched to 0-255 with
    its paper (the median, most of the image) light."""
    if axis is None:
        return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    along = rgb.reshape(-1, 3).astype(np.float32) @ axis.astype(np.float32)
    low, middle, high = image_percentiles(np.round(along).astype(np.int16), (0, 50, 100))
    if middle < (low + high) / 2:  # the paper darker than the middle: turned round
        along, low, high = -along, -high, -low
    return np.clip((along - low) * (255 / max(high - low, 1.0)), 0, 255).astype(np.uint8).reshape(rgb.shape[:2])


def colour_axis(rgb: np.ndarray) -> np.ndarray | None:
    """The unit axis in RGB along which the marks' colours spread most, where they spread COLOUR_CONTRAST times as
    far along it as along lightness; None where lightness shows them as well.

    Red ink on green paper of the same lightness is plain to a person, and
    luminance makes it one gray: the number read as nothing. The marks are
    what differs from the paper around them (the colours less their blur,
    PAPER_CHANGES): light falling off across a photo, or a shadow, changes the
    paper's lightness slowly, and measured on the whole image it outweighed
    the ink's colour (a coloured pen on coloured paper under uneven light read
    49-59 of 100, `coloured_ink`). A photo whose ink is darker than its paper,
    as nearly all are, spreads its marks along lightness nearly as far as
    along any colour (a gray image's main axis 1.16 times as far; no dev
    image, nor any stress scene of other kinds on four seeds, over 1.24), and
    keeps its luminance.
    """
    step = -(-max(rgb.shape[:2]) // COLOUR_SIDE)  # every step-th pixel each way: a resize to that size cost 2 ms
    sample = rgb[::step, ::step].astype(np.float64)
    marks = (sample - cv2.GaussianBlur(sample, (0, 0), PAPER_CHANGES)).reshape(-1, 3)
    spread, _ = cv2.calcCovarMatrix(marks, None, cv2.COVAR_NORMAL | cv2.COVAR_ROWS | cv2.COVAR_SCALE)
    least = COLOUR_CONTRAST ** 2 * float(LIGHTNESS_AXIS @ spread @ LIGHTNESS_AXIS)
    if np.trace(spread) <= least:  # no axis spreads further than all three together: the usual answer, found cheaply
        return None
    variances, axes = np.linalg.eigh(spread)
    return axes[:, -1] if variances[-1] > least else None


def working_scale(shape: tuple[int, int], working_side: int, min_short_side: int) -> float:
    """Factor that brings a photo down to `working_side`, or a tiny scan up to `min_short_side`.

    A long strip (a ledger's row scanned whole, 8,400 by 130 pixels) brought
    down to the working side would be 16 pixels tall, its digits illegible:
    it is brought down no further than its shorter side's `min_short_side`,
    whatever its longer side comes to, within the pixels a square image at the
    working side has, which bound what the pipeline costs. An image less
    elongated than `working_side` to `min_short_side` (10.7 to 1) meets both
    bounds at once, and is scaled as a photo always was; nor is any image
    enlarged past the working side, so a strip a few pixels tall (no writing)
    does not become a wide field of noise.
    """
    height, width = shape[:2]
    longer, shorter = max(height, width), min(height, width)
    to_working_side, to_least_short_side = working_side / longer, min_short_side / shorter
    if longer > working_side:
        return min(max(to_working_side, min(1.0, to_least_short_side)), working_side / float(np.sqrt(height * width)))
    if shorter < min_short_side:
        return min(to_least_short_side, to_working_side)
    return 1.0


def resize(gray: np.ndarray, factor: float) -> np.ndarray:
    if factor == 1.0:
        return gray
    size = (max(1, round(gray.shape[1] * factor)), max(1, round(gray.shape[0] * factor)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC)


def blur(gray: np.ndarray) -> np.ndarray:
    """Gaussian blur sized to the image: enough to melt JPEG and paper grain, not thin strokes."""
    kernel = 3 if min(gray.shape) < 300 else 5
    return cv2.GaussianBlur(gray, (kernel, kernel), 0)


def small_copy(gray: np.ndarray) -> np.ndarray:
    """The image at most BACKGROUND_SIDE long, where the page's tones are judged far cheaper than at full size."""
    return resize(gray, small_factor(gray.shape))


def small_factor(shape: tuple[int, ...]) -> float:
    return min(1.0, BACKGROUND_SIDE / max(shape))


def ink_is_dark(gray: np.ndarray, small: np.ndarray | None = None) -> bool:
    """Decide polarity from the image: which side of the local paper tone do the furthest marks lie on?

    The paper tone is a median over windows half the image wide, which follows
    shading but not strokes; ink is the tail that reaches furthest from it.
    Where the tails reach as far, or no further than grain (MIN_CONTRAST),
    they may hold no ink at all: a number written small on a whole sheet
    covers less of it than the tails, which are then the paper's grain both
    ways, and a glint of light a few levels brighter outreaches grain. The
    furthest pixels either way then decide, at the image's own size (in the
    small copy such a number is a few gray pixels, as faint as grain), where
    one side's reach far exceeds the other's and is no mere grain
    (MIN_CONTRAST). Where strokes fill half a window that median is ink
    itself and both sides reach as far; then ink is whichever tone covers less
    of the image and of its outermost pixels taken together: a bold digit
    cropped tight may cover half the image, but the crop's edge is still
    mostly paper. A side lined all along with the lesser tone is a cell's
    frame, not paper, and is left out of that count. `small` is the image's
    `small_copy`, where the caller has it.
    """
    small = small_copy(gray) if small is None else small
    window = min(255, max(3, int(POLARITY_WINDOW * min(small.shape)) | 1))
    paper = cv2.medianBlur(small, window)
    difference = small.astype(np.int16) - paper.astype(np.int16)
    lowest, highest = image_percentiles(difference, (POLARITY_TAIL, 100 - POLARITY_TAIL))
    darker, lighter = -lowest, highest
    if max(darker, lighter) < max(MIN_CONTRAST, POLARITY_MARGIN * min(darker, lighter)):
        furthest_darker, furthest_lighter = furthest_reach(gray, paper)
        furthest = max(furthest_darker, furthest_lighter)
        if furthest >= MIN_CONTRAST and furthest >= POLARITY_MARGIN * min(furthest_darker, furthest_lighter):
            return furthest_darker > furthest_lighter
        level, _ = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        dark = small <= level
        dark_share = float(dark.mean())
        lesser_is_dark = dark_share < 0.5
        sides = [side for side in (dark[0], dark[-1], dark[:, 0], dark[:, -1])
                 if (side.mean() if lesser_is_dark else 1 - side.mean()) < FRAME_SIDE]
        return dark_share + (float(np.concatenate(sides).mean()) if sides else dark_share) < 1.0
    return float(darker) >= float(lighter)


def furthest_reach(gray: np.ndarray, paper: np.ndarray) -> tuple[int, int]:
    """How far the darkest and the lightest pixels of `gray` lie from the paper tone (`paper`, judged on its small
    copy), at `gray`'s own size: a number written small on a whole sheet shrinks to a few gray pixels in the small
    copy, where the paper's grain reaches as far, while at its own size its strokes keep their full contrast."""
    difference = gray.astype(np.int16) - cv2.resize(paper, (gray.shape[1], gray.shape[0]),
                                                    interpolation=cv2.INTER_LINEAR).astype(np.int16)
    return -int(difference.min()), int(difference.max())


def edge_says_dark_ink(gray: np.ndarray) -> bool:
    """Whether most of an image's outermost pixels lie on the light side of its Otsu cut: paper surrounds a scanned
    digit, which reaches the scan's edge here and there."""
    level, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    edge = np.concatenate([gray[0], gray[-1], gray[1:-1, 0], gray[1:-1, -1]])
    return float((edge > level).mean()) > 0.5


def ink_bright(gray: np.ndarray, dark_ink: bool) -> np.ndarray:
    """Invert dark ink so ink is bright on a dark field, as MNIST and contour finding expect."""
    return cv2.bitwise_not(gray) if dark_ink else gray


@dataclass(frozen=True)
class Background:
    flattened: np.ndarray  # ink minus its local background, uint8
    estimate: np.ndarray  # the background that was removed, uint8, full size
    unevenness: int  # range of the background, 5th to 95th percentile


def flatten_background(bright: np.ndarray) -> Background:
    """Subtract the local background (a morphological opening wider than any stroke) so shadows vanish."""
    factor = small_factor(bright.shape)
    small = resize(bright, factor)
    _, first_guess = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    short = min(small.shape)
    side = int(np.clip(BACKGROUND_KERNEL * stroke_width(first_guess), max(3, 0.1 * short), max(3, 0.5 * short)))
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (side, side))
    opened = cv2.morphologyEx(small, cv2.MORPH_OPEN, kernel)
    opened = np.minimum(opened, cv2.blur(opened, (side, side)))
    estimate = cv2.resize(opened, (bright.shape[1], bright.shape[0]), interpolation=cv2.INTER_LINEAR)
    flattened = cv2.subtract(bright, estimate)
    low, high = image_percentiles(opened, (5, 95))
    return Background(flattened, estimate, int(high - low))


def _histogram_median(histogram: np.ndarray) -> float:
    """Median of the values a histogram counts (value = index); 0 for an empty one."""
    total = histogram.sum()
    return float(np.searchsorted(np.cumsum(histogram), total / 2)) if total else 0.0


def hysteresis(image: np.ndarray, level: float | np.ndarray) -> np.ndarray:
    """Pixels above `level` (one for the image, or one per pixel), plus fainter ones (above HYSTERESIS of it) joined
    to them: faint strokes stay whole."""
    weak = (image > HYSTERESIS * level).astype(np.uint8) * np.uint8(255)
    return joined_to(weak, image > level)


def own_levels(image: np.ndarray, level: float, floor: float) -> tuple[float | np.ndarray, int]:
    """Each mark's cut-off: the image's `level`, or half the mark's own peak where that is lower (then per pixel);
    and how many marks are cut lower.

    A thin ballpoint stroke beside a marker's comes out of the blur and the
    resize far fainter, and a global cut set between paper and the darkest
    ink slices it into specks: a person still sees one stroke. So a mark
    (ink above the noise `floor`) that reaches `level` somewhere is ink, and
    is cut at half its own peak, where its stroke is half as dark as its
    middle, the width a stroke's profile is measured at. A mark that reaches
    `level` nowhere (a faint stamp, ink showing through the paper) stays out,
    as before.
    """
    marks = (image > floor).astype(np.uint8)
    count, labels = cv2.connectedComponents(marks, connectivity=8)
    inked = marks.view(bool)
    owners, values = labels[inked], image[inked]
    order = np.argsort(owners, kind="stable")
    owners_in_order = owners[order]
    starts = np.flatnonzero(np.diff(owners_in_order, prepend=-1))  # where each mark's pixels begin
    peaks = np.zeros(count, np.float32)
    peaks[owners_in_order[starts]] = np.maximum.reduceat(values[order], starts)
    half = peaks / 2
    lowered = (peaks > level) & (half > floor) & (half < level)
    if not lowered.any():
        return level, 0
    levels = np.where(lowered, half, np.float32(level))
    per_pixel = np.full(image.shape, level, np.float32)
    per_pixel[inked] = levels[owners]
    return per_pixel, int(lowered.sum())


def gaussian_local_mean(image: np.ndarray, block: int) -> np.ndarray:
    """The Gaussian-weighted mean over a `block`-wide window, as OpenCV's adaptive threshold takes it.

    A window a sixth of the image wide is smooth, so it is taken on a copy
    shrunk to keep about LOCAL_MEAN_SIGMA pixels of its sigma: the same field
    at a small fraction of the cost of a full-size blur that wide.
    """
    sigma = 0.3 * ((block - 1) * 0.5 - 1) + 0.8  # OpenCV's sigma for a Gaussian kernel of this size
    factor = min(1.0, LOCAL_MEAN_SIGMA / sigma)
    small = cv2.resize(image.astype(np.float32), None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigma * small.shape[1] / image.shape[1], borderType=cv2.BORDER_REPLICATE)
    return cv2.resize(small, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_LINEAR)


@dataclass(frozen=True)
class Threshold:
    binary: np.ndarray  # 255 where ink
    method: str  # "otsu" or "adaptive"
    level: float  # the global cut-off chosen (of 255)
    faint_level: float  # half the cut-off, above the paper's grain: a mark this bright is seen, if too faint for ink
    marks_cut_lower: int = 0  # marks fainter than the cut-off's ink, cut at half their own peak (Otsu only)


def ridge_stroke_width(mask: np.ndarray) -> float:
    """The typical stroke's width: twice the median distance to the ink's edge along the strokes' ridges. Unlike
    the mean over all ink, it follows the strokes, not a scan's black margin or a blot."""
    ink = cv2.copyMakeBorder((mask > 0).view(np.uint8), 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    distances = cv2.distanceTransform(ink, cv2.DIST_L2, 3)[1:-1, 1:-1]
    ridge = (distances > 0) & (distances >= cv2.dilate(distances, np.ones((3, 3), np.uint8)))
    return 2.0 * float(np.median(distances[ridge])) if ridge.any() else 0.0


def threshold(flattened: np.ndarray, method: str, unevenness: int) -> Threshold:
    """Binarise; `auto` picks adaptive only when the light across the page was uneven.

    The adaptive window is at least as wide as the background's opening,
    BACKGROUND_KERNEL strokes: a window narrower than a bold stroke sees only
    ink there, and cuts the stroke's outline instead of the stroke. The
    strokes are measured only where an erosion shows ink that wide at all.
    """
    otsu_level, _ = cv2.threshold(flattened, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    counts = cv2.calcHist([flattened], [0], None, [256], [0, 256]).ravel().astype(np.int64)  # exact below 2**24 pixels
    histogram = counts[:int(otsu_level) + 1]
    median = _histogram_median(histogram)
    deviations = np.bincount(np.abs(np.arange(len(histogram)) - round(median)), weights=histogram, minlength=256)
    noise_floor = max(MIN_CONTRAST, median + 4 * 1.4826 * _histogram_median(deviations))
    level = max(float(otsu_level), noise_floor)
    faint_level = max(noise_floor, level / 2)
    chosen = method if method != "auto" else ("adaptive" if unevenness > UNEVEN_LIGHT else "otsu")
    if chosen == "otsu":
        levels, marks_cut_lower = own_levels(flattened, level, noise_floor)
        return Threshold(hysteresis(flattened, levels), chosen, level, faint_level, marks_cut_lower)
    block = max(3, (min(flattened.shape) // 6) | 1)
    ink = (flattened > level).view(np.uint8)
    widest_unseen = max(1, int(block / BACKGROUND_KERNEL))  # ink this wide anywhere survives an erosion this wide
    if cv2.erode(ink, np.ones((widest_unseen, widest_unseen), np.uint8)).any():
        block = max(block, int(BACKGROUND_KERNEL * ridge_stroke_width(ink)) | 1)
    cut_off = gaussian_local_mean(flattened, block) + level / 3
    local = cv2.compare(flattened.astype(np.float32), cut_off, cv2.CMP_GT)
    _, floor = cv2.threshold(flattened, level / 2, 255, cv2.THRESH_BINARY)
    return Threshold(cv2.bitwise_and(local, floor), chosen, level, faint_level)
