"""Text lines as the line recognizer sees them, and what its per-column answers mean.

A line is cut from the cleaned, upright ink the contour pipeline made: the
band its digits share, a little wider on each side so a digit the pipeline
dropped can still be read. It is scaled to LINE_HEIGHT rows, ink bright. The
recognizer answers each FRAME_STEP-pixel column with probabilities over ten
digits and a blank (CTC); decoding merges repeats and drops blanks.
"""

from dataclasses import dataclass

import cv2
import numpy as np

from .segment import Segmentation

LINE_HEIGHT = 32  # rows of the recognizer's input
FRAME_STEP = 4  # input columns per output frame (the network halves the width twice)
RIGHT_CONTEXT = 32  # blank columns after a line: more than the network's reach to the right (16 to 32 columns)
BLANK = 10  # CTC's "no new character here", after the ten digits
BAND_MARGIN = 0.12  # of the line's height, added above and below its digits
SIDE_MARGIN = 0.3  # of the line's height, added left and right
MAX_LINE_WIDTH = 768  # input columns; a longer line is squeezed to this


@dataclass(frozen=True)
class LineImage:
    """One line's input to the recognizer and where it lies in the working-size image."""

    line: int
    box: tuple[int, int, int, int]  # x, y, width, height at working size
    image: np.ndarray  # (LINE_HEIGHT, W) float32 in [0, 1], ink bright


def to_line_input(ink: np.ndarray) -> np.ndarray:
    """A crop of binary ink (any size, ink non-zero) scaled to LINE_HEIGHT rows, keeping its aspect."""
    height, width = ink.shape
    new_width = int(np.clip(round(width * LINE_HEIGHT / max(1, height)), FRAME_STEP, MAX_LINE_WIDTH))
    scaled = cv2.resize((ink > 0).astype(np.float32), (new_width, LINE_HEIGHT), interpolation=cv2.INTER_AREA)
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


def line_images(upright: np.ndarray, segmentation: Segmentation) -> list[LineImage]:
    """Each line of the segmentation as a recognizer input, top to bottom."""
    by_line: dict[int, list[tuple[int, int, int, int]]] = {}
    for unit in segmentation.units:
        whole = unit.whole
        by_line.setdefault(whole.line, []).append((whole.x, whole.y, whole.width, whole.height))
    lines = []
    for number in sorted(by_line):
        x, y, width, height = line_box(by_line[number], upright.shape)
        lines.append(LineImage(number, (x, y, width, height), to_line_input(upright[y:y + height, x:x + width])))
    return lines


def batch_of_lines(images: list[np.ndarray]) -> np.ndarray:
    """(N, LINE_HEIGHT, W, 1) float32, each line at the left and zeros after it; W a multiple of FRAME_STEP.

    Every line gets at least RIGHT_CONTEXT blank columns after it, so what the
    network answers for a line does not depend on the other lines batched
    with it (beyond the network's reach, the padding's width makes no
    difference).
    """
    width = max(image.shape[1] for image in images) + RIGHT_CONTEXT
    width = -(-width // FRAME_STEP) * FRAME_STEP
    batch = np.zeros((len(images), LINE_HEIGHT, width, 1), np.float32)
    for index, image in enumerate(images):
        batch[index, :, :image.shape[1], 0] = image
    return batch


@dataclass(frozen=True)
class DecodedLine:
    """The recognizer's best reading of a line: per character its label, digit probabilities and frames."""

    labels: tuple[int, ...]
    probabilities: tuple[tuple[float, ...], ...]  # ten per character, renormalised without the blank
    confidences: tuple[float, ...]  # the character's probability at its surest frame
    frames: tuple[tuple[int, int], ...]  # first and last frame of each character

    @property
    def text(self) -> str:
        return "".join(str(label) for label in self.labels)


def greedy_decode(frames: np.ndarray) -> DecodedLine:
    """Best label per frame, repeats merged, blanks dropped: (T, 11) probabilities to characters."""
    best = frames.argmax(axis=1)
    labels, probabilities, confidences, spans = [], [], [], []
    start = 0
    for index in range(1, len(best) + 1):
        if index < len(best) and best[index] == best[start]:
            continue
        label = int(best[start])
        if label != BLANK:
            run = frames[start:index]
            surest = start + int(run[:, label].argmax())
            digits = frames[surest, :BLANK]
            labels.append(label)
            probabilities.append(tuple(float(p) for p in digits / max(float(digits.sum()), 1e-9)))
            confidences.append(float(frames[surest, label]))
            spans.append((start, index - 1))
        start = index
    return DecodedLine(tuple(labels), tuple(probabilities), tuple(confidences), tuple(spans))


def log_likelihood(frames: np.ndarray, labels: tuple[int, ...] | list[int]) -> float:
    """log P(labels | line) under CTC: every frame alignment of the labels, summed (the forward algorithm)."""
    logs = np.log(np.maximum(frames, 1e-12))
    extended = [BLANK]
    for label in labels:
        extended += [int(label), BLANK]
    states = len(extended)
    if len(frames) == 0 or len(labels) > len(frames):
        return float("-inf")
    alpha = np.full(states, -np.inf)
    alpha[0] = logs[0, BLANK]
    if states > 1:
        alpha[1] = logs[0, extended[1]]
    may_skip = np.array([index >= 2 and extended[index] != BLANK and extended[index] != extended[index - 2]
                         for index in range(states)])
    for step in range(1, len(frames)):
        stay = alpha
        advance = np.concatenate([[-np.inf], alpha[:-1]])
        skip = np.where(may_skip, np.concatenate([[-np.inf, -np.inf], alpha[:-2]]), -np.inf)
        alpha = np.logaddexp(np.logaddexp(stay, advance), skip) + logs[step, extended]
    return float(np.logaddexp(alpha[-1], alpha[-2]) if states > 1 else alpha[-1])
