"""The sheet a number is written on, where a photo shows the desk around it.

A sheet photographed on a darker desk that shows around it reads wrongly as
a whole: polarity takes the desk for the page, and the sheet for one light
mark on it. A person sees the sheet first: the largest light region, nearly
a rectangle, with writing on it, and beyond each of its sides that is not
the photo's edge only the desk's flat, darker tone, deeper on some side than
the edge zone where clean-up takes bands for a frame's. That desk, with the
sheet's shaded edge, is painted the tone of the paper just inside it, so
every later stage reads the sheet alone. Where any of this does not hold,
the image is left as it is: a cell cropped inside its paper has no desk, a
board's chalk is no light region, and a shadow's ramp, which may hold
writing, is no flat tone.
"""

import cv2
import numpy as np

from .cleanup import EDGE_ZONE
from .components import Components
from .orderstats import image_percentiles

SHEET_AREA = 0.25  # a sheet covers at least this share of the image...
SHEET_FILL = 0.75  # ...and of its own box: a rectangle with writing on it, not a stroke
DESK_SHARE = 0.8  # beyond each side of the sheet that is not the image's edge, this share is the darker tone
DESK_FLATNESS = 0.25  # the desk's quartiles lie closer than this share of the gap between its tone and the sheet's
SHEET_EDGE = 0.02  # of the sheet's shorter side: the shaded edge, painted with the desk...
TONE_BAND = 0.1  # ...in the paper's tone of a strip this deep just inside the sheet's side...
PAPER_PERCENTILE = 75  # ...its lighter part: writing darkens a strip's minority

SheetBox = tuple[int, int, int, int]  # x, y, width, height


def find_sheet(small: np.ndarray, shape: tuple[int, int]) -> SheetBox | None:
    """Where the sheet on a desk lies in a grayscale image of `shape` (see the module), less its shaded edge, found on
    the image's `small_copy`; None where no desk shows."""
    _, light = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(light, connectivity=4)
    if count < 2:
        return None
    largest = 1 + int(stats[1:, cv2.CC_STAT_AREA].argmax())
    x, y, width, height, area = (int(value) for value in stats[largest])
    beyond = [(side, depth) for side, depth in ((np.s_[:, :x], x / small.shape[1]),
                                                 (np.s_[:, x + width:], 1 - (x + width) / small.shape[1]),
                                                 (np.s_[:y], y / small.shape[0]),
                                                 (np.s_[y + height:], 1 - (y + height) / small.shape[0])) if depth]
    if (area < SHEET_AREA * small.size or area < SHEET_FILL * width * height
            or max((depth for _, depth in beyond), default=0) <= EDGE_ZONE
            or not _holds_writing(labels[y:y + height, x:x + width] != largest)):
        return None
    (tone,) = image_percentiles(small[labels == largest], (50,))
    if not all(_desk_beyond(small[side], light[side], tone) for side, _ in beyond):
        return None
    return _less_edge((x, y, width, height), small.shape, shape)


def _desk_beyond(tones: np.ndarray, light: np.ndarray, sheet_tone: float) -> bool:
    """Whether what lies beyond one side of the sheet is a desk: mostly the darker tone, and flat."""
    low, middle, high = image_percentiles(tones, (25, 50, 75))
    return 1 - light.mean() >= DESK_SHARE and high - low <= DESK_FLATNESS * abs(sheet_tone - middle)


def _holds_writing(other: np.ndarray) -> bool:
    """Whether marks of the other tone lie within the sheet's box, clear of its sides: writing, not the desk's
    corners."""
    height, width = other.shape
    return any(x > 0 and y > 0 and x + w < width and y + h < height
               for x, y, w, h, _ in Components.of(other.view(np.uint8)).stats[1:])


def _less_edge(box: SheetBox, small_shape: tuple[int, int], shape: tuple[int, int]) -> SheetBox:
    """The sheet's box on the small copy, less its edge where the desk lies beyond it, in the full image's pixels."""
    x, y, width, height = box
    edge = max(1, round(SHEET_EDGE * min(width, height)))
    left, top = x + edge if x > 0 else 0, y + edge if y > 0 else 0
    right = x + width - edge if x + width < small_shape[1] else small_shape[1]
    bottom = y + height - edge if y + height < small_shape[0] else small_shape[0]
    across, down = shape[1] / small_shape[1], shape[0] / small_shape[0]
    left, right = round(left * across), max(round(left * across) + 1, round(right * across))
    top, bottom = round(top * down), max(round(top * down) + 1, round(bottom * down))
    return left, top, right - left, bottom - top


def desk_painted(gray: np.ndarray, sheet: SheetBox) -> np.ndarray:
    """The image with everything beyond the sheet painted, row by row and then column by column, the paper's tone
    in the strip just inside the side it lies beyond: shaded as the sheet is there (a shadow's ramp runs on into the
    desk, where one tone would leave a step), with no writing drawn out into it."""
    x, y, width, height = sheet
    band = max(1, round(TONE_BAND * min(width, height)))
    painted = gray.copy()
    rows = painted[y:y + height]
    rows[:, :x] = _paper(rows[:, x:x + band], 1).astype(gray.dtype)
    rows[:, x + width:] = _paper(rows[:, x + width - band:x + width], 1).astype(gray.dtype)
    painted[:y] = _paper(painted[y:y + band], 0).astype(gray.dtype)
    painted[y + height:] = _paper(painted[y + height - band:y + height], 0).astype(gray.dtype)
    return painted


def _paper(strip: np.ndarray, axis: int) -> np.ndarray:
    """The paper's tone across a strip of the sheet, row by row or column by column: its lighter part, past any
    writing in it."""
    return np.percentile(strip, PAPER_PERCENTILE, axis=axis, keepdims=True)
