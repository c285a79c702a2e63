"""Pictures for people: boxes and labels over an image, and mosaics of model inputs."""

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from ..results import Box, Digit

KEPT = (40, 170, 60)
DOUBTFUL = (235, 150, 0)
DROPPED = (220, 40, 40)
COLUMN_LINE = (60, 110, 255)
MARGIN = (255, 255, 255)  # the room added for labels that reach past the image's edges
SMALLEST_DRAWN = 480  # pixels: a smaller image's longer side is enlarged to at least this before it is drawn on
LABEL_PAD = 2  # pixels of a label's background around its text
LABEL_SCALE = 1000  # pixels of the image's longer side per unit of the labels' font scale: text about 2% of it tall


def _as_rgb(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB) if image.ndim == 2 else image.copy()


def draw_boxes(image: np.ndarray, boxes: list[Box], labels: list[str], colours: list[tuple[int, int, int]],
               short_labels: list[str] | None = None) -> np.ndarray:
    """A copy of `image`, enlarged where small (`display_zoom`), with each box outlined and its label written beside
    it (`place_labels`: its short form where the whole would cover another), and room added above or below for the
    labels that reach past the image's edges."""
    zoom = display_zoom(image.shape)
    canvas = _as_rgb(image)
    if zoom > 1:
        canvas = cv2.resize(canvas, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_NEAREST)
    boxes = [Box(box.x * zoom, box.y * zoom, box.width * zoom, box.height * zoom) for box in boxes]
    side = max(canvas.shape[:2])
    thickness = max(1, side // 400)
    font_scale = max(0.5, side / LABEL_SCALE)

    def size(label: str) -> tuple[int, int]:
        (text_width, text_height), _ = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, font_scale, thickness)
        return text_width + 2 * LABEL_PAD, text_height + 2 * LABEL_PAD

    placed = place_labels(boxes, labels, short_labels or labels, size, canvas.shape[1])
    above = max([0] + [-label.y for label in placed])
    below = max([0] + [label.y + label.height - canvas.shape[0] for label in placed])
    if above or below:
        canvas = cv2.copyMakeBorder(canvas, above, below, 0, 0, cv2.BORDER_CONSTANT, value=MARGIN)
    for box, colour in zip(boxes, colours):
        cv2.rectangle(canvas, (box.x, box.y + above), (box.x + box.width - 1, box.y + above + box.height - 1), colour,
                      thickness)
    for label, colour in zip(placed, colours):
        if not label.text:
            continue
        top = label.y + above
        cv2.rectangle(canvas, (label.x, top), (label.x + label.width - 1, top + label.height - 1), colour, -1)
        cv2.putText(canvas, label.text, (label.x + LABEL_PAD, top + label.height - LABEL_PAD - 1),
                    cv2.FONT_HERSHEY_SIMPLEX, font_scale, (255, 255, 255), thickness, cv2.LINE_AA)
    return canvas


def display_zoom(shape: tuple[int, ...]) -> int:
    """The whole number of times an image is enlarged before it is drawn on, so that its longer side is at least
    SMALLEST_DRAWN: labels of a readable size on a 60x34 cell as given would cover the digits they name."""
    return max(1, -(-SMALLEST_DRAWN // max(1, max(shape[:2]))))


@dataclass(frozen=True)
class PlacedLabel:
    """A label's text and its background's place: `y` may lie above the image (negative) or run below it."""

    text: str
    x: int
    y: int
    width: int
    height: int

    def covers(self, other: "PlacedLabel") -> bool:
        """Whether the two backgrounds share any pixel; a box without a label has none to share."""
        return bool(self.text and other.text) and self.x < other.x + other.width and other.x < self.x + self.width and \
            self.y < other.y + other.height and other.y < self.y + self.height


def place_labels(boxes: list[Box], labels: list[str], short_labels: list[str],
                 size: Callable[[str], tuple[int, int]], image_width: int) -> list[PlacedLabel]:
    """Each label's place, one per box, in order: above its box, from its left edge or else ending at its right;
    where both would cover a label placed before it, its short form there, then its short form below the box, then
    the short form above whatever it covers; none runs past the image's sides where another place is free. Digits
    written close together leave no room for every digit's confidence, and a label that hides another's digit says
    nothing; the digit itself always shows. `size` gives a label's background (width, height)."""
    placed: list[PlacedLabel] = []
    for box, label, short in zip(boxes, labels, short_labels):
        if not label:
            placed.append(PlacedLabel("", box.x, box.y, 0, 0))
            continue
        width, height = size(label)
        short_width, short_height = size(short)
        right = box.x + box.width
        tries = [PlacedLabel(label, box.x, box.y - height, width, height),
                 PlacedLabel(label, right - width, box.y - height, width, height),
                 PlacedLabel(short, box.x, box.y - short_height, short_width, short_height),
                 PlacedLabel(short, right - short_width, box.y - short_height, short_width, short_height),
                 PlacedLabel(short, box.x, box.y + box.height, short_width, short_height)]
        free = [where for where in tries if 0 <= where.x and where.x + where.width <= image_width and
                not any(where.covers(other) for other in placed)]
        placed.append(free[0] if free else tries[2])
    return placed


def draw_reading(image: np.ndarray, digits: list[Digit], set_aside: list[Digit] = ()) -> np.ndarray:
    """The user's image with every digit boxed and labelled with its confidence (where the labels leave room),
    doubtful digits in orange with a '?', and marks set aside as no part of the number in red."""
    marks = [f"{d.label}{'?' if d.doubtful else ''}" for d in digits]
    labels = [f"{mark} {d.confidence:.0%}" for mark, d in zip(marks, digits)] + ["x"] * len(set_aside)
    return draw_boxes(image, [d.box for d in digits] + [d.box for d in set_aside], labels,
                      [DOUBTFUL if d.doubtful else KEPT for d in digits] + [DROPPED] * len(set_aside),
                      marks + ["x"] * len(set_aside))


def mosaic(inputs: np.ndarray, columns: int = 10, zoom: int = 3) -> np.ndarray:
    """28x28 model inputs side by side, enlarged, as uint8."""
    if len(inputs) == 0:
        return np.zeros((28 * zoom, 28 * zoom), np.uint8)
    count = len(inputs)
    rows = -(-count // columns)
    width = min(count, columns)
    sheet = np.zeros((rows * 30, width * 30), np.float32)
    for index, image in enumerate(inputs):
        row, column = divmod(index, columns)
        sheet[row * 30 + 1:row * 30 + 29, column * 30 + 1:column * 30 + 29] = image
    sheet = (sheet * 255).astype(np.uint8)
    return cv2.resize(sheet, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_NEAREST)


def line_sheet(lines: list[np.ndarray], zoom: int = 2) -> np.ndarray:
    """Line recognizer inputs stacked top to bottom, enlarged, as uint8."""
    if not lines:
        return np.zeros((32 * zoom, 32 * zoom), np.uint8)
    width = max(line.shape[1] for line in lines)
    sheet = np.zeros((len(lines) * (lines[0].shape[0] + 2), width), np.float32)
    for index, line in enumerate(lines):
        top = index * (line.shape[0] + 2)
        sheet[top:top + line.shape[0], :line.shape[1]] = line
    return cv2.resize((sheet * 255).astype(np.uint8), None, fx=zoom, fy=zoom, interpolation=cv2.INTER_NEAREST)
