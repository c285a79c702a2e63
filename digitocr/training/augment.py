"""Random distortions of digit masks, and made-up marks that are not digits.

Used by training only. Every distortion works on a binary mask before
`normalize.to_model_input`, so the model learns from what the reader will
give it, not from MNIST's own framing.
"""

from dataclasses import dataclass

import cv2
import numpy as np

from ..image.normalize import STROKE_IN_BOX


STEM_LEAN = 0.45  # a stroke leaning more than this (of its height) from top to bottom is no '1' stem to flag
FLAG_LENGTH = (0.2, 0.95)  # a '1's flag, as a share of the stem's height: a quick hand draws it nearly as long
FLAG_DROP = (35, 80)  # degrees below the horizontal a flag falls; flatter, it is a '7's bar
FLAG_BOW = 0.25  # the most a curved flag bulges up and out, as a share of its length
SMALLEST_LOOP = 0.14  # a looped '2's least loop radius, as a share of the digit's height: a small eye


@dataclass(frozen=True)
class AugmentSettings:
    rotation_degrees: float = 12.0
    shear: float = 0.3
    aspect_jitter: float = 0.2
    elastic_probability: float = 0.3
    elastic_alpha: float = 0.08  # displacement, as a fraction of the mask's longer side
    elastic_sigma: float = 0.12  # smoothness, as a fraction of the longer side
    stroke_range: tuple[float, float] = (1.4, 3.4)  # stroke widths in the 20-pixel box
    neighbour_probability: float = 0.15
    coarse_probability: float = 0.15
    flag_probability: float = 0.5  # of the 1s, drawn with a flag (and sometimes a foot), as much of Europe writes them
    cross_probability: float = 0.3  # of the 7s, drawn with a bar across the stem
    hook_probability: float = 0.3  # of the 9s, drawn with the stem's foot curled back to the left, as a 'g'
    stem_left_probability: float = 0.15  # of the 9s, drawn with the stem below the loop's left, as a 'ρ'
    loop_probability: float = 0.3  # of the 2s, looped at the base, as much of Latin America writes them...
    curl_probability: float = 0.5  # ...and of those, begun with a curl where the pen lands
    loop_radii: tuple[float, float] = (0.3, 0.32)  # a looped '2's largest loop, across and up: an 'ℓ' on its base
    cursive_two_probability: float = 0.4  # of pendigits' 2s, looped and curled in the pen's own path (`pen_styles`)
    fill_box_probability: float = 0.12  # stretched to a square, then scanned coarsely, as Semeion's digits are
    raw_elastic_probability: float = 0.3  # of the MNIST images trained on as published
    coarse_rows: tuple[int, int] = (10, 20)  # grid heights of a coarse scan (Semeion's is 16)
    blur_probability: float = 0.2
    noise_probability: float = 0.1


def random_affine(mask: np.ndarray, rng: np.random.Generator, settings: AugmentSettings) -> np.ndarray:
    """Rotate, shear and stretch a mask about its centre, growing the canvas so nothing is cut off."""
    height, width = mask.shape
    angle = np.deg2rad(rng.uniform(-settings.rotation_degrees, settings.rotation_degrees))
    shear = rng.uniform(-settings.shear, settings.shear)
    stretch = np.exp(rng.uniform(-settings.aspect_jitter, settings.aspect_jitter))
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    linear = rotation @ np.array([[stretch, shear], [0.0, 1.0 / stretch]])
    side = int(np.ceil(1.6 * max(height, width))) + 4
    centre_in = np.array([width / 2, height / 2])
    offset = np.array([side / 2, side / 2]) - linear @ centre_in
    matrix = np.hstack([linear, offset[:, None]]).astype(np.float32)
    warped = cv2.warpAffine(mask.astype(np.float32), matrix, (side, side), flags=cv2.INTER_LINEAR)
    return (warped >= 0.5).astype(np.uint8)


