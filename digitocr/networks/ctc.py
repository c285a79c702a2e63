"""What the line recognizer's per-frame answers mean under CTC: the best text, and the likelihood of any text.

The recognizer answers each frame with probabilities over ten digits and a
blank; decoding merges repeats and drops blanks.
"""

import math
from dataclasses import dataclass

import numpy as np

BLANK = 10  # CTC's "no new character here", after the ten digits


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

    @property
    def centres(self) -> list[float]:
        """Where each character was read: the middle of its frames, in frames from the line's start."""
        return [(first + last + 1) / 2 for first, last in self.frames]


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
    """log P(labels | line) under CTC: every frame alignment of the labels, summed (the forward algorithm); no
    labels at all have one alignment, a blank in every frame.

    The forward sums run on probabilities rescaled to sum to one at every
    frame, their logs added up, not on log-probabilities: the same figure to
    rounding, without a logarithm and an exponential per state and frame.
    """
    if not len(labels):
        return float(np.log(np.maximum(frames[:, BLANK], 1e-12)).sum()) if len(frames) else float("-inf")
    if len(frames) == 0 or len(labels) > len(frames):
        return float("-inf")
    extended = [BLANK]
    for label in labels:
        extended += [int(label), BLANK]
    chances = np.maximum(frames[:, extended], 1e-12)
    may_skip = np.array([extended[index] != BLANK and extended[index] != extended[index - 2]
                         for index in range(2, len(extended))], np.float64)
    alpha = np.zeros(len(extended))
    alpha[:2] = chances[0, :2]
    scale = 0.0
    for step in range(1, len(frames)):
        total = float(alpha.sum())
        scale += math.log(total)
        reached = alpha / total
        alpha = reached.copy()
        alpha[1:] += reached[:-1]
        alpha[2:] += reached[:-2] * may_skip
        alpha *= chances[step]
    end = float(alpha[-1] + alpha[-2])
    return scale + math.log(end) if end > 0 else float("-inf")
