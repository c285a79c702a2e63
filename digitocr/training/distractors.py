"""Marks that are not the number but share its page: drawn as binary ink masks, sized to the digits' height.

A person reading a form or a register ignores them at a glance: the end of
a word written in cursive, a cross or tick after the amount, an underline, a
blot, a stamp, dots, a field of noise, a printed sign or word, a sign written
by hand, a currency sign, a form's printed label, a date's slash. The stress
suite draws them beside numbers of held-out writers, and the line recognizer
learns from them as nothing (but for the last three, drawn by their own
routines or in Pillow's typeface, which only the stress suite draws: the
recognizer learns signs as OpenCV's Hershey fonts print them and as
`hand_sign` writes them).
"""

import functools

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

LETTER_SHAPES = ("arcade", "garland", "loop", "oval", "tall_loop", "dip")  # the strokes cursive letters are made of


def _stroke(mask: np.ndarray, points: np.ndarray, thickness: int) -> None:
    """The pen's path drawn solid: anti-aliased into a binary mask, a pixel was ink only where the stroke covered
    most of it, and a stroke one pixel thick running askew broke into dots or vanished (a small '$' a bare bar)."""
    cv2.polylines(mask, [np.round(points).astype(np.int32).reshape(-1, 1, 2)], False, 1, thickness, cv2.LINE_8)


def _letter(kind: str, x: float, x_height: float, rng: np.random.Generator) -> np.ndarray:
    """One cursive letter's path from the baseline at `x`, y pointing down from the x-height's top (0)."""
    width = x_height * rng.uniform(0.5, 0.9)
    steps = np.linspace(0, 1, 14)
    if kind == "arcade":  # n, m, h: a hump
        return np.stack([x + width * steps, x_height * (1 - np.sin(np.pi * steps))], 1)
    if kind == "garland":  # u, w: a cup
        return np.stack([x + width * steps, x_height * np.sin(np.pi * steps)], 1)
    if kind in ("loop", "tall_loop"):  # e, l: up and back round to the baseline
        top = -x_height * rng.uniform(0.6, 1.0) if kind == "tall_loop" else x_height * 0.1
        angles = np.linspace(-np.pi / 2, 1.5 * np.pi, 18)
        middle = (x_height + top) / 2
        return np.stack([x + width / 2 + width / 2 * np.cos(angles) * (0.6 + 0.4 * steps.mean()),
                         middle + (x_height - top) / 2 * np.sin(angles)], 1)
    if kind == "oval":  # a, o: a closed ring, then on
        angles = np.linspace(0, 2 * np.pi, 18) + np.pi / 3
        return np.stack([x + width / 2 + width / 2 * np.cos(angles), x_height / 2 + x_height / 2 * np.sin(angles)], 1)
    return np.stack([x + width * steps, x_height * (0.5 + 0.5 * steps) + x_height * 0.8 * np.sin(np.pi * steps)], 1)


def cursive_fragment(height: int, rng: np.random.Generator) -> np.ndarray:
    """Part of a word written in cursive, one unbroken movement of letter shapes: x-height about half the
    digits' height, some letters rising to their full height."""
    x_height = height * rng.uniform(0.4, 0.65)
    letters = int(rng.integers(3, 8))
    path, x = [], 0.0
    for _ in range(letters):
        letter = _letter(str(rng.choice(LETTER_SHAPES)), x, x_height, rng)
        path.append(letter)
        x = float(letter[:, 0].max()) + x_height * rng.uniform(0.05, 0.3)
    points = np.concatenate(path)
    points[:, 1] += height - x_height + height * 0.1 * np.sin(points[:, 0] / height * rng.uniform(1, 3))
    thickness = max(1, int(height * rng.uniform(0.05, 0.1)))
    pad = thickness + 2
    mask = np.zeros((int(points[:, 1].max() - min(0, points[:, 1].min())) + 2 * pad + 1, int(x) + 2 * pad + 1),
                    np.uint8)
    points[:, 1] -= min(0, points[:, 1].min())
    _stroke(mask, points + pad, thickness)
    return mask


