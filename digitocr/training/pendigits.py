"""Pen trajectories of the UCI Pen-Based Handwritten Digits set, and drawing them as images.

The file is UNIPEN-like text: `.SEGMENT DIGIT id ? "label"`, `.COMMENT label writer index`,
then `.PEN_DOWN` / `.PEN_UP` blocks of `x y` points; the tablet's y axis points up.
"""

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np


@dataclass(frozen=True)
class PenDigit:
    label: int
    writer: int
    strokes: tuple[np.ndarray, ...]  # each (n, 2) float32 points, y pointing down


def parse_pendigits(path: str | Path) -> list[PenDigit]:
    digits: list[PenDigit] = []
    label = writer = None
    strokes: list[np.ndarray] = []
    points: list[tuple[float, float]] | None = None

    def finish_digit() -> None:
        if label is not None and strokes:
            top = max(float(stroke[:, 1].max()) for stroke in strokes)
            flipped = tuple(np.column_stack([s[:, 0], top - s[:, 1]]).astype(np.float32) for s in strokes)
            digits.append(PenDigit(label, writer, flipped))

    for raw_line in Path(path).read_text().splitlines():
        line = raw_line.strip()
        if line.startswith(".SEGMENT"):
            finish_digit()
            label, writer, strokes = int(line.split('"')[1]), None, []
        elif line.startswith(".COMMENT") and label is not None:
            writer = int(line.split()[2])
        elif line.startswith(".PEN_DOWN"):
            points = []
        elif line.startswith(".PEN_UP"):
            if points:
                strokes.append(np.array(points, np.float32))
            points = None
        elif points is not None and line:
            x, y = line.split()[:2]
            points.append((float(x), float(y)))
    finish_digit()
    return digits


def bounds(strokes: tuple[np.ndarray, ...]) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of all points."""
    points = np.concatenate(strokes)
    return float(points[:, 0].min()), float(points[:, 1].min()), float(points[:, 0].max()), float(points[:, 1].max())


def scale_strokes(strokes: tuple[np.ndarray, ...], height: float,
                  origin: tuple[float, float]) -> tuple[np.ndarray, ...]:
    """Scale a digit to `height` pixels and move its top-left corner to `origin`."""
    left, top, _, bottom = bounds(strokes)
    factor = height / max(bottom - top, 1.0)
    return tuple((stroke - (left, top)) * factor + origin for stroke in strokes)


def draw_strokes(canvas: np.ndarray, strokes: tuple[np.ndarray, ...], width: int, value: int | tuple = 255) -> None:
    """Draw anti-aliased polylines in place, with round joins, as a pen or a browser canvas does."""
    shift = 4
    for stroke in strokes:
        fixed = np.round(stroke * (1 << shift)).astype(np.int32).reshape(-1, 1, 2)
        if len(stroke) == 1:
            centre = tuple(int(v) for v in fixed[0, 0])
            cv2.circle(canvas, centre, max(1, width // 2) << shift, value, -1, cv2.LINE_AA, shift)
        else:
            cv2.polylines(canvas, [fixed], False, value, max(1, width), cv2.LINE_AA, shift)


def render_digit(digit: PenDigit, height: int, stroke: int, margin: int = 4) -> np.ndarray:
    """A uint8 image of one digit, ink bright on dark, `height` pixels of ink tall."""
    left, top, right, bottom = bounds(digit.strokes)
    width = int((right - left) * height / max(bottom - top, 1.0)) + 1
    pad = margin + stroke
    canvas = np.zeros((height + 2 * pad, width + 2 * pad), np.uint8)
    draw_strokes(canvas, scale_strokes(digit.strokes, height, (pad, pad)), stroke)
    return canvas
