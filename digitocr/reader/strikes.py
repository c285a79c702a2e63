"""Digits struck out: where a person crossed out a number written wrong and wrote it again beside it.

A clerk who writes a field wrong strikes it through with one stroke of the
pen and writes the number again after it (or before); a person reads only
the number left standing. The stroke is one straight line, far longer than
a digit is wide, through the middle of the digits it voids, leaning as a
hand leans it; the clean-up takes such a line for a rule and removes it, so
it is looked for in the ink's tone (`Analysis.tone`), as the page shows it.
Only digits at one end of a line can be struck out, and only where the
stroke crosses all of them and no other: a ruled line through a whole
number crosses every digit, and a pen's flourish or a bold hand's joins run
within a number, not across a whole group of it and stop at its space. So
the digits struck are a group (or groups) a space apart from the rest
(`word_groups`), or, where the number was written again too close for a
space, the stroke runs across two digits or more, past them at both ends,
and stops short of the rest (`spans`), as a digit's own bar or a join
between digits does not. Where the strike touches the digits, their boxes
take in its ends: a stroke that runs alone for a pen's width at an end is
past the digits there, whatever their boxes say.
The transform finds a stroke's straight course, often only part of it, and
true only to a degree; it is laid along the middle of its ink and followed
along it to where the pen lifted before it is judged.
"""

import cv2
import numpy as np

from ..image.lines import LineImage
from ..image.orderstats import median
from ..results import Box, Digit
from .word_groups import WORD_SPACE, widest_gap

STRIKE_LENGTH = 1.2  # of the digits' height: a straight stroke this long, and this wide across the tallest digit
# it crosses, is no digit's own bar...
STRIKE_STEEPEST = 45  # ...leaning no more than this many degrees...
STRIKE_GAPS = 0.05  # ...one movement of the pen, inked along all but this share of its course...
STRIKE_THIN = 0.25  # ...and a thin one: across its course, ink no thicker than this share of the digits' height...
STRIKE_THIN_SHARE = 0.33  # ...along at least this share of it: through packed bold digits it runs inside their
# strokes for up to two thirds of its course...
STRIKE_ENDS = 0.3  # ...that ends, no ink going on along its course for this share of the digits' height past it...
STRIKE_OVER = 0.3  # ...crosses a digit where it runs over this share of its width...
STRIKE_MIDDLE = 0.3  # ...and strikes the digits it crosses where, midway along them, it lies this share of their
# height or more from their top and bottom: a straight run of ink along their bottoms is their own
SEARCH_HEIGHT = 64  # pixels: taller digits are searched for a strike at this height, for a strike's shape is the
# same at any size while the search's cost grows with its square (the bench's photo, digits 110 pixels tall: 7.2 ms
# at full size, 2.1 at this), and a pen a twentieth of the digits' height is still 3 pixels wide there


def struck_out(digits: list[Digit], groups: list[list[int]], tone: np.ndarray | None, line: LineImage,
               line_box: Box) -> list[int]:
    """The indices of the digits at one end of the line that one straight stroke crosses through their middles,
    every one of them and no other digit, where they are the group or groups at that end, a space apart from the
    rest (`groups`, as `word_groups` parts the digits), or the stroke `spans` them; `line_box` is the line's place
    in the image's pixels, `line.box` at working size."""
    if tone is None or len(digits) < 2:
        return []
    x, y, width, height = line.box
    band = np.ascontiguousarray(tone[y:y + height, x:x + width])
    scale = width / max(1, line_box.width), height / max(1, line_box.height)
    boxes = np.array([((d.box.x - line_box.x) * scale[0], (d.box.y - line_box.y) * scale[1],
                       d.box.width * scale[0], d.box.height * scale[1]) for d in digits])
    order = [int(i) for i in np.argsort(boxes[:, 0] + boxes[:, 2] / 2, kind="stable")]
    first, last, set_apart = ends_struck(*at_search_height(band, boxes), order)
    if first and last:  # both ends struck: which is the number written again, no one could say
        return []
    voided = sorted(order[:first] if first else order[len(order) - last:])
    if not voided or len(voided) == len(digits):
        return []
    whole_groups_at_an_end = [sorted(sum(part, [])) for cut in range(1, len(groups))
                              for part in (groups[:cut], groups[cut:])]
    if voided in whole_groups_at_an_end:
        return voided
    return voided if (bool(first), first or last) in set_apart else []