def cross(height: int, rng: np.random.Generator) -> np.ndarray:
    """A cross, as a clerk marks a line done or void."""
    side = int(height * rng.uniform(0.5, 1.0))
    thickness = max(1, int(height * rng.uniform(0.05, 0.1)))
    mask = np.zeros((side + 2 * thickness + 2, side + 2 * thickness + 2), np.uint8)
    wobble = rng.uniform(-0.1, 0.1, 4) * side
    _stroke(mask, np.array([[0, 0], [side + wobble[0], side + wobble[1]]]) + thickness + 1, thickness)
    _stroke(mask, np.array([[side + wobble[2], 0], [0, side + wobble[3]]]) + thickness + 1, thickness)
    return mask


def currency_sign(height: int, rng: np.random.Generator) -> tuple[np.ndarray, str]:
    """A '$' (an S struck through by one bar or two) or a '€' (a C crossed by two bars), as amounts are written, as
    tall as the digits or a little less; and which it is."""
    tall = height * rng.uniform(0.75, 1.05)
    wide = tall * rng.uniform(0.45, 0.65)
    thickness = max(1, int(height * rng.uniform(0.05, 0.1)))
    margin = thickness + 2
    mask = np.zeros((int(tall * 1.3) + 2 * margin, int(wide) + 2 * margin), np.uint8)
    top = tall * 0.15 + margin
    middle_x = wide / 2 + margin
    if rng.random() < 0.7:
        half = tall / 4
        upper = np.linspace(-np.pi / 6, -1.5 * np.pi, 20)
        lower = np.linspace(-np.pi / 2, 5 * np.pi / 6, 20)
        path = np.concatenate([np.stack([middle_x + wide / 2 * np.cos(upper), top + half + half * np.sin(upper)], 1),
                               np.stack([middle_x + wide / 2 * np.cos(lower), top + 3 * half + half * np.sin(lower)],
                                        1)])
        _stroke(mask, path, thickness)
        for offset in ((0.0,) if rng.random() < 0.6 else (-0.12, 0.12)):
            x = middle_x + offset * wide + rng.uniform(-0.05, 0.05) * wide
            _stroke(mask, np.array([[x, top - tall * 0.12], [x, top + tall * 1.12]]), thickness)
        return mask, "$"
    arc = np.linspace(-np.pi / 4, -7 * np.pi / 4, 24)
    _stroke(mask, np.stack([middle_x + wide / 2 * np.cos(arc), top + tall / 2 + tall / 2 * np.sin(arc)], 1), thickness)
    for row in (0.4, 0.6):
        y = top + tall * row
        _stroke(mask, np.array([[margin - 1, y], [middle_x + wide * 0.15, y]]), thickness)
    return mask, "€"


def slash(height: int, rng: np.random.Generator) -> np.ndarray:
    """A '/' as a date's parts are parted: one stroke up and to the right, leaning 20-45 degrees, a little longer
    than the digits are tall and bowed a little, as a pen draws it fast."""
    tall = height * rng.uniform(1.0, 1.3)
    lean = np.radians(rng.uniform(20, 45))
    wide = tall * np.tan(lean)
    thickness = max(1, int(height * rng.uniform(0.05, 0.1)))
    margin = thickness + 2
    mask = np.zeros((int(tall) + 2 * margin, int(wide) + 2 * margin), np.uint8)
    along = np.linspace(0, 1, 12)
    bow = rng.uniform(-0.04, 0.04) * tall * np.sin(np.pi * along)
    _stroke(mask, np.stack([margin + wide * along + bow, margin + tall * (1 - along)], 1), thickness)
    return mask


def tick(height: int, rng: np.random.Generator) -> np.ndarray:
    """A tick: a short stroke down, then a long one up and to the right."""
    side = int(height * rng.uniform(0.5, 1.0))
    thickness = max(1, int(height * rng.uniform(0.05, 0.1)))
    mask = np.zeros((side + 2 * thickness + 2, int(side * 1.2) + 2 * thickness + 2), np.uint8)
    points = np.array([[0, side * 0.55], [side * 0.35, side], [side * 1.2, 0]]) + thickness + 1
    _stroke(mask, points, thickness)
    return mask


def dash(height: int, rng: np.random.Generator) -> np.ndarray:
    """A short straight stroke at any slant, a pen's slip or a checker's mark: shaped like a '1' or a '-', but
    well short of the digits beside it."""
    length = height * rng.uniform(0.25, 0.6)
    thickness = max(1, int(height * rng.uniform(0.05, 0.1)))
    angle = rng.uniform(0, np.pi)
    reach = np.array([np.cos(angle), np.sin(angle)]) * length
    pad = thickness + 1
    mask = np.zeros((int(abs(reach[1])) + 2 * pad + 1, int(abs(reach[0])) + 2 * pad + 1), np.uint8)
    start = np.array([pad + max(0.0, -reach[0]), pad + max(0.0, -reach[1])])
    _stroke(mask, np.array([start, start + reach]), thickness)
    return mask


