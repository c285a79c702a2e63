"""Clean-up of binary ink before segmentation: what is on the page but is not writing.

A form's drawn boxes, ruled lines and cell borders (also slightly tilted),
page edges and black scan margins, what is left of a border at the image's
side, and specks. Where the writing is darker than a printed rule, what is
written over the rule stays; a stroke a removed rule cut through is joined
again. The upright rules are also kept as a form's column lines, with those
printed too light for the threshold to take as ink: a person reads such a
line as parting one field from the next. Where the threshold kept such a
line only in pieces, too short to be found as rules, the pieces go with it.
"""

from dataclasses import dataclass

import cv2
import numpy as np

from .components import Components, joined_to, typical_height
from .orderstats import image_percentiles

LINE_LENGTH = 2.0  # a horizontal run this many digit heights long may be a rule or border...
BORDER_LENGTH = 1.6  # ...and a vertical one this many
RULE_THICKNESS = 0.15  # of the digit height: the thickest ink across a line that can still be a rule
RULE_SLACK = 1  # pixels of ink across a rule beyond its own thickness that are still its own
LIGHTER = 1.25  # writing's core this many times darker than a rule's tells strokes over the rule from it...
CORE = 90  # ...each core the percentile of its tone clear of the blurred edges
MAX_TILT = 8  # degrees a rule or border may lean
RULE_SPAN = 0.85  # a line across this much of the image is a rule whatever the digits' size...
RULE_SLENDERNESS = 12  # ...if it is this many times longer than thick; a digit's bar is stubbier
EDGE_ZONE = 0.08  # a line this close to the image's edge (fraction of the side) is a cell or page border...
EDGE_LINE_SPAN = 0.5  # ...when it runs along half the side or more...
EDGE_SLENDERNESS = 6  # ...and is this many times longer than thick...
WALK_TILT_SLACK = 4  # degrees a Hough walk may lean beyond its ends' line (their rounding, over 15 px or more)
EDGE_TILT = 3  # ...and leans no more than this many degrees, as a ruled border does and a pen stroke seldom
SIDE_SLIVER = 0.3  # of the digit height: a mark this narrow in a side's edge zone is border, not a '1'
DIGIT_SIZED = 0.25  # a mark within this share of the digit height of it, clear of the top and bottom, may be a '1'...
SIDE_REACH = 0.4  # ...unless it hugs the side, reaching no further in than this many digit heights
BOX_SIDE_COVER = 0.9  # a mark inked along this share of its bounding box's top and bottom, and of its height at
BOX_BAND = 0.12  # both ends, within a band this share of its shorter side deep (at least 2 px), is a row of boxes
BOX_NARROWEST = 0.4  # a box is at least this wide for its height...
BOX_SMALLEST = 12  # ...and this many pixels high: a smaller one is a speck or a digit's loop
FRAME_THICKNESS = 0.15  # a border-touching band thinner than this fraction of the side is a frame edge...
EDGE_HUG = 0.5  # ...if it lies along the edge for at least this share of its length (a slanted '1' touches it once)
NO_RULES = (np.zeros((0, 4), int), np.zeros(0, int))  # ends and thickness of no rule at all


@dataclass(frozen=True)
class Cleaned:
    binary: np.ndarray
    removed: np.ndarray  # what clean-up took away, 255 where removed
    components: Components  # those of `binary`, for segmentation to reuse
    column_lines: np.ndarray  # (N, 4) int: a form's column lines, dark or faint (see `column_lines`)