def at_search_height(band: np.ndarray, boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The line's tone (`band`) and its digits' boxes (N, 4) brought down to digits SEARCH_HEIGHT tall where they
    are taller, as they are left where they are not."""
    factor = SEARCH_HEIGHT / median(boxes[:, 3].tolist())
    if factor >= 1:
        return band, boxes
    size = (max(1, round(band.shape[1] * factor)), max(1, round(band.shape[0] * factor)))
    return cv2.resize(band, size, interpolation=cv2.INTER_AREA), boxes * factor


def ends_struck(band: np.ndarray, boxes: np.ndarray, order: list[int]) -> tuple[int, int, set[tuple[bool, int]]]:
    """How many digits from the line's start, and from its end, one straight stroke in the line's tone (`band`)
    strikes, their boxes (N, 4) in the band's pixels and `order` left to right; and which of those strikes (from the
    start or not, how many) set the digits apart from the rest: the stroke `spans` them, or their ink `stands_apart`
    from the rest's."""
    level, ink = cv2.threshold(band, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    inked, marks = ink > 0, band > level / 2  # marks: ink and fainter, as a printed rule the threshold cuts up
    digit_height = median(boxes[:, 3].tolist())
    shortest, past_end = int(STRIKE_LENGTH * digit_height), int(STRIKE_ENDS * digit_height)
    first, last, set_apart = 0, 0, set()
    if shortest < 4:
        return first, last, set_apart
    for x1, y1, x2, y2 in courses_found(ink, shortest, max(2, band.shape[0] // 10)):
        if np.degrees(np.arctan2(abs(y2 - y1), abs(x2 - x1))) > STRIKE_STEEPEST:
            continue
        found_part = along_own_ink(inked, (x1, y1, x2, y2) if x1 <= x2 else (x2, y2, x1, y1))
        stroke = along_own_ink(inked, fitted_to_ink(inked, found_part))
        crossed = [i for i in order if crosses(stroke, boxes[i])]
        if not crossed or stroke[2] - stroke[0] < STRIKE_LENGTH * boxes[crossed, 3].max() or \
                not through_middle(stroke, boxes[crossed]):
            continue
        from_start, to_end = crossed == order[:len(crossed)], crossed == order[len(order) - len(crossed):]
        pen = pen_width(inked, stroke, digit_height) if from_start or to_end else None  # measured only at an end
        if pen is None:
            continue
        crossed_span = digits_own_span(inked, stroke, pen, boxes[crossed])
        if from_start and not goes_on(marks, stroke, past_end, towards_right=True):
            first = max(first, len(crossed))
            rest = order[len(crossed):]
            if spans(stroke, crossed_span, boxes, crossed, rest, rest_to_the_right=True) or \
                    stands_apart(inked, boxes, crossed, rest, rest_to_the_right=True):
                set_apart.add((True, len(crossed)))
        elif to_end and not goes_on(marks, stroke, past_end, towards_right=False):
            last = max(last, len(crossed))
            rest = order[:len(order) - len(crossed)]
            if spans(stroke, crossed_span, boxes, crossed, rest, rest_to_the_right=False) or \
                    stands_apart(inked, boxes, crossed, rest, rest_to_the_right=False):
                set_apart.add((False, len(crossed)))
    return first, last, set_apart


def courses_found(ink: np.ndarray, shortest: int, gap: int) -> list[tuple[int, int, int, int]]:
    """Straight runs of `ink` (uint8) leaning at most 45 degrees, `shortest` pixels long or more, over gaps of at most
    `gap`, as (x1, y1, x2, y2), and steeper runs besides: proposed by the transform on the ink squeezed to half its
    width, two columns inked where either is: on the bench's photo 1.5-1.6 ms where the full width takes 2.2, on its
    cell (a band of 61 by 174 pixels, a quarter of them ink) 0.7 ms where it takes 0.9. Its rows are kept, so a
    thin strike stays as thin; squeezed to half its height too, a strike merged with the digits it crosses and 7 of
    `struck_out`'s 100 scenes of seed 5150 lost theirs. Each run is followed along the ink at full size before it is
    judged (`along_own_ink`, `fitted_to_ink`)."""
    half = cv2.resize(ink, (max(1, ink.shape[1] // 2), ink.shape[0]), interpolation=cv2.INTER_AREA)
    found = cv2.HoughLinesP((half > 0).view(np.uint8), 1, np.pi / 180, threshold=max(1, shortest // 4),
                            minLineLength=max(1, shortest // 2), maxLineGap=max(1, gap // 2))
    return [] if found is None else [(2 * x1, y1, 2 * x2, y2) for x1, y1, x2, y2 in found.reshape(-1, 4).tolist()]


def along_own_ink(ink: np.ndarray, stroke: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The stroke (x1, y1, x2, y2, left end first) carried on along its straight course at both ends for as long as
    `ink` (bool) lies within a pixel of it: the transform often finds only part of a pen's stroke, and where the pen
    lifted is what tells a strike from a ruled line."""
    x1 = stroke[0] - inked_run(ink, stroke, stroke[0] - 1, -1)
    x2 = stroke[2] + inked_run(ink, stroke, stroke[2] + 1, 1)
    y1, y2 = height_at(stroke, np.array([x1, x2]))
    return x1, int(round(y1)), x2, int(round(y2))


def inked_run(ink: np.ndarray, stroke: tuple[int, int, int, int], start: int, step: int) -> int:
    """How many columns from `start` on, `step` (1 or -1) at a time, hold `ink` (bool) within a pixel of the
    stroke's course, one after another. Looked at a few columns first and twice as many each time after, for a
    stroke most often ends within a few of where the transform left it, and the line can run on for a thousand."""
    end, run, count = ink.shape[1] if step > 0 else -1, 0, 16
    while start != end:
        columns = np.arange(start, min(start + count, end) if step > 0 else max(start - count, end), step)
        found = near_course(ink, stroke, columns)[0]
        if not found.all():
            return run + int(np.argmin(found))
        run, start, count = run + len(columns), start + step * len(columns), 2 * count
    return run


def digits_own_span(ink: np.ndarray, stroke: tuple[int, int, int, int], pen: float,
                    boxes: np.ndarray) -> tuple[float, float]:
    """Where the digits the stroke (x1, y1, x2, y2, left end first) crosses begin and end: the edges of their
    `boxes` (N, 4), or an end of the stroke where, for a pen's width (`pen` pixels) in from it, each column's only
    `ink` (bool) is the stroke's own run, no thicker than the pen give or take a pixel: the stroke runs alone there,
    past the digits. Where a strike touches the digits, their boxes take in its ends, and a box found in another
    threshold's ink may reach a pixel or two beyond them."""
    left, right = float(boxes[:, 0].min()), float((boxes[:, 0] + boxes[:, 2]).max())
    reach = int(np.ceil(pen))

    def runs_alone(columns: np.ndarray) -> bool:
        found, rows = near_course(ink, stroke, columns)
        if not found.all():
            return False
        tops, ends = runs_around(ink, columns, rows)
        return bool(np.all((ink[:, columns].sum(axis=0) == ends - tops) & (ends - tops <= pen + 1)))

    if runs_alone(np.arange(stroke[0], min(stroke[0] + reach, stroke[2]) + 1)):
        left = max(left, float(stroke[0]))
    if runs_alone(np.arange(max(stroke[2] - reach, stroke[0]), stroke[2] + 1)):
        right = min(right, float(stroke[2]))
    return left, right


def spans(stroke: tuple[int, int, int, int], crossed_span: tuple[float, float], boxes: np.ndarray, crossed: list[int],
          rest: list[int], rest_to_the_right: bool) -> bool:
    """Whether the stroke (x1, y1, x2, y2, left end first) runs past the two or more digits it crosses at both ends
    (`crossed_span`, where they begin and end) and stops short of the `rest` of the line's digits (their boxes
    (N, 4) in `boxes`), beside them: a pen that strikes a number out goes from before its first digit to after its
    last, while a digit's own bar or a join between digits starts or ends within one. One digit tells nothing: its
    own straight stroke, followed to its ends, reaches the edges of its box as a strike would."""
    if not rest or len(crossed) < 2:
        return False
    left, right = crossed_span
    short_of_rest = stroke[2] < boxes[rest, 0].min() if rest_to_the_right else \
        stroke[0] > (boxes[rest, 0] + boxes[rest, 2]).max()
    return stroke[0] <= left and stroke[2] >= right and short_of_rest


def stands_apart(ink: np.ndarray, boxes: np.ndarray, crossed: list[int], rest: list[int],
                 rest_to_the_right: bool) -> bool:
    """Whether the two or more digits a stroke crosses stand a word space (WORD_SPACE of the digits' height) apart
    from the `rest` in the line's `ink` (bool): as many empty columns side by side between their middles. A digit's box
    is only as true as what found it (the recognizer's frames place a digit to a few pixels), and a box that reaches
    on towards the rest closes a space a person sees. One digit tells nothing, as in `spans`."""
    if not rest or len(crossed) < 2:
        return False
    middles = boxes[:, 0] + boxes[:, 2] / 2
    near, far = (middles[crossed].max(), middles[rest].min()) if rest_to_the_right else \
        (middles[rest].max(), middles[crossed].min())
    return widest_gap(ink.any(axis=0), near, far) >= WORD_SPACE * median(boxes[:, 3].tolist())


def pen_width(ink: np.ndarray, stroke: tuple[int, int, int, int], digit_height: float) -> float | None:
    """The width of the pen that drew the stroke (x1, y1, x2, y2, left end first) on `ink` (bool), the median ink
    across its course where thin; None where it is not one movement of a pen: ink within a pixel of its course at
    all but STRIKE_GAPS of its columns, and thin across it at STRIKE_THIN_SHARE of them. The transform also joins up
    ink that only lines up, as the sides of two zeros do, and finds straight runs through digits so bold or blurred
    that they are solid."""
    columns = np.arange(stroke[0], stroke[2] + 1)
    found, rows = near_course(ink, stroke, columns)
    if found.mean() < 1 - STRIKE_GAPS:
        return None
    tops, ends = runs_around(ink, columns[found], rows[found])
    thick = ends - tops
    thin = thick[thick <= STRIKE_THIN * digit_height]
    return median(thin.tolist()) if len(thin) >= STRIKE_THIN_SHARE * len(thick) else None


def goes_on(marks: np.ndarray, stroke: tuple[int, int, int, int], length: int, towards_right: bool) -> bool:
    """Whether `marks` (bool: ink, or fainter) go on along the stroke's course for most of `length` columns past its
    end towards the rest of the line, as a ruled line does of which the transform found a piece, however faint it
    is printed: a strike ends where the pen lifted."""
    columns = np.arange(stroke[2] + 1, stroke[2] + 1 + length) if towards_right else \
        np.arange(stroke[0] - length, stroke[0])
    columns = columns[(columns >= 0) & (columns < marks.shape[1])]
    return bool(len(columns)) and float(near_course(marks, stroke, columns)[0].mean()) > 0.5


def near_course(mask: np.ndarray, stroke: tuple[int, int, int, int],
                columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each of `columns`, whether `mask` (bool) holds ink within a pixel of the stroke's course (extended
    beyond its ends), and the row it was found in: on the course first, then a pixel above, then below."""
    last_row = mask.shape[0] - 1  # np.clip's checks cost more than its work on a stroke's few hundred columns
    rows = np.minimum(np.maximum(np.round(height_at(stroke, columns)).astype(int), 0), last_row)
    near = np.minimum(np.maximum(rows + np.array([[0], [-1], [1]]), 0), last_row)  # each column's three rows in turn
    inked = mask[near, columns]
    first = np.argmax(inked, axis=0)
    found = inked[first, np.arange(len(columns))]
    return found, np.where(found, near[first, np.arange(len(columns))], rows)


def fitted_to_ink(ink: np.ndarray, stroke: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The stroke (x1, y1, x2, y2, left end first) laid along the middle of its own `ink` (bool): the line through
    the middles of its thinner half of runs across it, fitted by least squares. The transform tells a course only
    to a degree, which over a long stroke drifts off its ink by pixels, so that it seems to end early, or to go on
    where its own ink does."""
    columns = np.arange(stroke[0], stroke[2] + 1)
    found, rows = near_course(ink, stroke, columns)
    runs = np.stack(runs_around(ink, columns[found], rows[found]), axis=1)
    thin = runs[:, 1] - runs[:, 0] <= median((runs[:, 1] - runs[:, 0]).tolist()) if len(runs) else np.zeros(0, bool)
    if thin.sum() < 2:
        return stroke
    slope, offset = least_squares_line(columns[found][thin], (runs[thin, 0] + runs[thin, 1] - 1) / 2)
    return stroke[0], int(round(slope * stroke[0] + offset)), stroke[2], int(round(slope * stroke[2] + offset))


def least_squares_line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The slope and offset of the straight line through points (x, y) by least squares, as `np.polyfit(x, y, 1)`
    gives it (to the last digits), in a third of its time (17 against 46 microseconds for a stroke of 91 columns)."""
    x_mean, y_mean = x.mean(), y.mean()
    slope = float(((x - x_mean) * (y - y_mean)).sum() / ((x - x_mean) ** 2).sum())
    return slope, float(y_mean - slope * x_mean)


def runs_around(ink: np.ndarray, columns: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each of `columns`, the run of `ink` (bool) down it through its row of `rows` (a row on the ink): the run's
    first row and the row past its last, every column at once."""
    gaps = ~ink[:, columns]
    index = np.arange(ink.shape[0])[:, None]
    tops = np.where(gaps & (index < rows), index, -1).max(axis=0, initial=-1) + 1
    ends = np.where(gaps & (index >= rows), index, ink.shape[0]).min(axis=0, initial=ink.shape[0])
    return tops, ends


def crosses(stroke: tuple[int, int, int, int], box: np.ndarray) -> bool:
    """Whether the straight stroke (x1, y1, x2, y2, left end first) runs over at least STRIKE_OVER of the box's
    (x, y, width, height) width; how high it runs is `through_middle`'s to judge, for all it crosses together: a
    stroke that strikes a number often starts below its first digit and ends above its last."""
    return min(stroke[2], box[0] + box[2]) - max(stroke[0], box[0]) >= STRIKE_OVER * box[2]


def through_middle(stroke: tuple[int, int, int, int], boxes: np.ndarray) -> bool:
    """Whether the stroke, midway across the boxes (N, 4), lies STRIKE_MIDDLE of their joint height or more from
    their top and bottom."""
    top, bottom = boxes[:, 1].min(), (boxes[:, 1] + boxes[:, 3]).max()
    at = height_at(stroke, (boxes[:, 0].min() + (boxes[:, 0] + boxes[:, 2]).max()) / 2)
    return top + STRIKE_MIDDLE * (bottom - top) <= at <= bottom - STRIKE_MIDDLE * (bottom - top)


def height_at(stroke: tuple[int, int, int, int], x):
    """The row of the stroke's course, extended as a straight line, at column(s) `x`."""
    x1, y1, x2, y2 = stroke
    return y1 + (y2 - y1) * (np.asarray(x, np.float64) - x1) / (x2 - x1) if x2 != x1 else \
        np.full(np.shape(x), (y1 + y2) / 2)
