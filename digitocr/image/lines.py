"""Text lines as the line recognizer takes them.

A line is cut from the cleaned, upright ink the contour pipeline made: the
band its digits share, a little wider on each side so a digit the pipeline
dropped can still be read. It is scaled to LINE_HEIGHT rows, ink bright, and
given as the ink's gray levels where the page has them: a faint, blurred
stroke that the threshold cut into a fat blob keeps its darker middle.
"""

from dataclasses import dataclass

import cv2
import numpy as np

from ..networks.line_recognizer import BATCH_COLUMNS, FRAME_STEP, LINE_HEIGHT
from .normalize import gray_near_ink
from .pipeline import Analysis
from .segment import Segmentation

BAND_MARGIN = 0.12  # of the line's height, added above and below its digits
SIDE_MARGIN = 0.3  # of the line's height, added left and right
MAX_LINE_WIDTH = BATCH_COLUMNS  # input columns, one recognizer call's worth; only a longer line is squeezed, which
# narrows its digits: at 768, a strip's line of 80 digits, squeezed to a third of its width, read as a few '1's


@dataclass(frozen=True)
class LineImage:
    """One line's input to the recognizer and where it lies in the working-size image."""

    line: int
    box: tuple[int, int, int, int]  # x, y, width, height at working size
    image: np.ndarray  # (LINE_HEIGHT, W) float32 in [0, 1], ink bright


def line_column(line: LineImage, line_width: int, x: float) -> int:
    """The column of the line's image at `x`, where the line, `line_width` wide, starts at x = 0."""
    return int(np.clip(round(x * (line.image.shape[1] / max(1, line_width))), 0, line.image.shape[1]))


def mark_field(line: LineImage, line_width: int, start: float, end: float) -> np.ndarray:
    """A mark as the line recognizer sees it, for the sign judge: the columns of the line's image from `start` to
    `end` (x from the line's start, the line `line_width` wide), and one more each side, centred in a square field
    LINE_HEIGHT on a side; squeezed to fit where wider. The rows are the line's own, so the field shows how the mark
    stands against the band the line's digits share."""
    first = max(0, line_column(line, line_width, start) - 1)
    part = line.image[:, first:line_column(line, line_width, end) + 1]
    if part.shape[1] > LINE_HEIGHT:
        return cv2.resize(part, (LINE_HEIGHT, LINE_HEIGHT), interpolation=cv2.INTER_AREA)
    field = np.zeros((LINE_HEIGHT, LINE_HEIGHT), np.float32)
    left = (LINE_HEIGHT - part.shape[1]) // 2
    field[:, left:left + part.shape[1]] = part
    return field


def inked_columns_covered(line: LineImage, line_width: int, spans: list[tuple[float, float]]) -> tuple[int, int]:
    """How many of the line's columns hold ink, and how many of those lie within the spans (from, to: x from the
    line's start, `line_width` wide)."""
    inked = line.image.any(axis=0)
    covered = np.zeros_like(inked)
    for start, end in spans:
        covered[line_column(line, line_width, start):line_column(line, line_width, end)] = True
    return int(inked.sum()), int((inked & covered).sum())


def inked_width(line: LineImage, width: float, start: int = 0, end: int | None = None) -> float:
    """How far the marks in columns `start` to `end` of the line's image run, where the whole image is `width` wide:
    empty columns do not count, so a number spaced a digit to a box is as fully inked as a packed one."""
    return width * (float(np.count_nonzero(line.image[:, start:end].any(axis=0))) / line.image.shape[1])


def to_line_input(ink: np.ndarray, tone: np.ndarray | None = None) -> np.ndarray:
    """A crop of binary ink (any size, ink non-zero) scaled to LINE_HEIGHT rows, keeping its aspect: the ink's gray
    levels within a pixel of it where its `tone` (the same box) is given (`gray_near_ink`), else the ink itself."""
    height, width = ink.shape
    new_width = int(np.clip(round(width * LINE_HEIGHT / max(1, height)), FRAME_STEP, MAX_LINE_WIDTH))
    gray = None if tone is None else gray_near_ink(tone, ink > 0)
    level = (ink > 0).astype(np.float32) if gray is None else gray
    scaled = cv2.resize(level, (new_width, LINE_HEIGHT), interpolation=cv2.INTER_AREA)
    return np.clip(scaled, 0.0, 1.0)


def line_box(boxes: list[tuple[int, int, int, int]], image_shape: tuple[int, int]) -> tuple[int, int, int, int]:
    """The band around a line's digit boxes, with margins, clipped to the image."""
    left = min(x for x, _, _, _ in boxes)
    top = min(y for _, y, _, _ in boxes)
    right = max(x + w for x, _, w, _ in boxes)
    bottom = max(y + h for _, y, _, h in boxes)
    height = bottom - top
    top, bottom = max(0, int(top - BAND_MARGIN * height)), min(image_shape[0], int(bottom + BAND_MARGIN * height) + 1)
    left, right = max(0, int(left - SIDE_MARGIN * height)), min(image_shape[1], int(right + SIDE_MARGIN * height) + 1)
    return left, top, right - left, bottom - top


def line_images(upright: np.ndarray, segmentation: Segmentation, tone: np.ndarray | None = None) -> list[LineImage]:
    """Each line of the segmentation as a recognizer input, top to bottom, by its gray levels where the ink's `tone`
    (levelled and stood upright as the ink was) is given."""
    by_line: dict[int, list[tuple[int, int, int, int]]] = {}
    for unit in segmentation.units:
        whole = unit.whole
        by_line.setdefault(whole.line, []).append((whole.x, whole.y, whole.width, whole.height))
    lines = []
    for number in sorted(by_line):
        x, y, width, height = line_box(by_line[number], upright.shape)
        band = (slice(y, y + height), slice(x, x + width))
        lines.append(LineImage(number, (x, y, width, height),
                               to_line_input(upright[band], None if tone is None else tone[band])))
    return lines


def recognizer_lines(analysis: Analysis) -> list[LineImage]:
    """An analysed image's lines as the recognizer reads them, in reading as in training."""
    return line_images(cv2.bitwise_not(analysis.working), analysis.segmentation, analysis.tone)
