"""Image stages before segmentation; each takes and returns arrays, so the debug view can show every one.

grayscale -> working size -> Gaussian blur -> ink polarity (ink made bright)
-> background flattening (shadows and uneven light removed) -> threshold
(Otsu, or adaptive where the light is uneven) -> clean-up (ruled lines, cell
borders, page edges and margins, specks).
"""

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .normalize import stroke_width
from .orderstats import image_percentiles, median
from .segment import Components, typical_height

BACKGROUND_SIDE = 160  # the background is estimated on a copy this size, far cheaper than full size
BACKGROUND_KERNEL = 4.0  # opening size in stroke widths (of a first Otsu guess): wider than any stroke
POLARITY_WINDOW = 0.5  # paper tone window, as a fraction of the small copy's shorter side
POLARITY_TAIL = 0.5  # percent of pixels at each end taken as the darkest and lightest marks
POLARITY_MARGIN = 1.25  # tails closer than this ratio are a tie (a bold digit filling its crop), settled by area
FRAME_SIDE = 0.9  # an image side this much covered by the lesser tone is a frame line
MIN_CONTRAST = 16  # flattened ink this faint (of 255) is noise, not writing
HYSTERESIS = 0.75  # fainter pixels down to this share of the cut-off are kept where they touch ink
UNEVEN_LIGHT = 60  # background range (of 255) above which the threshold is adaptive
LINE_LENGTH = 2.0  # a horizontal run this many digit heights long may be a rule or border...
BORDER_LENGTH = 1.6  # ...and a vertical one this many
RULE_THICKNESS = 0.15  # of the digit height: the thickest ink across a line that can still be a rule
MAX_TILT = 8  # degrees a rule or border may lean
RULE_SPAN = 0.85  # a line across this much of the image is a rule whatever the digits' size...
RULE_SLENDERNESS = 12  # ...if it is this many times longer than thick; a digit's bar is stubbier
EDGE_ZONE = 0.08  # a line this close to the image's edge (fraction of the side) is a cell or page border...
EDGE_LINE_SPAN = 0.5  # ...when it runs along half the side or more...
EDGE_SLENDERNESS = 6  # ...and is this many times longer than thick...
WALK_TILT_SLACK = 4  # degrees a Hough walk may lean beyond its ends' line (their rounding, over 15 px or more)
EDGE_TILT = 3  # ...and leans no more than this many degrees, as a ruled border does and a pen stroke seldom
SLANTS = [round(0.1 * step, 1) for step in range(-7, 8)]  # shears tried to stand handwriting upright
TILTS = [round(0.03 * step, 2) for step in range(-9, 10)]  # vertical shears tried to level a line (about 15 degrees)
TILT_GAIN = 1.1  # levelling must pile ink into rows this much better than leaving the line as it is...
TILT_LINE_ASPECT = 1.5  # ...and the ink be this many times wider than tall, as a line of digits is...
TILT_AGREEMENT = 0.06  # ...and agree this well with how the centres of its separate marks climb
TILT_LEVEL = 0.03  # marks whose centres climb less than this are level enough (under 2 degrees)
SLANT_HEIGHT = 64  # slant is judged on a copy this tall
SLANT_GAIN = 1.05  # a shear must pile ink up this much better than none to be used
SIDE_SLIVER = 0.3  # of the digit height: a mark this narrow in a side's edge zone is border, not a '1'
LOCAL_MEAN_SIGMA = 6.0  # pixels of Gaussian sigma kept when the adaptive threshold's local mean is shrunk
DIGIT_SIZED = 0.25  # a mark within this share of the digit height of it, clear of the top and bottom, may be a '1'...
SIDE_REACH = 0.4  # ...unless it hugs the side, reaching no further in than this many digit heights
BOX_SIDE_COVER = 0.9  # a mark inked along this share of its bounding box's top and bottom, and of its height at
BOX_BAND = 0.12  # both ends, within a band this share of its shorter side deep (at least 2 px), is a row of boxes
BOX_NARROWEST = 0.4  # a box is at least this wide for its height...
BOX_SMALLEST = 12  # ...and this many pixels high: a smaller one is a speck or a digit's loop
FRAME_THICKNESS = 0.15  # a border-touching band thinner than this fraction of the side is a frame edge...
EDGE_HUG = 0.5  # ...if it lies along the edge for at least this share of its length (a slanted '1' touches it once)


