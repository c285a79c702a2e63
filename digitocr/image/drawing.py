"""Pictures for people: boxes and labels over an image, and mosaics of model inputs."""

import cv2
import numpy as np

from ..results import Box, Digit

KEPT = (40, 170, 60)
DOUBTFUL = (235, 150, 0)
DROPPED = (220, 40, 40)
COLUMN_LINE = (60, 110, 255)


def _as_rgb(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB) if image.ndim == 2 else image.copy()


def draw_boxes(image: np.ndarray, boxes: list[Box], labels: list[str],
               colours: list[tuple[int, int, int]]) -> np.ndarray:
    """A copy of `image` with each box outlined and its label written above it."""
    canvas = _as_rgb(image)
    side = max(canvas.shape[:2])
    thickness = max(1, side // 400)
    font_scale = max(0.4, side / 1400)
    for box, label, colour in zip(boxes, labels, colours):
        cv2.rectangle(canvas, (box.x, box.y), (box.x + box.width - 1, box.y + box.height - 1), colour, thickness)
        if label:
            (text_width, text_height), _ = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, font_scale, thickness)
            top = max(0, box.y - text_height - 4)
            cv2.rectangle(canvas, (box.x, top), (box.x + text_width + 4, top + text_height + 4), colour, -1)
            cv2.putText(canvas, label, (box.x + 2, top + text_height + 1), cv2.FONT_HERSHEY_SIMPLEX, font_scale,
                        (255, 255, 255), thickness, cv2.LINE_AA)
    return canvas


def draw_reading(image: np.ndarray, digits: list[Digit], set_aside: list[Digit] = ()) -> np.ndarray:
    """The user's image with every digit boxed and labelled, doubtful digits in orange with a '?', and marks set
    aside as no part of the number in red."""
    labels = [f"{d.label}{'?' if d.doubtful else ''} {d.confidence:.0%}" for d in digits] + ["x"] * len(set_aside)
    return draw_boxes(image, [d.box for d in digits] + [d.box for d in set_aside], labels,
                      [DOUBTFUL if d.doubtful else KEPT for d in digits] + [DROPPED] * len(set_aside))


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