def rule_lines(binary: np.ndarray, digit_height: float, tone: np.ndarray | None,
               columns: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Straight, slender runs far longer than a digit (rules and borders, also slightly tilted), 255 where found.

    A probabilistic Hough transform finds the lines; each is drawn back with the
    thickness of the ink around it, so only the rule's own pixels are taken, less
    any writing over it that `tone` (the ink's darkness, see `written_over`)
    tells apart. The `columns` (`column_lines`' ends and thickness) are upright
    rules too: where the threshold kept a faint one only in pieces, too short
    for the transform to find in the binary, the pieces go with it.
    """
    mask = np.zeros_like(binary)
    for horizontal in (True, False):
        ends, thickness = _rules_found(binary, digit_height, horizontal)
        if not horizontal:
            ends, thickness = np.concatenate([ends, columns[0]]), np.concatenate([thickness, columns[1]])
        if len(ends):
            mask[rules_own_ink((binary > 0) & (mask == 0), ends, thickness, horizontal, tone)] = 255
    return cv2.bitwise_and(mask, binary)


def column_lines(binary: np.ndarray, faint: np.ndarray | None, digit_height: float) -> tuple[np.ndarray, np.ndarray]:
    """A form's column lines, which a person reads as parting one field from the next, as (N, 4) ends (x1, y1, x2,
    y2), top end first, and their thickness (N): the upright rules among the ink no thicker than a rule (`binary`'s,
    less what a square as wide as the thickest rule fits in) and the `faint` marks (255 where too light for ink, yet
    darker than the paper), for a form's lines are often printed too light for the threshold to keep, or kept only
    in pieces, where they touch the writing or darken."""
    marks = binary if faint is None else cv2.bitwise_or(binary, faint)
    if not _may_hold_line(marks, False, *_rule_lengths(binary.shape, digit_height, False)[1:]):
        return NO_RULES  # the thin ink is part of `binary`: where all of it holds no line, no part of it does
    thickest = int(digit_height * RULE_THICKNESS) + 1
    thin = cv2.subtract(binary, cv2.morphologyEx(binary, cv2.MORPH_OPEN, np.ones((thickest, thickest), np.uint8)))
    ends, thickness = _rules_found(thin if faint is None else cv2.bitwise_or(thin, faint), digit_height, False)
    return np.where((ends[:, 1] <= ends[:, 3])[:, None], ends, ends[:, [2, 3, 0, 1]]), thickness


def _rules_found(binary: np.ndarray, digit_height: float, horizontal: bool) -> tuple[np.ndarray, np.ndarray]:
    """The ends (N, 4) and thickness (N) of the rules running one way (see `rule_lines`). The transform is skipped
    where `_may_hold_line` proves it would find none."""
    height, width = binary.shape
    length, shortest, gap = _rule_lengths(binary.shape, digit_height, horizontal)
    if not _may_hold_line(binary, horizontal, shortest, gap):
        return NO_RULES
    found = cv2.HoughLinesP(binary, 1, np.pi / 180, threshold=shortest // 2, minLineLength=shortest, maxLineGap=gap)
    if found is None:
        return NO_RULES
    x1, y1, x2, y2 = found.reshape(-1, 4).T
    angle = np.abs(np.degrees(np.arctan2(y2 - y1, x2 - x1))) % 180
    tilt = np.minimum(angle, 180 - angle) if horizontal else np.abs(90 - angle)
    upright = tilt <= MAX_TILT
    x1, y1, x2, y2, tilt = x1[upright], y1[upright], x2[upright], y2[upright], tilt[upright]
    if not len(x1):
        return NO_RULES
    thickness = _ink_thickness(binary, (x1, y1, x2, y2), horizontal, int(digit_height * RULE_THICKNESS) + 2)
    span = np.hypot(x2 - x1, y2 - y1)
    across = (y1, y2, height) if horizontal else (x1, x2, width)
    near_edge = (np.maximum(across[0], across[1]) <= EDGE_ZONE * across[2]) | \
        (np.minimum(across[0], across[1]) >= (1 - EDGE_ZONE) * across[2])
    rule = ((span >= length) & (span >= RULE_SLENDERNESS * thickness)) | \
        (near_edge & (tilt <= EDGE_TILT) & (span >= EDGE_SLENDERNESS * thickness))
    return np.stack([x1, y1, x2, y2], axis=1)[rule], thickness[rule]


def rules_own_ink(ink: np.ndarray, ends: np.ndarray, thickness: np.ndarray, horizontal: bool,
                  tone: np.ndarray | None) -> np.ndarray:
    """The ink of the rules from (x1, y1) to (x2, y2) with their own thickness: within each rule's band, less the
    writing over it (`written_over`)."""
    allowance = np.zeros(ink.shape, np.uint8)  # per pixel on a rule, the most ink across it that is the rule's own
    for (x1, y1, x2, y2), own in zip(ends.tolist(), thickness.tolist()):
        cv2.line(allowance, (x1, y1), (x2, y2), int(own) + RULE_SLACK, int(own) + 2)
    on_rule = ink & (allowance > 0)
    bare = on_rule & (ink_across(ink, horizontal) <= allowance)
    return on_rule & ~written_over(on_rule, bare, ink & ~on_rule, tone)


def written_over(on_rule: np.ndarray, bare: np.ndarray, off_rule: np.ndarray, tone: np.ndarray | None) -> np.ndarray:
    """The ink on a rule that is writing over it, not the rule: nearer in tone to the writing's core than to the
    rule's bare stretches, and joined to writing off the rule. A pen's stroke is darker than a printed rule, so a
    '7' whose bar lies along the rule keeps its bar; a rule as dark as the ink (or no tone to tell) gives no such
    evidence, and all of it goes."""
    if tone is None or not bare.any() or not off_rule.any():
        return np.zeros_like(on_rule)
    (rule_tone,), (ink_tone,) = image_percentiles(tone[bare], (CORE,)), image_percentiles(tone[off_rule], (CORE,))
    if ink_tone < LIGHTER * rule_tone:
        return np.zeros_like(on_rule)
    darker = on_rule & (tone > (rule_tone + ink_tone) / 2)
    return darker & (joined_to((darker | off_rule).astype(np.uint8), off_rule) > 0)


def ink_across(ink: np.ndarray, horizontal: bool) -> np.ndarray:
    """Per ink pixel, the length of the unbroken run of ink through it across a horizontal (or vertical) line: a
    rule's own thickness on its bare stretches, more where a stroke crosses it or lies along it."""
    ink = ink if horizontal else ink.T
    down = _run_lengths(ink)
    up = _run_lengths(ink[::-1])[::-1]
    across = np.where(ink, down + up - 1, 0).astype(np.int32)
    return across if horizontal else across.T


def _run_lengths(ink: np.ndarray) -> np.ndarray:
    """Per pixel, how many ink pixels end at it going down its column (0 off the ink)."""
    count = np.cumsum(ink, axis=0, dtype=np.int32)
    at_gap = np.maximum.accumulate(np.where(ink, 0, count), axis=0)
    return count - at_gap


def _rule_lengths(shape: tuple[int, int], digit_height: float, horizontal: bool) -> tuple[int, int, int]:
    """For rules running one way in an image of `shape`: how long a rule is, the shortest run the transform returns
    (shorter along an image's edge, where a border may be cut off) and the widest gap it walks over."""
    side = shape[1] if horizontal else shape[0]
    length = max(15, int(min(digit_height * (LINE_LENGTH if horizontal else BORDER_LENGTH), RULE_SPAN * side)))
    return length, max(15, min(length, int(EDGE_LINE_SPAN * side))), max(3, int(0.08 * digit_height))


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
    """Page edges, black margins and cell-border pieces, flagged per label: bands along an image edge, and slivers
    within a side's edge zone far narrower than a digit (what is left of a cell's side border). A margin wider than
    a band is a desk beyond the sheet, painted as paper before the threshold (`sheet`); a solid mark touching the
    edge is not taken for one, for a bold digit cropped tight is one too."""
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
    in_side_zone = (x >= (1 - EDGE_ZONE) * width) | (x + w <= EDGE_ZONE * width)
    in_end_zone = (y >= (1 - EDGE_ZONE) * height) | (y + h <= EDGE_ZONE * height)
    across_side, across_end = area / np.maximum(h, 1), area / np.maximum(w, 1)  # mean thickness of a line
    border_piece = (in_side_zone & (h >= EDGE_SLENDERNESS * across_side) & (w <= 2.5 * across_side)) | \
        (in_end_zone & (w >= EDGE_SLENDERNESS * across_end) & (h <= 2.5 * across_end))
    sliver = in_side_zone & (w <= SIDE_SLIVER * digit_height)
    digit_sized = ~touches_end & (np.abs(h - digit_height) <= DIGIT_SIZED * digit_height)
    hugs_side = np.minimum(x + w, width - x) <= SIDE_REACH * digit_height
    frame = vertical_band | horizontal_band | ((border_piece | sliver) & (hugs_side | ~digit_sized))
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


def rules_and_digit_height(binary: np.ndarray, components: Components, tone: np.ndarray | None,
                           faint: np.ndarray | None) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], float]:
    """The rules to remove (`rule_lines`), the column lines (`column_lines`) and the digits' height they were found
    for.

    Where the typical mark runs down most of the image, that height may be a
    rule's: on a ruled page photographed on its side, the rules run down the
    page and through the digits. Taken for the digits' height, it would let the
    bridge over a removed rule join the digits along it, so the marks are
    measured again without the rules found, as a rule across the page never
    counted, and the rules found again for that height.
    """
    digit_height = estimated_digit_height(components, binary.shape[0])
    lines, columns = _rules_for(binary, tone, faint, digit_height)
    if digit_height < RULE_SPAN * binary.shape[0] or not cv2.countNonZero(lines):
        return lines, columns, digit_height
    measured_again = estimated_digit_height(Components.of(cv2.subtract(binary, lines)), binary.shape[0])
    if measured_again >= digit_height:
        return lines, columns, digit_height
    return *_rules_for(binary, tone, faint, measured_again), measured_again


