"""The sheet a number is written on, where a photo shows the desk around it.

A sheet photographed on a darker desk that shows around it reads wrongly as
a whole: polarity takes the desk for the page, and the sheet for one light
mark on it. A person sees the sheet first: the largest light region, nearly
a rectangle, with writing on it, and beyond each of its sides that is not
the photo's edge only the desk's flat, far darker tone, deeper on some side
than the edge zone where clean-up takes bands for a frame's, and broader
than the pen, so a stroke that runs into it stays writing. That desk,
with the sheet's shaded edge, is painted the tone of the paper at the
nearest point of the sheet, following the sheet's outline however it lies,
so every later stage reads the sheet alone. Where any of this does not
hold, the image is left as it is: a cell cropped inside its paper has no
desk, a board's chalk is no light region, a shadow's ramp, which may hold
writing, is no flat tone, the paper's own shading is no other surface, a
dark region with writing in it is the sheet under a shadow, not a desk, and
one written on in light ink is a field, as a binarised photo's, with the
light region a blob of noise on it.
"""

from dataclasses import dataclass

import cv2
import numpy as np

from .binarize import MIN_CONTRAST
from .cleanup import EDGE_ZONE
from .components import Components, joined_to
from .normalize import stroke_width
from .orderstats import image_percentiles

SHEET_AREA = 0.25  # a sheet covers at least this share of the image...
SHEET_FILL = 0.75  # ...and of its own box: a rectangle with writing on it, not a stroke
DESK_SHARE = 0.8  # beyond each side of the sheet that is not the image's edge, this share is the darker tone
DESK_FLATNESS = 0.25  # away from the sheet, the desk's tone varies by less than this share of its gap to the paper
DESK_DARKER = 0.8  # the desk's tone is at most this share of the paper's beside it: another surface, not less light
DESK_MARKS = 0.02  # a "desk" with this share of it marked as writing is the sheet under a shadow, or a field
SHEET_EDGE = 0.02  # of the sheet's shorter side: the shaded edge, painted with the desk...
TONE_BAND = 0.1  # ...in the paper's tone, the lightest within this share of the sheet's shorter side (past writing)


@dataclass(frozen=True)
class Sheet:
    """Where the desk shows around a sheet, as found on the image's small copy."""

    desk: np.ndarray  # bool, on the small copy: what lies outside the sheet, joined to the image's edge
    cut: float  # the tone between the desk's and the sheet's
    edge: int  # small copy's pixels: the sheet's shaded edge
    band: int  # small copy's pixels: the strip the paper's tone is taken from


def find_sheet(small: np.ndarray) -> Sheet | None:
    """The sheet on a desk in a grayscale image's `small_copy` (see the module); None where no desk shows."""
    cut, light = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(light, connectivity=4)
    if count < 2:
        return None
    largest = 1 + int(stats[1:, cv2.CC_STAT_AREA].argmax())
    x, y, width, height, area = (int(value) for value in stats[largest])
    band = max(1, round(TONE_BAND * min(width, height)))
    beyond = [(side, inside, along, depth) for side, inside, along, depth in (
        (np.s_[:, :x], np.s_[y:y + height, x:x + band], 0, x / small.shape[1]),
        (np.s_[:, x + width:], np.s_[y:y + height, x + width - band:x + width], 0, 1 - (x + width) / small.shape[1]),
        (np.s_[:y], np.s_[y:y + band, x:x + width], 1, y / small.shape[0]),
        (np.s_[y + height:], np.s_[y + height - band:y + height, x:x + width], 1, 1 - (y + height) / small.shape[0]))
        if depth]
    outside = labels != largest
    if (area < SHEET_AREA * small.size or area < SHEET_FILL * width * height
            or max((depth for *_, depth in beyond), default=0) <= EDGE_ZONE):
        return None
    writing = _writing(outside[y:y + height, x:x + width])
    if not writing.any() or not all(_desk_beyond(small[side], light[side], small[inside][~outside[inside]], along)
                                    for side, inside, along, _ in beyond):
        return None
    desk = _desk(outside, stroke_width(writing))
    if _written_on(small, desk, outside, band) or _written_in_light(labels, stats, largest, desk, writing):
        return None
    return Sheet(desk, float(cut), max(1, round(SHEET_EDGE * min(width, height))), band)


