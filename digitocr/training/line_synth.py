"""Synthetic handwritten number fields, for training the line recognizer.

Digits from MNIST and from the pendigits pen strokes are set side by side as
people write numbers in table cells and on cheques: touching, overlapping or
spaced, at wavering heights, with thousands and decimal separators, signs and
closing marks between them. The number is then drawn small onto paper with
cell borders, ruled lines, a printed background pattern and uneven light,
sometimes cropped so tight that its end digits meet the crop's edge under
the border, blurred and JPEG-compressed. The reader's own pipeline cleans
the result and cuts out the line, so the recognizer learns from exactly what
it will be given when reading.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from ..image.lines import LineImage, recognizer_lines
from ..image.pipeline import analyse
from ..settings import ReaderSettings
from . import augment

COMPOSE_HEIGHT = 64  # digits are set at about this height, then the field is drawn at its own size
MAX_DIGITS = 8
ZERO_DRAWS = 60  # a round number's zeros are drawn until a '0' comes, at most this often (a source may have none)

DigitSource = Callable[[np.random.Generator], tuple[np.ndarray, int]]  # a binary digit mask and its label


@dataclass(frozen=True)
class FieldSettings:
    digit_height: tuple[float, float] = (11.0, 56.0)  # pixels, drawn log-uniformly
    gap: tuple[float, float] = (-0.22, 0.45)  # between digits, of the digit height; below zero they overlap
    touching_probability: float = 0.3  # of each gap, drawn from the touching end instead
    spaced_probability: float = 0.1  # a number written spaced out, a digit to a box or across ruled paper...
    spaced_gap: tuple[float, float] = (0.45, 1.3)  # ...its gaps this much of the digit height, none touching
    baseline_wobble: float = 0.08  # of the digit height
    size_wobble: tuple[float, float] = (0.82, 1.12)
    slant: float = 0.35  # horizontal shear either way
    separator_probability: float = 0.55  # a field has a ',' or '.' between its digits
    tall_comma_probability: float = 0.5  # of the commas written as one stroke, those begun well above the line
    small_tail_probability: float = 0.12  # the last one to three digits (cents, hundreds) written smaller...
    small_tail_size: tuple[float, float] = (0.45, 0.8)  # ...by this factor, on the line or raised to its top
    bold_probability: float = 0.35  # a broad pen, or a small number written with an ordinary one...
    bold_growth: tuple[float, float] = (0.02, 0.09)  # ...widens every stroke by this share of the digit height a side
    cursive_zeros_probability: float = 0.15  # the number ends in two or three zeros written in one stroke...
    cursive_zeros_size: tuple[float, float] = (0.5, 1.0)  # ...this much of the digit height
    round_probability: float = 0.0  # the number ends in two or three zeros written apart, as amounts often do...
    narrow_hand_probability: float = 0.0  # ...by a writer whose digits are all narrow, as one hand writes them alike:
    narrow_hand_width: tuple[float, float] = (0.45, 0.8)  # every digit's width scaled by one factor for the field
    # (both drawn by the stress suite's `narrow_round`; lessons with them, measured, cost more than they gave)
    sign_probability: float = 0.12  # a leading or trailing '-', or a closing '='
    currency_probability: float = 0.1  # an amount's currency written by hand beside it: '$' or '£' before, '€' either
    edge_cut_probability: float = 0.2  # a cell cropped, or its number written, so tight that a digit meets its edge...
    edge_cut: tuple[float, float] = (0.0, 0.3)  # ...losing up to this share of the end digit's width past the edge
    border_probability: float = 0.6
    rule_probability: float = 0.25
    pattern_probability: float = 0.2  # a printed guilloche background, as on cheques
    jpeg_probability: float = 0.7


def _scaled_to_height(mask: np.ndarray, height: int, narrowed: float = 1.0) -> np.ndarray:
    ys, xs = np.nonzero(mask)
    mask = mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    width = max(1, round(mask.shape[1] * height / mask.shape[0] * narrowed))
    return (cv2.resize(mask.astype(np.float32), (width, height), interpolation=cv2.INTER_AREA) >= 0.5).astype(np.uint8)


def _a_zero(source: DigitSource, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    for _ in range(ZERO_DRAWS):
        mask, label = source(rng)
        if label == 0:
            break
    return mask, label


def _happens(probability: float, rng: np.random.Generator) -> bool:
    """Whether something `probability` likely happens; where it never can, nothing is drawn, so a setting that
    leaves a newer option off (the stress suite's `READABLE`) deals every scene it made before."""
    return bool(probability) and rng.random() < probability


def _separator(kind: str, height: int, rng: np.random.Generator,
               settings: FieldSettings = FieldSettings()) -> np.ndarray:
    """A separator or sign drawn in a box as tall as the digits, where it sits on the line. A comma written as
    one stroke is often begun a third to over half the digit height above the line and hangs below it, taller
    than a '.' yet unlike a '1' in hanging low (`tall_comma_probability`)."""
    thickness = max(2, int(height * rng.uniform(0.06, 0.12)))
    width = int(height * (0.25 if kind in ".," else rng.uniform(0.35, 0.6)))
    box = np.zeros((height + height // 3, max(width, 2 * thickness + 2)), np.uint8)
    middle_x = box.shape[1] // 2
    if kind == "," and rng.random() < 0.4:  # a quick comma: one slanted stroke, no dot
        tall = _happens(settings.tall_comma_probability, rng)
        top = (middle_x + thickness, int(height * rng.uniform(0.4, 0.7)) if tall else height - 2 * thickness)
        tail = (middle_x - int(height * rng.uniform(0.02, 0.12)), height + int(height * rng.uniform(0.05, 0.25)))
        cv2.line(box, top, tail, 1, thickness)
    elif kind in ".,":
        centre = (middle_x, height - thickness)
        cv2.circle(box, centre, thickness, 1, -1)
        if kind == ",":
            tail = (middle_x - int(height * rng.uniform(0.05, 0.15)), height + int(height * rng.uniform(0.1, 0.3)))
            cv2.line(box, centre, tail, 1, max(1, thickness - 1))
    else:
        row = int(height * rng.uniform(0.4, 0.6))
        rows = [row] if kind == "-" else [row - height // 7, row + height // 7]
        for y in rows:
            cv2.line(box, (1, y), (box.shape[1] - 2, y + int(rng.integers(-2, 3))), 1, max(1, thickness - 1))
    return box


CURRENCY_PATHS = {  # each sign's strokes as a pen moves, in a unit box (y down), before the pen's wobble
    "$": ([(0.85, 0.2), (0.5, 0.03), (0.15, 0.22), (0.3, 0.45), (0.7, 0.55), (0.88, 0.78), (0.5, 0.97), (0.1, 0.8)],
          [(0.5, -0.15), (0.5, 1.15)]),
    "€": ([(0.9, 0.12), (0.5, 0.0), (0.12, 0.3), (0.12, 0.7), (0.5, 1.0), (0.9, 0.88)],
          [(-0.1, 0.42), (0.6, 0.42)], [(-0.1, 0.6), (0.6, 0.6)]),
    "£": ([(0.85, 0.18), (0.6, 0.0), (0.35, 0.15), (0.38, 0.55), (0.3, 0.85), (0.08, 1.0), (0.9, 1.0)],
          [(0.1, 0.55), (0.65, 0.55)]),
}
PEN_WOBBLE = 0.07  # of the sign's height: how far a hand's stroke strays from the sign's ideal path


def _smoothed(points: np.ndarray, rounds: int = 3) -> np.ndarray:
    """A pen's curve through its turning points (Chaikin's corner cutting), its ends kept."""
    for _ in range(rounds):
        inner = np.repeat(points, 2, axis=0)[1:-1].reshape(-1, 2, 2)
        cut = np.concatenate([0.75 * inner[:, :1] + 0.25 * inner[:, 1:], 0.25 * inner[:, :1] + 0.75 * inner[:, 1:]], 1)
        points = np.concatenate([points[:1], cut.reshape(-1, 2), points[-1:]])
    return points


def _currency_sign(height: int, rng: np.random.Generator) -> tuple[tuple[np.ndarray, int], bool]:
    """A currency sign written by hand as a piece of a number (its mask and its top's offset from the line's top),
    and whether it follows the amount. Each stroke wobbles from the sign's path as a hand's does; the stress suite's
    own signs (`distractors.currency_sign`) are drawn otherwise, from exact arcs, so they test whether these
    lessons teach the sign rather than one way of drawing it."""
    kind = str(rng.choice(["$", "$", "€", "£"]))
    tall = height * rng.uniform(0.75, 1.05)
    wide = tall * rng.uniform(0.45, 0.7)
    thickness = max(2, int(height * rng.uniform(0.06, 0.12)))
    margin = int(0.2 * tall) + thickness
    mask = np.zeros((int(tall) + 2 * margin, int(wide * 1.3) + 2 * margin), np.uint8)
    for stroke in CURRENCY_PATHS[kind]:
        path = np.asarray(stroke, np.float64) + rng.normal(0, PEN_WOBBLE, (len(stroke), 2))
        points = _smoothed(path) * (wide, tall) + (margin + 0.1 * wide, margin)
        cv2.polylines(mask, [np.round(points).astype(np.int32).reshape(-1, 1, 2)], False, 1, thickness, cv2.LINE_AA)
    inked = np.flatnonzero(mask.any(axis=0))
    sign = mask[:, inked[0]:inked[-1] + 1]
    return (sign, COMPOSE_HEIGHT - int(tall) - margin), kind == "€" and rng.random() < 0.4


def compose_number(source: DigitSource, rng: np.random.Generator,
                   settings: FieldSettings = FieldSettings()) -> tuple[np.ndarray, str]:
    """A handwritten number as one binary mask at about COMPOSE_HEIGHT, and its digits as text."""
    count = int(rng.choice(np.arange(1, MAX_DIGITS + 1), p=[0.08, 0.16, 0.2, 0.18, 0.14, 0.1, 0.08, 0.06]))
    pieces: list[tuple[np.ndarray, int]] = []  # mask, offset of its top from the line's top
    text = ""
    small_tail = int(rng.integers(1, 4)) if count > 2 and rng.random() < settings.small_tail_probability else 0
    tail_size, raised = rng.uniform(*settings.small_tail_size), rng.random() < 0.5
    zeros = int(rng.integers(2, 4)) if count > 2 and rng.random() < settings.cursive_zeros_probability else 0
    zeros = min(zeros, count - 1)
    round_zeros = min(int(rng.integers(2, 4)), count - 1) if (count > 2 and not zeros and
                                                               _happens(settings.round_probability, rng)) else 0
    narrowed = rng.uniform(*settings.narrow_hand_width) if _happens(settings.narrow_hand_probability, rng) else 1.0
    for index in range(count - zeros):
        mask, label = _a_zero(source, rng) if index >= count - round_zeros else source(rng)
        height = int(COMPOSE_HEIGHT * rng.uniform(*settings.size_wobble))
        wobble = int(COMPOSE_HEIGHT * rng.uniform(-settings.baseline_wobble, settings.baseline_wobble))
        top = COMPOSE_HEIGHT - height + wobble
        if index >= count - small_tail:
            height = max(8, int(height * tail_size))
            top = top if raised else COMPOSE_HEIGHT - height + wobble
        pieces.append((_scaled_to_height(mask, height, narrowed), top))
        text += str(label)
    if zeros:
        height = int(COMPOSE_HEIGHT * rng.uniform(*settings.cursive_zeros_size))
        wobble = int(COMPOSE_HEIGHT * rng.uniform(-settings.baseline_wobble, settings.baseline_wobble))
        top = wobble if raised else COMPOSE_HEIGHT - height + wobble
        pieces.append((_scaled_to_height(augment.cursive_zeros(zeros, height, rng), height, narrowed), top))
        text += "0" * zeros
    if count > 1 and rng.random() < settings.separator_probability:
        kind = str(rng.choice([".", ","]))
        slots = [count - 2] if rng.random() < 0.5 else range(count - 4, 0, -3)  # a decimal point, or thousands
        for slot in sorted({s for s in slots if s >= 0}, reverse=True):
            pieces.insert(slot + 1, (_separator(kind, COMPOSE_HEIGHT, rng, settings), 0))
    if rng.random() < settings.sign_probability:
        kind = str(rng.choice(["-", "=", ".", ","]))
        sign = (_separator(kind, COMPOSE_HEIGHT, rng, settings), 0)
        pieces = [sign] + pieces if kind == "-" and rng.random() < 0.5 else pieces + [sign]
    if _happens(settings.currency_probability, rng):
        sign, after = _currency_sign(COMPOSE_HEIGHT, rng)
        pieces = pieces + [sign] if after else [sign] + pieces
    number = _set_side_by_side(pieces, rng, settings, _happens(settings.spaced_probability, rng))
    if rng.random() < settings.bold_probability:
        radius = max(1, round(COMPOSE_HEIGHT * rng.uniform(*settings.bold_growth)))
        number = cv2.dilate(number, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1)))
    return number, text


def _set_side_by_side(pieces: list[tuple[np.ndarray, int]], rng: np.random.Generator, settings: FieldSettings,
                      spaced: bool = False) -> np.ndarray:
    """The pieces left to right on one line; `spaced`, the gaps are drawn from `settings.spaced_gap`."""
    lefts, right = [], 0
    for mask, _ in pieces:
        if lefts:
            if spaced:
                low, high = settings.spaced_gap
            else:
                low, high = (settings.gap[0], 0.02) if rng.random() < settings.touching_probability else settings.gap
            right += int(COMPOSE_HEIGHT * rng.uniform(low, high))
        left = max(0, right)
        lefts.append(left)
        right = max(right, left + mask.shape[1])
    top_pad = COMPOSE_HEIGHT // 2
    canvas = np.zeros((2 * COMPOSE_HEIGHT + top_pad, right + 2), np.uint8)
    for (mask, top), left in zip(pieces, lefts):
        region = canvas[top_pad + top:top_pad + top + mask.shape[0], left:left + mask.shape[1]]
        region |= mask[:region.shape[0], :region.shape[1]]
    shear = rng.uniform(-settings.slant, settings.slant)
    height, width = canvas.shape
    matrix = np.float32([[1, shear, abs(shear) * height - shear * height / 2 + 2], [0, 1, 0]])
    canvas = cv2.warpAffine(canvas, matrix, (width + int(2 * abs(shear) * height) + 4, height),
                            flags=cv2.INTER_NEAREST)
    ys, xs = np.nonzero(canvas)
    return canvas[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def _pattern(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Fine wavy printed lines, as on a cheque's background: darkness in [0, 1]."""
    height, width = shape
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    period = rng.uniform(3, 9)
    wave = rng.uniform(0.5, 4) * np.sin(xs / rng.uniform(8, 40) + rng.uniform(0, 6))
    angle = rng.uniform(0, np.pi)
    phase = (xs * np.cos(angle) + ys * np.sin(angle) + wave) * 2 * np.pi / period
    return (np.cos(phase) > rng.uniform(0.6, 0.9)).astype(np.float32)


def render_field(mask: np.ndarray, rng: np.random.Generator, settings: FieldSettings = FieldSettings()) -> np.ndarray:
    """The number drawn small on paper, as a phone or scanner gives it: (H, W, 3) uint8."""
    return rendered_field(mask, rng, settings)[0]


def rendered_field(mask: np.ndarray, rng: np.random.Generator,
                   settings: FieldSettings = FieldSettings()) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """`render_field`'s image, and the number's box on it (x, y, width, height)."""
    digit_height = float(np.exp(rng.uniform(*np.log(settings.digit_height))))
    scale = digit_height / COMPOSE_HEIGHT
    ink_width = max(1, round(mask.shape[1] * scale))
    ink_height = max(1, round(mask.shape[0] * scale))
    coverage = cv2.resize(mask.astype(np.float32), (ink_width, ink_height), interpolation=cv2.INTER_AREA)
    left, right = (int(digit_height * rng.uniform(0.1, 1.2)) for _ in range(2))
    top, bottom = (int(digit_height * rng.uniform(0.15, 0.6)) for _ in range(2))
    if _happens(settings.edge_cut_probability, rng):
        coverage, left, right = _cut_at_edges(coverage, left, right, digit_height, rng, settings.edge_cut)
        ink_width = coverage.shape[1]
    height, width = ink_height + top + bottom, ink_width + left + right
    ink = np.zeros((height, width), np.float32)
    ink[top:top + ink_height, left:left + ink_width] = coverage
    if rng.random() < 0.3:  # pencil or a drying pen: the stroke's darkness varies along it
        fade = cv2.GaussianBlur(rng.uniform(0, 1, (height, width)).astype(np.float32), (0, 0), digit_height / 6)
        ink *= 1 - rng.uniform(0.2, 0.6) * (fade - fade.min()) / max(1e-6, float(np.ptp(fade)))
    paper = rng.uniform(110, 250)
    darkness = rng.uniform(45, min(170, paper - 5))
    marks = np.zeros_like(ink)
    if rng.random() < settings.pattern_probability:
        marks = np.maximum(marks, _pattern(ink.shape, rng) * rng.uniform(0.1, 0.35))
    if rng.random() < settings.rule_probability:
        row = int(np.clip(top + ink_height * rng.uniform(0.7, 1.3), 0, height - 1))
        cv2.line(marks, (0, row), (width - 1, row + int(rng.integers(-2, 3))), rng.uniform(0.2, 0.6),
                 int(rng.integers(1, 3)))
    if rng.random() < settings.border_probability:
        _draw_borders(marks, rng)
    darkness_map = np.maximum(ink * darkness, marks * darkness * rng.uniform(0.6, 1.2))
    shade = np.linspace(0, 1, width, dtype=np.float32)[None, :] * rng.uniform(-40, 40)
    page = paper + shade - darkness_map + rng.normal(0, rng.uniform(1, 7), (height, width)).astype(np.float32)
    page = cv2.GaussianBlur(page, (0, 0), rng.uniform(0.3, 0.4 + digit_height / 40))
    rgb = np.dstack([page] * 3).clip(0, 255).astype(np.uint8)
    if rng.random() < settings.jpeg_probability:
        buffer = io.BytesIO()
        Image.fromarray(rgb).save(buffer, "JPEG", quality=int(rng.integers(30, 95)))
        rgb = np.asarray(Image.open(buffer).convert("RGB"))
    return rgb, (left, top, ink_width, ink_height)


def _cut_at_edges(coverage: np.ndarray, left: int, right: int, digit_height: float, rng: np.random.Generator,
                  cut: tuple[float, float]) -> tuple[np.ndarray, int, int]:
    """The number's first digit, its last or both brought to the crop's edge and past it by a share of that digit's
    width, so the cell's border (drawn near the edge) runs over it: a person still reads a digit the crop nicks or
    the border crosses, and a bar the border alone leaves is no '1'."""
    inked = coverage.max(axis=0) > 0.5
    if not inked.any():
        return coverage, left, right
    cut_left, cut_right = ((True, False), (False, True), (True, True))[int(rng.integers(3))]
    from_left = _columns_past_edge(inked, digit_height, rng, cut) if cut_left else 0
    from_right = _columns_past_edge(inked[::-1], digit_height, rng, cut) if cut_right else 0
    return (coverage[:, from_left:coverage.shape[1] - from_right], 0 if cut_left else left,
            0 if cut_right else right)


def _columns_past_edge(inked_from_end: np.ndarray, digit_height: float, rng: np.random.Generator,
                       cut: tuple[float, float]) -> int:
    """How many columns from this end fall outside the crop: the empty ones, and a share of the end digit's width,
    the run of inked columns from the end, at most a digit's height (touching digits run on)."""
    start = int(np.argmax(inked_from_end))
    gaps = np.flatnonzero(~inked_from_end[start:])
    digit_width = min(int(gaps[0]) if len(gaps) else len(inked_from_end) - start, int(digit_height))
    return start + int(digit_width * rng.uniform(*cut))


def _draw_borders(marks: np.ndarray, rng: np.random.Generator) -> None:
    """Some of a cell's four borders, near the edges, some partly outside the crop."""
    height, width = marks.shape
    strength = rng.uniform(0.5, 1.2)
    thickness = int(rng.integers(1, 3))
    for side in range(4):
        if rng.random() < 0.5:
            continue
        if side < 2:
            x = int(rng.uniform(-1, 0.08 * width)) if side == 0 else width - 1 - int(rng.uniform(-1, 0.08 * width))
            cv2.line(marks, (x, 0), (x + int(rng.integers(-2, 3)), height - 1), strength, thickness)
        else:
            y = int(rng.uniform(-1, 0.12 * height)) if side == 2 else height - 1 - int(rng.uniform(-1, 0.12 * height))
            cv2.line(marks, (0, y), (width - 1, y + int(rng.integers(-2, 3))), strength, thickness)


def training_line(source: DigitSource, rng: np.random.Generator, reader_settings: ReaderSettings = ReaderSettings(),
                  settings: FieldSettings = FieldSettings()) -> tuple[LineImage, str] | None:
    """One synthetic field through the reader's pipeline: its line input and digits, or None where the
    pipeline does not find exactly one line (the field is then not a fair lesson)."""
    mask, text = compose_number(source, rng, settings)
    pixels = render_field(mask, rng, settings)
    analysis = analyse(pixels, (pixels.shape[1], pixels.shape[0]), 1.0, reader_settings)
    lines = recognizer_lines(analysis)
    return (lines[0], text) if len(lines) == 1 else None