def blot(height: int, rng: np.random.Generator) -> np.ndarray:
    """A blot of ink: a filled irregular shape with a splash or two beside it."""
    radius = height * rng.uniform(0.15, 0.45)
    size = int(4 * radius) + 4
    mask = np.zeros((size, size), np.uint8)
    angles = np.sort(rng.uniform(0, 2 * np.pi, 12))
    lengths = radius * rng.uniform(0.6, 1.3, 12)
    points = np.stack([size / 2 + lengths * np.cos(angles), size / 2 + lengths * np.sin(angles)], 1)
    cv2.fillPoly(mask, [np.round(points).astype(np.int32)], 1)
    for _ in range(int(rng.integers(0, 3))):
        centre = (int(size / 2 + rng.uniform(-1.6, 1.6) * radius), int(size / 2 + rng.uniform(-1.6, 1.6) * radius))
        cv2.circle(mask, centre, max(1, int(radius * rng.uniform(0.08, 0.25))), 1, -1)
    return mask


def stamp(height: int, rng: np.random.Generator) -> np.ndarray:
    """A rubber stamp: a ring or frame with small printed letters in it."""
    side = int(height * rng.uniform(1.4, 2.6))
    mask = np.zeros((side, side), np.uint8)
    thickness = max(1, side // 30)
    if rng.random() < 0.5:
        cv2.circle(mask, (side // 2, side // 2), side // 2 - thickness - 1, 1, thickness)
        cv2.circle(mask, (side // 2, side // 2), int(side * 0.36), 1, max(1, thickness // 2))
    else:
        cv2.rectangle(mask, (thickness, side // 4), (side - thickness - 1, 3 * side // 4), 1, thickness)
    letters = "".join(rng.choice(list("PAIDRECVDOKTAX"), int(rng.integers(3, 6))))
    scale = side / 160
    (width, text_height), _ = cv2.getTextSize(letters, cv2.FONT_HERSHEY_SIMPLEX, scale, max(1, thickness // 2))
    cv2.putText(mask, letters, ((side - width) // 2, (side + text_height) // 2), cv2.FONT_HERSHEY_SIMPLEX, scale, 1,
                max(1, thickness // 2), cv2.LINE_8)
    return mask


def specks(shape: tuple[int, int], count: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """Dots and specks of a pen or a dirty scanner, scattered over `shape`."""
    mask = np.zeros(shape, np.uint8)
    for _ in range(count):
        centre = (int(rng.integers(0, shape[1])), int(rng.integers(0, shape[0])))
        cv2.circle(mask, centre, max(1, int(height * rng.uniform(0.02, 0.07))), 1, -1)
    return mask


def noise_field(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A region of noise: thresholded grain, as a dark corner of a photo or a textured surface binarises."""
    grain = cv2.GaussianBlur(rng.random(shape).astype(np.float32), (0, 0), rng.uniform(0.6, 1.6))
    return (grain > np.quantile(grain, rng.uniform(0.6, 0.85))).astype(np.uint8)


# Signs and short words printed beside a number or between its groups, their letters none a digit resembles (no 'O',
# 'l', 'S', 'Z', 'B', 'T', 'g' or 'q')
SIGNS_BETWEEN = ("/", "-", ":", "+", "x", "=")
SIGNS_BESIDE = ("$", "#", "%", "+", "=", "*", "&", "@", "<", ">", "(", ")", "Nr", "Nr.", "Ref", "Amt", "Km", "cm",
                "mm", "Rm", "Max", "Ave", "Rx", "Kw", "HW", "AM", "PM", "kWh", "Vat", "ea")
# Signs written by hand, each a few strokes through control points in a box as tall as the digits (y down), jittered
# as a hand wavers and rounded off (`_smoothed`); the first part a number's groups, the rest stand beside it. No
# date's slash: alone between digits it is a '1' in a slanted hand, and lessons that called it nothing taught the
# recognizer to drop a number's leading '1' (a '107' drawn on the app's canvas read '07')
HAND_SIGNS_BETWEEN = ("-", ":", ".")
HAND_SIGNS_BESIDE = ("$", "€", "£", "#", "%", "+", "=")


def _smoothed(points: np.ndarray, rounds: int = 2) -> np.ndarray:
    """Chaikin's corner cutting: a polyline through control points rounded as a pen moving through them."""
    for _ in range(rounds):
        if len(points) < 3:
            return points
        ends = points[:-1] * 0.75 + points[1:] * 0.25, points[:-1] * 0.25 + points[1:] * 0.75
        points = np.concatenate([points[:1], np.stack(ends, 1).reshape(-1, 2), points[-1:]])
    return points


def _sign_strokes(sign: str, rng: np.random.Generator) -> list[np.ndarray]:
    """The strokes of `sign` in a unit box (x right, y down, 1 the digits' height)."""
    if sign == "-":
        return [np.array([[0.0, 0.55], [0.25, 0.53], [0.5, 0.55]])]
    if sign == ":":
        return [np.array([[0.0, 0.35], [0.02, 0.37]]), np.array([[0.0, 0.8], [0.02, 0.82]])]
    if sign == ".":
        return [np.array([[0.0, 0.95], [0.03, 0.97]])]
    if sign == "$":
        s_curve = np.array([[0.55, 0.15], [0.3, 0.05], [0.05, 0.2], [0.15, 0.45], [0.45, 0.55], [0.6, 0.8],
                            [0.35, 0.97], [0.05, 0.85]])
        bars = [np.array([[x, -0.1], [x, 1.1]]) for x in ((0.32,) if rng.random() < 0.6 else (0.25, 0.4))]
        return [s_curve] + bars
    if sign == "€":
        angles = np.linspace(np.radians(50), np.radians(310), 9)
        arc = np.stack([0.4 + 0.4 * np.cos(angles), 0.5 - 0.5 * np.sin(angles)], 1)
        return [arc, np.array([[-0.05, 0.4], [0.45, 0.4]]), np.array([[-0.05, 0.58], [0.4, 0.58]])]
    if sign == "£":
        stem = np.array([[0.65, 0.15], [0.5, 0.02], [0.3, 0.1], [0.28, 0.5], [0.22, 0.85], [0.05, 1.0],
                         [0.3, 0.92], [0.7, 1.0]])
        return [stem, np.array([[0.05, 0.5], [0.5, 0.5]])]
    if sign == "#":
        return [np.array([[0.3, 0.1], [0.2, 0.9]]), np.array([[0.6, 0.1], [0.5, 0.9]]),
                np.array([[0.0, 0.35], [0.75, 0.35]]), np.array([[-0.05, 0.65], [0.7, 0.65]])]
    if sign == "%":
        circle = np.linspace(0, 2 * np.pi, 8)
        ring = np.stack([0.16 * np.cos(circle), 0.18 * np.sin(circle)], 1)
        return [np.array([[0.05, 1.0], [0.75, 0.0]]), ring + (0.14, 0.2), ring + (0.7, 0.8)]
    if sign == "+":
        return [np.array([[0.3, 0.2], [0.3, 0.8]]), np.array([[0.0, 0.5], [0.6, 0.5]])]
    if sign == "=":
        return [np.array([[0.0, 0.4], [0.55, 0.4]]), np.array([[0.0, 0.62], [0.55, 0.62]])]
    if sign == "/":
        return [_hand_slash(rng)]
    raise ValueError(f"no strokes for the sign {sign!r}")


def _hand_slash(rng: np.random.Generator) -> np.ndarray:
    """A '/' as a person parts a date: one stroke up and to the right, leaning 10-50 degrees from upright, as tall
    as the digits or up to two fifths taller, reaching past their band below and above by turns, a little bowed."""
    tall, lean = rng.uniform(1.0, 1.4), np.radians(rng.uniform(10, 50))
    below = (tall - 1) * rng.uniform(0.2, 0.8)
    along = np.linspace(0, 1, 5)
    bow = rng.uniform(-0.05, 0.05) * np.sin(np.pi * along)
    return np.stack([tall * np.tan(lean) * along + bow, 1 + below - tall * along], 1)


def hand_sign(sign: str, height: int, rng: np.random.Generator) -> np.ndarray:
    """`sign` written by hand, each stroke wavering a little about its course. The mask spans the digits' height
    at least, the sign where it is written in it (a point on the baseline), so a row of marks centred on one line
    keeps it there."""
    size = height * rng.uniform(0.8, 1.05)
    strokes = [(stroke + rng.normal(0, 0.025, stroke.shape)) * size for stroke in _sign_strokes(sign, rng)]
    thickness = max(1, int(height * rng.uniform(0.05, 0.1)))
    margin = thickness + 2
    points = np.concatenate(strokes)
    low = np.minimum(points.min(0), (0.0, 0.0))
    high = np.maximum(points.max(0), (0.0, float(height)))
    mask = np.zeros((int(high[1] - low[1]) + 2 * margin + 1, int(high[0] - low[0]) + 2 * margin + 1), np.uint8)
    for stroke in strokes:
        _stroke(mask, _smoothed(stroke) - low + margin, thickness)
    return mask


HERSHEY_FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_PLAIN, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX,
                 cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, cv2.FONT_HERSHEY_SCRIPT_COMPLEX)


def printed_sign(height: int, rng: np.random.Generator, between: bool) -> np.ndarray:
    """A sign or a short word printed in one of OpenCV's Hershey fonts, upright or italic, its capitals 0.45-1.0 of
    the digits' height (a bracket or a '$' reaching past them) and as bold as a pen or a printer makes it: one that
    parts a number's groups (`between`: a date's '/', a code's '-' or ':') or one that goes before or after it ('$',
    '#', '%', 'Nr', 'kWh')."""
    text = str(rng.choice(SIGNS_BETWEEN if between else SIGNS_BESIDE))
    font = int(rng.choice(HERSHEY_FONTS)) | (cv2.FONT_ITALIC if rng.random() < 0.3 else 0)
    weight = int(rng.integers(1, 8))
    (width, text_height), baseline = cv2.getTextSize(text, font, 3.0, weight)
    canvas = np.zeros((text_height + baseline + 4 * weight + 8, width + 4 * weight + 8), np.uint8)
    cv2.putText(canvas, text, (2 * weight + 4, text_height + 2 * weight + 4), font, 3.0, 255, weight, cv2.LINE_AA)
    rows, columns = np.nonzero(canvas)
    canvas = canvas[rows.min():rows.max() + 1, columns.min():columns.max() + 1]
    factor = height * rng.uniform(0.45, 1.0) / max(text_height, canvas.shape[0] * 0.6)
    size = (max(1, round(canvas.shape[1] * factor)), max(1, round(canvas.shape[0] * factor)))
    return (cv2.resize(canvas, size, interpolation=cv2.INTER_AREA) >= 100).astype(np.uint8)


# A form's printed labels, which go before a number, and units, which go after it
LABELS = ("Date", "Ref.", "Item", "Box", "Seat", "Case", "Account", "Floor", "Year", "Cost", "Unit")
UNITS = ("EUR", "ml", "km", "USD")
RENDERED_SIZE = 96  # the font size a label is first drawn at, before it is scaled to the digits


@functools.lru_cache(maxsize=None)
def _printed(text: str) -> np.ndarray:
    """`text` printed large in Pillow's own typeface (Aileron), cropped to its ink."""
    font = ImageFont.load_default(size=RENDERED_SIZE)
    left, top, right, bottom = font.getbbox(text)
    image = Image.new("L", (right - left + 4, bottom - top + 4))
    ImageDraw.Draw(image).text((2 - left, 2 - top), text, font=font, fill=255)
    canvas = np.asarray(image)
    rows, columns = np.nonzero(canvas)
    return canvas[rows.min():rows.max() + 1, columns.min():columns.max() + 1]


def printed_label(height: int, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """A form's printed label before a number ('Date:', 'Ref.') or a unit after it ('EUR'), its capitals 0.4-0.85
    of the digits' height; and whether it goes after."""
    after = rng.random() < 0.25
    word = str(rng.choice(UNITS if after else LABELS)) + ("" if after or rng.random() < 0.6 else ":")
    text = _printed(word)
    factor = height * rng.uniform(0.4, 0.85) / _printed("H").shape[0]
    size = (max(1, round(text.shape[1] * factor)), max(1, round(text.shape[0] * factor)))
    return (cv2.resize(text, size, interpolation=cv2.INTER_AREA) >= 128).astype(np.uint8), after