def _desk(outside: np.ndarray, pen: float) -> np.ndarray:
    """What lies outside the sheet (bool) and is joined to the image's edge, less the writing that runs into it, as a
    digit runs into a shadow's edge: a desk is broader than the `pen` (the writing's stroke width), so what an
    opening as wide takes away from it is writing where it reaches further from the rest than that width; nearer, it
    is the desk's own ragged edge, as a scan's margin has."""
    frame = np.ones(outside.shape, bool)
    frame[1:-1, 1:-1] = False
    joined = joined_to(outside.view(np.uint8), frame & outside) > 0
    side = 2 * int(np.ceil(pen / 2)) + 1
    opened = cv2.morphologyEx(joined.view(np.uint8), cv2.MORPH_OPEN, np.ones((side, side), np.uint8))
    body = joined_to(opened, frame & (opened > 0)) > 0
    count, parts = cv2.connectedComponents((joined & ~body).view(np.uint8), connectivity=8)
    from_body = cv2.distanceTransform((~body).view(np.uint8), cv2.DIST_L2, 3)
    furthest = np.zeros(count, np.float32)
    np.maximum.at(furthest, parts.ravel(), from_body.ravel())
    furthest[0] = 0  # the body itself, and all that is not the desk
    return joined & ~(furthest > side)[parts]


def _desk_beyond(tones: np.ndarray, light: np.ndarray, paper: np.ndarray, along: int) -> bool:
    """Whether what lies beyond one side of the sheet is a desk: mostly the darker tone, far darker than the `paper`
    just inside that side (the sheet's own pixels there), and flat going away from the sheet, where a shadow's ramp
    darkens. Along the side (axis `along` of `tones`), light falling off across the photo may shade it as it shades
    the sheet."""
    (paper_tone,) = image_percentiles(paper, (50,))
    (middle,) = image_percentiles(tones, (50,))
    low, high = np.percentile(np.median(tones, axis=along), (25, 75))
    return (1 - light.mean() >= DESK_SHARE and middle <= DESK_DARKER * paper_tone
            and high - low <= DESK_FLATNESS * (paper_tone - middle))


def _written_on(small: np.ndarray, desk: np.ndarray, outside: np.ndarray, band: int) -> bool:
    """Whether the desk holds marks as dark against it as the sheet's writing is against the paper: then it is no
    desk but the sheet under a shadow, whose edge runs like a sheet's side. A shadow dims paper and ink alike, so
    writing under it keeps its share of the paper's tone; a mark is a pixel darker than halfway to that share of the
    desk's tone around it (the median within the tone band, which light falling off across the desk moves too), a
    band or more from the sheet and from the image's edge, and darker by more than a grain's noise (MIN_CONTRAST), as
    writing is, where a near-black desk's noise is a large share of its tone."""
    writing = outside & ~desk
    window = np.ones((2 * band + 1,) * 2, np.uint8)
    inner = cv2.erode(desk.view(np.uint8), window, borderType=cv2.BORDER_CONSTANT, borderValue=0) > 0
    if not writing.any() or not inner.any():
        return False
    (paper,) = image_percentiles(small[~outside], (50,))
    (ink,) = image_percentiles(small[writing], (50,))
    around = cv2.medianBlur(small, 2 * band + 1)[inner].astype(np.float32)
    darker_than = np.minimum(around * (1 + ink / max(paper, 1.0)) / 2, around - MIN_CONTRAST)
    return float(np.mean(small[inner] < darker_than)) >= DESK_MARKS