def _rules_for(binary: np.ndarray, tone: np.ndarray | None, faint: np.ndarray | None,
               digit_height: float) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    columns = column_lines(binary, faint, digit_height)
    return rule_lines(binary, digit_height, tone, columns), columns


def estimated_digit_height(components: Components, image_height: int) -> float:
    """A first guess at the digits' height from the marks' heights, before any are removed."""
    stats = components.stats
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    return typical_height(heights[stats[1:, cv2.CC_STAT_AREA] >= 4]) or float(image_height)


def clean_up(binary: np.ndarray, remove_lines: bool, min_ink_pixels: int,
             tone: np.ndarray | None = None, faint_level: float | None = None) -> Cleaned:
    """Remove drawn boxes, rules, borders, frame edges and specks, then re-join strokes a removed rule cut through;
    `tone`, the ink's darkness where the image path has it, lets writing over a lighter rule stay, and with
    `faint_level` (`Threshold.faint_level`) shows the column lines printed too light for the threshold to keep."""
    removed = np.zeros_like(binary)
    cleaned = binary
    components = Components.of(binary)
    columns = NO_RULES
    if remove_lines:
        boxes = box_outlines(components)
        if cv2.countNonZero(boxes):
            cleaned = cv2.subtract(cleaned, boxes)
            components = Components.of(cleaned)
        faint = None if tone is None or faint_level is None else \
            cv2.subtract(cv2.compare(tone, faint_level, cv2.CMP_GT), binary)
        lines, columns, digit_height = rules_and_digit_height(cleaned, components, tone, faint)
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
    return Cleaned(cleaned, cv2.subtract(removed, cleaned), components, columns[0])