def to_grayscale(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def working_scale(shape: tuple[int, int], working_side: int, min_short_side: int) -> float:
    """Factor that brings a photo down to `working_side`, or a tiny scan up to `min_short_side`."""
    height, width = shape[:2]
    if max(height, width) > working_side:
        return working_side / max(height, width)
    if min(height, width) < min_short_side:
        return min(min_short_side / min(height, width), working_side / max(height, width))
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


def _small_copy(gray: np.ndarray) -> tuple[np.ndarray, float]:
    factor = min(1.0, BACKGROUND_SIDE / max(gray.shape))
    return resize(gray, factor), factor


def ink_is_dark(gray: np.ndarray) -> bool:
    """Decide polarity from the image: which side of the local paper tone do the furthest marks lie on?

    The paper tone is a median over windows half the image wide, which follows
    shading but not strokes; ink is the tail that reaches furthest from it.
    Where strokes fill half a window that median is ink itself and both tails
    reach as far; then ink is whichever tone covers less of the image and of
    its outermost pixels taken together: a bold digit cropped tight may cover
    half the image, but the crop's edge is still mostly paper. A side lined
    all along with the lesser tone is a cell's frame, not paper, and is left
    out of that count.
    """
    small, _ = _small_copy(gray)
    window = min(255, max(3, int(POLARITY_WINDOW * min(small.shape)) | 1))
    paper = cv2.medianBlur(small, window)
    difference = small.astype(np.int16) - paper.astype(np.int16)
    lowest, highest = image_percentiles(difference, (POLARITY_TAIL, 100 - POLARITY_TAIL))
    darker, lighter = -lowest, highest
    if max(darker, lighter) < POLARITY_MARGIN * min(darker, lighter):
        level, _ = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        dark = small <= level
        dark_share = float(dark.mean())
        lesser_is_dark = dark_share < 0.5
        sides = [side for side in (dark[0], dark[-1], dark[:, 0], dark[:, -1])
                 if (side.mean() if lesser_is_dark else 1 - side.mean()) < FRAME_SIDE]
        return dark_share + (float(np.concatenate(sides).mean()) if sides else dark_share) < 1.0
    return float(darker) >= float(lighter)


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
    small, factor = _small_copy(bright)
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


def hysteresis(image: np.ndarray, level: float) -> np.ndarray:
    """Pixels above `level`, plus fainter ones (above HYSTERESIS of it) joined to them: faint strokes stay whole."""
    _, weak = cv2.threshold(image, HYSTERESIS * level, 255, cv2.THRESH_BINARY)
    count, labels = cv2.connectedComponents(weak, connectivity=8)
    strong = np.bincount(labels[image > level], minlength=count) > 0
    strong[0] = False
    return np.take(np.where(strong, 255, 0).astype(np.uint8), labels)


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


def threshold(flattened: np.ndarray, method: str, unevenness: int) -> Threshold:
    """Binarise; `auto` picks adaptive only when the light across the page was uneven."""
    otsu_level, _ = cv2.threshold(flattened, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    counts = cv2.calcHist([flattened], [0], None, [256], [0, 256]).ravel().astype(np.int64)  # exact below 2**24 pixels
    histogram = counts[:int(otsu_level) + 1]
    median = _histogram_median(histogram)
    deviations = np.bincount(np.abs(np.arange(len(histogram)) - round(median)), weights=histogram, minlength=256)
    noise = 1.4826 * _histogram_median(deviations)
    level = max(float(otsu_level), MIN_CONTRAST, median + 4 * noise)
    chosen = method if method != "auto" else ("adaptive" if unevenness > UNEVEN_LIGHT else "otsu")
    if chosen == "adaptive":
        block = max(3, (min(flattened.shape) // 6) | 1)
        cut_off = gaussian_local_mean(flattened, block) + level / 3
        local = cv2.compare(flattened.astype(np.float32), cut_off, cv2.CMP_GT)
        _, floor = cv2.threshold(flattened, level / 2, 255, cv2.THRESH_BINARY)
        binary = cv2.bitwise_and(local, floor)
    else:
        binary = hysteresis(flattened, level)
    return Threshold(binary, chosen, level)


@dataclass(frozen=True)
class Cleaned:
    binary: np.ndarray
    removed: np.ndarray  # what clean-up took away, 255 where removed
    components: Components  # those of `binary`, for segmentation to reuse


def rule_lines(binary: np.ndarray, digit_height: float) -> np.ndarray:
    """Straight, slender runs far longer than a digit (rules and borders, also slightly tilted), 255 where found.

    A probabilistic Hough transform finds the lines; each is drawn back with the
    thickness of the ink around it, so only the rule's own pixels are taken. The
    transform is skipped where `_may_hold_line` proves it would find none.
    """
    mask = np.zeros_like(binary)
    height, width = binary.shape
    gap = max(3, int(0.08 * digit_height))
    for horizontal in (True, False):
        side = width if horizontal else height
        length = max(15, int(min(digit_height * (LINE_LENGTH if horizontal else BORDER_LENGTH), RULE_SPAN * side)))
        shortest = max(15, min(length, int(EDGE_LINE_SPAN * side)))
        if not _may_hold_line(binary, horizontal, shortest, gap):
            continue
        found = cv2.HoughLinesP(binary, 1, np.pi / 180, threshold=shortest // 2, minLineLength=shortest, maxLineGap=gap)
        if found is None:
            continue
        x1, y1, x2, y2 = found.reshape(-1, 4).T
        angle = np.abs(np.degrees(np.arctan2(y2 - y1, x2 - x1))) % 180
        tilt = np.minimum(angle, 180 - angle) if horizontal else np.abs(90 - angle)
        upright = tilt <= MAX_TILT
        x1, y1, x2, y2, tilt = x1[upright], y1[upright], x2[upright], y2[upright], tilt[upright]
        if not len(x1):
            continue
        thickness = _ink_thickness(binary, (x1, y1, x2, y2), horizontal, int(digit_height * RULE_THICKNESS) + 2)
        span = np.hypot(x2 - x1, y2 - y1)
        across = (y1, y2, height) if horizontal else (x1, x2, width)
        near_edge = (np.maximum(across[0], across[1]) <= EDGE_ZONE * across[2]) | \
            (np.minimum(across[0], across[1]) >= (1 - EDGE_ZONE) * across[2])
        rule = ((span >= length) & (span >= RULE_SLENDERNESS * thickness)) | \
            (near_edge & (tilt <= EDGE_TILT) & (span >= EDGE_SLENDERNESS * thickness))
        for index in np.flatnonzero(rule):
            cv2.line(mask, (int(x1[index]), int(y1[index])), (int(x2[index]), int(y2[index])), 255,
                     int(thickness[index]) + 2)
    return cv2.bitwise_and(mask, binary)


def _may_hold_line(binary: np.ndarray, horizontal: bool, shortest: int, gap: int) -> bool:
    """False only where no run of ink can make the Hough transform return a line within MAX_TILT.

    The transform walks a line from ink pixel to ink pixel, over at most `gap`
    empty steps, and returns it only if it spans `shortest` pixels along its
    main axis. Joining ink within one such step (a box `gap` + 1 long and as
    high as a line leaning MAX_TILT, widened for the rounding of its ends, rises
    over that length) joins every pixel of such a walk into one blob; blobs
    all shorter than `shortest` leave nothing to find.
    """
    along = gap + 1
    rise = int(np.ceil(np.tan(np.radians(MAX_TILT + WALK_TILT_SLACK)) * along)) + 1
    joined = cv2.dilate(binary, np.ones((rise, along) if horizontal else (along, rise), np.uint8))
    outlines, _ = cv2.findContours(joined, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    side = 2 if horizontal else 3  # width or height in a bounding rectangle
    return any(cv2.boundingRect(outline)[side] > shortest for outline in outlines)


def _ink_thickness(binary: np.ndarray, lines: tuple, horizontal: bool, most: int) -> np.ndarray:
    """Per found line, the median width of the ink across it, sampled along it: the rule's own thickness."""
    x1, y1, x2, y2 = (np.asarray(v, int)[:, None] for v in lines)
    image = binary if horizontal else binary.T
    if not horizontal:
        x1, y1, x2, y2 = y1, x1, y2, x2
    along = np.linspace(0.05, 0.95, 15)
    xs = np.rint(x1 + along * (x2 - x1)).astype(int)
    ys = np.rint(y1 + along * (y2 - y1)).astype(int)
    rows = ys[..., None] + np.arange(-most, most + 1)
    inside = (rows >= 0) & (rows < image.shape[0])
    across = (image[rows.clip(0, image.shape[0] - 1), xs[..., None]] > 0) & inside  # per line and sample, per row
    on_ink = across[..., most]
    widths = _run_from_start(across[..., most::-1]) + _run_from_start(across[..., most:]) - 1
    ordered = np.sort(np.where(on_ink, widths, np.iinfo(widths.dtype).max), axis=1)  # samples off the ink last
    count = on_ink.sum(axis=1)
    rows = np.arange(len(widths))
    median = (ordered[rows, (count - 1) // 2] + ordered[rows, count // 2]) / 2  # of the samples on the ink
    return np.where(count > 0, median.astype(int), 1)


def _run_from_start(flags: np.ndarray) -> np.ndarray:
    """How many leading entries along the last axis are True."""
    return np.where(flags.all(axis=-1), flags.shape[-1], np.argmin(flags, axis=-1))


def _frame_components(components: Components, shape: tuple[int, int], digit_height: float) -> np.ndarray:
    """Page edges, black margins and cell-border pieces, flagged per label: bands along an image edge, solid blocks
    filling a side, and slivers within a side's edge zone far narrower than a digit (what is left of a cell's side
    border)."""
    height, width = shape
    x, y, w, h, area = (components.stats[:, column].astype(np.float64) for column in range(5))
    touches_side = (x == 0) | (x + w == width)
    touches_end = (y == 0) | (y + h == height)
    vertical_band = touches_side & (h >= 0.8 * height) & (w <= FRAME_THICKNESS * width)
    horizontal_band = touches_end & (w >= 0.8 * width) & (h <= FRAME_THICKNESS * height)
    for label in np.flatnonzero(vertical_band):
        vertical_band[label] = _along_edge(components, label, 0 if x[label] == 0 else width - 1, vertical=True)
    for label in np.flatnonzero(horizontal_band):
        horizontal_band[label] = _along_edge(components, label, 0 if y[label] == 0 else height - 1, vertical=False)
    margin = (touches_side | touches_end) & (area >= 0.25 * width * height) & (area >= 0.6 * w * h)
    in_side_zone = (x >= (1 - EDGE_ZONE) * width) | (x + w <= EDGE_ZONE * width)
    in_end_zone = (y >= (1 - EDGE_ZONE) * height) | (y + h <= EDGE_ZONE * height)
    across_side, across_end = area / np.maximum(h, 1), area / np.maximum(w, 1)  # mean thickness of a line
    border_piece = (in_side_zone & (h >= EDGE_SLENDERNESS * across_side) & (w <= 2.5 * across_side)) | \
        (in_end_zone & (w >= EDGE_SLENDERNESS * across_end) & (h <= 2.5 * across_end))
    sliver = in_side_zone & (w <= SIDE_SLIVER * digit_height)
    digit_sized = ~touches_end & (np.abs(h - digit_height) <= DIGIT_SIZED * digit_height)
    hugs_side = np.minimum(x + w, width - x) <= SIDE_REACH * digit_height
    frame = vertical_band | horizontal_band | margin | ((border_piece | sliver) & (hugs_side | ~digit_sized))
    frame[0] = False
    return frame


def _along_edge(components: Components, label: int, edge: int, vertical: bool) -> bool:
    """Whether a mark touching the image's edge lies along it, as a frame's band does, rather than meeting it at
    one end, as a slanted stroke of a digit cropped tight does."""
    x, y, w, h = components.stats[label, :4]
    line = components.labels[y:y + h, edge] if vertical else components.labels[edge, x:x + w]
    return bool(np.mean(line == label) >= EDGE_HUG)


def box_outlines(components: Components) -> np.ndarray:
    """The drawn boxes' own ink (255), as a form's comb field has them: one box per digit, side by side or sharing
    their sides. A box is a mark inked nearly end to end along the top and the bottom of its bounding box, closed
    at both ends by strokes as tall as the mark; those strokes, the ends' and any between, are its walls.

    A handwritten '0' is round, so its bounding box's corners stay bare; a digit
    touching its box keeps all it has beyond the outline's band.
    """
    x, y, w, h = (components.stats[:, column] for column in range(4))
    possible = (h >= BOX_SMALLEST) & (w >= BOX_NARROWEST * h)
    possible[0] = False
    outlines = np.zeros(components.labels.shape, np.uint8)
    for label in np.flatnonzero(possible):
        top, left, bottom, right = y[label], x[label], y[label] + h[label], x[label] + w[label]
        mark = components.labels[top:bottom, left:right] == label
        band = max(2, int(round(BOX_BAND * min(w[label], h[label]))))
        walls = mark.sum(axis=0) >= BOX_SIDE_COVER * h[label]
        if not (walls[:band].any() and walls[-band:].any() and mark[:band].any(axis=0).mean() >= BOX_SIDE_COVER
                and mark[-band:].any(axis=0).mean() >= BOX_SIDE_COVER):
            continue
        outline = np.zeros_like(mark)
        outline[:band], outline[-band:] = True, True
        outline[:, cv2.dilate(walls.astype(np.uint8)[None], np.ones((1, band), np.uint8))[0] > 0] = True
        outlines[top:bottom, left:right][mark & outline] = 255
    return outlines


def estimated_digit_height(components: Components, image_height: int) -> float:
    """A first guess at the digits' height from the marks' heights, before any are removed."""
    stats = components.stats
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    return typical_height(heights[stats[1:, cv2.CC_STAT_AREA] >= 4]) or float(image_height)


def clean_up(binary: np.ndarray, remove_lines: bool, min_ink_pixels: int) -> Cleaned:
    """Remove drawn boxes, rules, borders, frame edges and specks, then re-join strokes a removed rule cut through."""
    removed = np.zeros_like(binary)
    cleaned = binary
    components = Components.of(binary)
    if remove_lines:
        boxes = box_outlines(components)
        if cv2.countNonZero(boxes):
            cleaned = cv2.subtract(cleaned, boxes)
            components = Components.of(cleaned)
        digit_height = estimated_digit_height(components, binary.shape[0])
        lines = rule_lines(cleaned, digit_height)
        if cv2.countNonZero(lines):
            cleaned = cv2.subtract(cleaned, lines)
            gap = 2 * max(1, int(round(digit_height * RULE_THICKNESS))) + 5
            bridge = cv2.morphologyEx(cleaned, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, gap)))
            cleaned = cv2.bitwise_or(cleaned, cv2.bitwise_and(bridge, lines))
            components = Components.of(cleaned)
        removed = cv2.bitwise_or(boxes, lines)
        frame = _frame_components(components, binary.shape, digit_height)
        if frame.any():
            frame_mask = components.mask(frame)
            cleaned = cv2.subtract(cleaned, frame_mask)
            components = components.without(frame)
            removed = cv2.bitwise_or(removed, frame_mask)
    specks = components.stats[:, cv2.CC_STAT_AREA] < min_ink_pixels
    specks[0] = False
    if specks.any():
        speck_mask = components.mask(specks)
        cleaned = cv2.subtract(cleaned, speck_mask)
        removed = cv2.bitwise_or(removed, speck_mask)
        components = components.without(specks)
    return Cleaned(cleaned, cv2.subtract(removed, cleaned), components)


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