def _written_in_light(labels: np.ndarray, stats: np.ndarray, sheet: int, desk: np.ndarray, writing: np.ndarray) -> bool:
    """Whether the desk holds light marks (`labels` of the light tone, `sheet` the largest) as large as the sheet's
    `writing` is, DESK_MARKS of it: then the dark region is a field written on in light ink, as a binarised photo
    of a board, and the light region a blob on it, not a sheet. A mark lies on the desk where most of the ring around
    it does; a desk's grain, lighter in flecks, is smaller than writing."""
    marks = Components.of(writing.view(np.uint8)).stats[1:, 2:4]
    if not len(marks):
        return False
    left, top, width, height, _ = stats.T
    writing_size = np.median(marks.max(axis=1))
    inner = (left > 0) & (top > 0) & (left + width < labels.shape[1]) & (top + height < labels.shape[0])
    inner[[0, sheet]] = False
    around = cv2.dilate(labels.astype(np.float32), np.ones((3, 3), np.uint8)).astype(np.int32)
    ring = (labels == 0) & (around > 0)
    on_desk = (np.bincount(around[ring & desk], minlength=len(stats)) * 2 >
               np.bincount(around[ring], minlength=len(stats)))
    lit = inner & on_desk & (np.maximum(width, height) >= writing_size)
    return float(stats[lit, cv2.CC_STAT_AREA].sum()) >= DESK_MARKS * np.count_nonzero(desk)


def _writing(outside: np.ndarray) -> np.ndarray:
    """The marks of the other tone within the sheet's box (what lies `outside` the sheet there, bool) that touch none
    of its sides: writing, not the desk's corners."""
    height, width = outside.shape
    marks = Components.of(outside.view(np.uint8))
    left, top, wide, tall = marks.stats[:, :4].T
    clear = (left > 0) & (top > 0) & (left + wide < width) & (top + tall < height)
    clear[0] = False
    return marks.mask(clear) > 0


def desk_painted(gray: np.ndarray, small: np.ndarray, sheet: Sheet) -> np.ndarray:
    """The image (`small` its small copy) with the desk and the sheet's shaded edge painted the paper's tone at the
    nearest point of the sheet, so a shadow's ramp runs on into the desk, where one tone would leave a step. The
    desk's outline is followed at the image's own size, darker than the cut within a small pixel of the small copy's
    outline, so a sheet lying askew leaves no sliver of desk along its side."""
    size = (gray.shape[1], gray.shape[0])
    one = np.ones((3, 3), np.uint8)
    desk = sheet.desk.view(np.uint8)
    near = cv2.resize(cv2.dilate(desk, one), size, interpolation=cv2.INTER_NEAREST) > 0
    core = cv2.resize(cv2.erode(desk, one), size, interpolation=cv2.INTER_NEAREST) > 0
    edge = 2 * round(sheet.edge * gray.shape[1] / small.shape[1]) + 1
    painted_area = cv2.dilate((core | (near & (gray < sheet.cut))).view(np.uint8), np.ones((edge, edge), np.uint8))
    return np.where(painted_area > 0, cv2.resize(_paper_beside(small, sheet), size), gray).astype(gray.dtype)


def _paper_beside(small: np.ndarray, sheet: Sheet) -> np.ndarray:
    """The small copy with the desk and shaded edge given the paper's tone at the nearest point of the sheet beyond
    its edge: the lightest within the tone band there, past any writing near the side."""
    beyond_edge = cv2.dilate(sheet.desk.view(np.uint8), np.ones((2 * sheet.edge + 1,) * 2, np.uint8))
    _, nearest = cv2.distanceTransformWithLabels(beyond_edge, cv2.DIST_L2, 3, labelType=cv2.DIST_LABEL_PIXEL)
    paper = cv2.dilate(small, np.ones((2 * sheet.band + 1,) * 2, np.uint8))
    sheet_pixels = beyond_edge == 0
    tone_of = np.zeros(int(nearest.max()) + 1, small.dtype)
    tone_of[nearest[sheet_pixels]] = paper[sheet_pixels]
    return tone_of[nearest]