def elastic_warp(image: np.ndarray, rng: np.random.Generator, settings: AugmentSettings) -> np.ndarray:
    """A smooth random displacement of every pixel, as a hand's wobble bends a stroke: float32 out."""
    height, width = image.shape
    longer = max(height, width)
    sigma = max(1.0, settings.elastic_sigma * longer)
    fields = []
    for _ in range(2):
        field = cv2.GaussianBlur(rng.uniform(-1, 1, (height, width)).astype(np.float32), (0, 0), sigma)
        field *= settings.elastic_alpha * longer / (np.abs(field).max() + 1e-6)
        fields.append(field)
    grid_y, grid_x = np.mgrid[0:height, 0:width].astype(np.float32)
    return cv2.remap(image.astype(np.float32), grid_x + fields[0], grid_y + fields[1], cv2.INTER_LINEAR)


def elastic(mask: np.ndarray, rng: np.random.Generator, settings: AugmentSettings) -> np.ndarray:
    return (elastic_warp(mask, rng, settings) >= 0.5).astype(np.uint8)


def crossed_seven(mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A '7' given a short bar across its stem at mid-height, as much of Europe writes it."""
    mask = mask.copy()
    height, width = mask.shape
    row = int(height * rng.uniform(0.45, 0.6))
    columns = np.nonzero(mask[row])[0]
    if len(columns) == 0:
        return mask
    centre = int(columns.mean())
    half = int(width * rng.uniform(0.2, 0.4))
    thickness = max(1, int(round(mask.sum() / max(1, height) / 2)))
    tilt = int(height * rng.uniform(-0.05, 0.05))
    cv2.line(mask, (max(0, centre - half), row + tilt), (min(width - 1, centre + half), row - tilt), 1, thickness)
    return mask


def hooked_nine(mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A '9' whose stem ends in a hook curling back to the left, as many Italian and French hands write it.

    The hook leaves the stem's lowest ink, runs left under the loop and turns
    up, in the stroke's own thickness; the canvas grows to the left to hold it.
    """
    height, width = mask.shape
    pad = width // 2 + 1
    mask = np.pad(mask, ((0, height // 8), (pad, 0)))
    ys, xs = np.nonzero(mask)
    bottom = int(ys.max())
    foot_x = int(xs[ys == bottom].mean())
    thickness = max(1, int(round(len(ys) / max(1, height) / 2)))
    reach = width * rng.uniform(0.35, 0.8)
    rise = height * rng.uniform(0.08, 0.3)
    sag = height * rng.uniform(0.0, 0.1)
    steps = np.linspace(0, 1, 12)
    points = np.stack([foot_x - reach * steps, bottom + sag * np.sin(np.pi * steps) - rise * steps ** 2], axis=1)
    cv2.polylines(mask, [np.round(points).astype(np.int32).reshape(-1, 1, 2)], False, 1, thickness)
    return mask


def stem_left_nine(mask: np.ndarray) -> np.ndarray:
    """A '9' whose stem falls from the loop's left, as many Spanish and Latin American hands write it (like a 'ρ').

    The mirror image of a '9' is that shape, and no other digit's: the
    classifier trained without it reads such 9s as 8s. The affine distortion
    that follows slants some stems under the loop's middle.
    """
    return np.ascontiguousarray(mask[:, ::-1])


def looped_two(mask: np.ndarray, rng: np.random.Generator, widest: float = 0.24, tallest: float = 0.26) -> np.ndarray:
    """A '2' whose stroke loops where it turns into the base, as much of Latin America and Southern Europe writes it.

    The loop sits on the base just right of the stroke's lowest-left ink, drawn
    thin (the reader's normalisation redraws every stroke), so the corner
    encloses a hole. Its radii run from a small eye to `widest` across and
    `tallest` up (shares of the height); the defaults are the loops the line
    recognizer learned and the stress scenes draw.
    """
    height = mask.shape[0]
    mask = np.pad(mask, ((height // 6, height // 8), (height // 6, 0)))
    ys, xs = np.nonzero(mask)
    low = ys >= ys.min() + 0.7 * (ys.max() - ys.min())
    corner_x, corner_y = int(xs[low].min()), int(ys[low][np.argmin(xs[low])])
    thickness = max(1, int(round(0.06 * height)))
    across, up = height * rng.uniform(SMALLEST_LOOP, widest), height * rng.uniform(SMALLEST_LOOP, tallest)
    centre = (int(corner_x + across * rng.uniform(0.4, 1.0)), int(corner_y - up * rng.uniform(0.5, 0.9)))
    cv2.ellipse(mask, centre, (max(1, int(across)), max(1, int(up))), float(rng.uniform(-30, 30)), 0, 360, 1,
                thickness)
    return mask


def curled_start(mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A '2' begun with a small curl where the pen lands, before it runs up into the top arc, as many who loop the
    base also write it.

    The curl is a thin circle (the reader's normalisation redraws every
    stroke) through the stroke's leftmost ink in its top two fifths, hanging
    below it and to the left.
    """
    height = mask.shape[0]
    radius = height * rng.uniform(0.07, 0.13)
    pad = int(np.ceil(2 * radius)) + 1
    mask = np.pad(mask, ((0, 0), (pad, 0)))
    ys, xs = np.nonzero(mask)
    top = ys <= ys.min() + 0.4 * (ys.max() - ys.min())
    end_x, end_y = int(xs[top].min()), int(ys[top][np.argmin(xs[top])])
    towards = np.radians(rng.uniform(90, 150))  # from the pen's landing point to the curl's centre, y downward
    centre = (int(round(end_x + radius * np.cos(towards))), int(round(end_y + radius * np.sin(towards))))
    cv2.circle(mask, centre, max(1, int(round(radius))), 1, max(1, int(round(0.06 * height))))
    return mask


def attach_neighbour_piece(mask: np.ndarray, neighbour: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Glue a thin slice of another digit at the left or right edge, as touching neighbours leave in a crop."""
    height = mask.shape[0]
    piece = cv2.resize(neighbour, (max(1, neighbour.shape[1] * height // max(1, neighbour.shape[0])), height),
                       interpolation=cv2.INTER_NEAREST)
    piece_width = max(1, int(piece.shape[1] * rng.uniform(0.08, 0.22)))
    on_left = rng.random() < 0.5
    piece = piece[:, -piece_width:] if on_left else piece[:, :piece_width]
    parts = [piece, mask] if on_left else [mask, piece]
    return np.hstack(parts)


def coarse_scan(mask: np.ndarray, rng: np.random.Generator, settings: AugmentSettings) -> np.ndarray:
    """The mask as a low-resolution binary scan shows it, enlarged again: bold strokes with stair-step edges."""
    height, width = mask.shape
    rows = int(rng.integers(*settings.coarse_rows, endpoint=True))
    if height <= rows:
        return mask
    cell = height / rows
    bold = max(1, int(round(cell * rng.uniform(0.3, 0.9))))  # a scanner's stroke is at least about a cell wide
    mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (bold, bold)))
    size = (max(1, round(width / cell)), rows)
    coarse = cv2.resize(mask.astype(np.float32), size, interpolation=cv2.INTER_AREA) >= rng.uniform(0.35, 0.6)
    return cv2.resize(coarse.astype(np.uint8), (width, height), interpolation=cv2.INTER_NEAREST)


def flagged_one(mask: np.ndarray, rng: np.random.Generator, lowered: float = 0.0,
                longest: float = FLAG_LENGTH[1]) -> np.ndarray:
    """A '1' stem given a flag from at or near its top, down and to the left, sometimes a foot, in its own thickness.

    The flag is laid relative to the stem, so a leaning stem gets one too; it
    falls at least FLAG_DROP[0] below the horizontal, where a '7's bar would be
    flat. Half the flags bow outward, as a flag drawn in one movement with the
    stem does; long, steep ones make the wedge many European writers' '1' is.
    With `lowered`, half the flags leave the stem up to that share of its height
    below its tip, where the pen overshot; `longest` lets a flag run longer than
    the stem, as the lead-in stroke from the line up to the tip that many
    cheque and form writers start a '1' with.
    """
    pad = mask.shape[0]
    mask = np.pad(mask, ((0, 0), (pad, pad // 2)))
    ys, xs = np.nonzero(mask)
    top, bottom = int(ys.min()), int(ys.max())
    height = bottom - top + 1
    thickness = max(1, int(round(len(ys) / height)))
    top_x, bottom_x = int(xs[ys == top].mean()), int(xs[ys == bottom].mean())
    if abs(top_x - bottom_x) > STEM_LEAN * height:
        return mask
    length = height * rng.uniform(FLAG_LENGTH[0], longest)
    angle = np.deg2rad(rng.uniform(*FLAG_DROP))
    start_x, start_y = float(top_x), top
    if lowered:
        start_y = top + int(height * rng.uniform(0, lowered)) if rng.random() < 0.5 else top
        start_x = float(xs[ys == start_y].mean()) if np.any(ys == start_y) else float(top_x)
    start = np.array([start_x, start_y], float)
    end = start + length * np.array([-np.cos(angle), np.sin(angle)])
    bow = length * rng.uniform(0, FLAG_BOW) if rng.random() < 0.5 else 0.0
    outward = np.array([-np.sin(angle), -np.cos(angle)])  # perpendicular to the flag, up and to the left
    steps = np.linspace(0, 1, 12)[:, None]
    points = start + (end - start) * steps + outward * bow * 4 * steps * (1 - steps)
    cv2.polylines(mask, [np.round(points).astype(np.int32).reshape(-1, 1, 2)], False, 1, thickness)
    if rng.random() < 0.3:
        half = int(height * rng.uniform(0.15, 0.3))
        cv2.line(mask, (bottom_x - half, bottom), (bottom_x + half, bottom), 1, thickness)
    return mask


def filling_its_box(mask: np.ndarray) -> np.ndarray:
    """The digit stretched to a square, as scanned-digit sets such as Semeion store every digit, a '1' included."""
    side = max(mask.shape)
    return cv2.resize(mask, (side, side), interpolation=cv2.INTER_NEAREST)


def cursive_zeros(count: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """`count` zeros in one movement, as '00' is written at a number's end: each loop drawn
    anticlockwise from near its top, then the pen runs on to the next one's top, loops sometimes
    left open or closed past their start."""
    thickness = max(2, int(height * rng.uniform(0.07, 0.14)))
    points, x = [], thickness + 1.0
    for _ in range(count):
        width = height * rng.uniform(0.4, 0.8)
        centre = np.array([x + width / 2, height / 2])
        start = np.pi / 2 + rng.uniform(-0.6, 0.3)  # near the top, a little to the right
        turn = 2 * np.pi * rng.uniform(0.85, 1.12)
        tilt = rng.uniform(-0.25, 0.25)
        angles = start + np.linspace(0, turn, 40)
        wobble = 1 + 0.06 * np.sin(angles * rng.integers(2, 4) + rng.uniform(0, 6))
        loop = np.stack([np.cos(angles) * width / 2 * wobble, -np.sin(angles) * (height / 2 - thickness) * wobble], 1)
        loop[:, 0] += tilt * loop[:, 1]
        points.append(centre + loop)
        x += width * rng.uniform(0.9, 1.25)
    mask = np.zeros((height + 2 * thickness, int(x + height) + 2 * thickness), np.uint8)
    path = np.concatenate(points) + thickness
    cv2.polylines(mask, [np.round(path).astype(np.int32).reshape(-1, 1, 2)], False, 1, thickness)
    return mask


def touching_pair(left: np.ndarray, right: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Two whole digits side by side, touching or overlapping: a box holding two digits is not one digit."""
    height = max(left.shape[0], right.shape[0])
    left, right = (cv2.resize(mask, (max(1, mask.shape[1] * height // mask.shape[0]), height),
                              interpolation=cv2.INTER_NEAREST) for mask in (left, right))
    overlap = int(min(left.shape[1], right.shape[1]) * rng.uniform(0.0, 0.3))
    pair = np.zeros((height, left.shape[1] + right.shape[1] - overlap), np.uint8)
    pair[:, :left.shape[1]] = left
    pair[:, pair.shape[1] - right.shape[1]:] |= right
    return pair


def degrade(image: np.ndarray, rng: np.random.Generator, settings: AugmentSettings) -> np.ndarray:
    """Blur or speckle a 28x28 model input, as a poor photo would."""
    if rng.random() < settings.blur_probability:
        image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.3, 0.9))
    if rng.random() < settings.noise_probability:
        image = image + rng.normal(0, 0.06, image.shape).astype(np.float32)
    return np.clip(image, 0.0, 1.0).astype(np.float32)


def random_stroke(rng: np.random.Generator, settings: AugmentSettings) -> float:
    low, high = settings.stroke_range
    return float(rng.uniform(low, high)) if rng.random() < 0.7 else STROKE_IN_BOX


NON_DIGIT_LETTERS = "AEHKMNRWXkmwx+#%&@*"  # none a digit resembles ('F' is a crossed '7', 'P' a stem-left '9')


def non_digit_mask(rng: np.random.Generator) -> np.ndarray:
    """One mark that is not a digit: a comma, dash, ruling-line bit, cell corner, letter, sign or scribble.

    Round dots are left out on purpose: scaled to the digit box they look like a
    zero whose hole has closed; the reader drops them by size instead.
    """
    kind = rng.choice(["comma", "dash", "rule", "corner", "letter", "letter", "scribble", "cross"])
    canvas = np.zeros((96, 96), np.uint8)
    thickness = int(rng.integers(2, 9))
    if kind == "comma":
        radius = int(rng.integers(4, 10))
        cv2.circle(canvas, (48, 40), radius, 1, -1)
        tail = (42 - int(rng.integers(0, 8)), 40 + int(rng.integers(12, 26)))
        cv2.line(canvas, (48 + radius // 2, 40), tail, 1, thickness)
    elif kind in ("dash", "rule"):
        length = int(rng.integers(20, 50)) if kind == "dash" else 90
        tilt = rng.uniform(-6, 6)
        end = (int(4 + length), int(48 + tilt))
        cv2.line(canvas, (4, 48), end, 1, thickness if kind == "dash" else int(rng.integers(1, 4)))
    elif kind == "corner":  # where a cell's borders meet: two straight, thin, square-on arms
        corner = (int(rng.choice([8, 88])), int(rng.choice([8, 88])))
        width = int(rng.integers(1, 4))
        for length, horizontal in ((int(rng.integers(15, 80)), True), (int(rng.integers(30, 80)), False)):
            step = length if corner[int(not horizontal)] == 8 else -length
            end = (corner[0] + step, corner[1]) if horizontal else (corner[0], corner[1] + step)
            cv2.line(canvas, corner, end, 1, width)
    elif kind == "letter":
        letter = str(rng.choice(list(NON_DIGIT_LETTERS)))
        font = int(rng.choice([cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX,
                               cv2.FONT_HERSHEY_COMPLEX, cv2.FONT_HERSHEY_PLAIN]))
        scale = 4.5 if font == cv2.FONT_HERSHEY_PLAIN else 2.2
        cv2.putText(canvas, letter, (14, 76), font, scale, 1, thickness // 2 + 1)
    elif kind == "scribble":
        points = rng.uniform(10, 86, (int(rng.integers(5, 12)), 2)).astype(np.int32)
        cv2.polylines(canvas, [points.reshape(-1, 1, 2)], False, 1, thickness)
    else:
        cv2.line(canvas, (20, 20), (76, 76), 1, thickness)
        cv2.line(canvas, (76, 20), (20, 76), 1, thickness)
    return canvas if canvas.any() else non_digit_mask(rng)
