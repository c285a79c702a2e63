"""What the line recognizer's per-frame answers mean under CTC: the best text, and the likelihood of any text.

The recognizer answers each frame with probabilities over ten digits and a
blank; decoding merges repeats and drops blanks.
"""

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
    labels at all have one alignment, a blank in every frame."""
    logs = np.log(np.maximum(frames, 1e-12))
    if not len(labels):
        return float(logs[:, BLANK].sum()) if len(frames) else float("-inf")
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
