"""What the line recognizer's per-frame answers mean under CTC: the likeliest text, and the likelihood of any text.

The recognizer answers each frame with probabilities over ten digits and a
blank; decoding merges repeats and drops blanks.
"""

import math
from dataclasses import dataclass

import numpy as np

BLANK = 10  # CTC's "no new character here", after the ten digits
BEAM = 8  # texts the search for the likeliest text keeps from frame to frame
UNLIKELY = 1e-3  # a digit less probable than this in a frame starts no text there


@dataclass(frozen=True)
class DecodedLine:
    """The recognizer's best reading of a line: per character its label, digit probabilities and frames."""

    labels: tuple[int, ...]
    probabilities: tuple[tuple[float, ...], ...]  # ten per character, renormalised without the blank
    confidences: tuple[float, ...]  # the character's probability at its surest frame
    frames: tuple[tuple[int, int], ...]  # first and last frame of each character
    log_likelihood: float  # log P(text | line), every alignment summed (`log_likelihood`)

    @property
    def text(self) -> str:
        return "".join(str(label) for label in self.labels)

    @property
    def centres(self) -> list[float]:
        """Where each character was read: the middle of its frames, in frames from the line's start."""
        return [(first + last + 1) / 2 for first, last in self.frames]


def greedy_decode(frames: np.ndarray) -> DecodedLine:
    """Best label per frame, repeats merged, blanks dropped: (T, 11) probabilities to characters."""
    best = frames.argmax(axis=1).tolist()
    labels, spans = [], []
    start = 0
    for index in range(1, len(best) + 1):
        if index < len(best) and best[index] == best[start]:
            continue
        if best[start] != BLANK:
            labels.append(best[start])
            spans.append((start, index - 1))
        start = index
    return characters(frames, labels, spans, log_likelihood(frames, labels))


def decode(frames: np.ndarray) -> DecodedLine:
    """The likeliest text of a line, each character with the frames of its likeliest alignment.

    The best path (`greedy_decode`) is the likeliest single alignment, not
    the likeliest text: where the recognizer is torn between one '0' over a
    run of frames and two with a blank between, as over two touching zeros,
    the second text's probability is spread over many alignments, each less
    likely than the best path, and their sum may be the larger. The two
    agree on most lines: where the best path's text has half the
    probability or more, no other text can be likelier, and the search is
    not run. The search is pruned, so where it ends on a text less likely
    than the best path's, the best path is kept.
    """
    best_path = greedy_decode(frames)
    if best_path.log_likelihood >= math.log(0.5):
        return best_path
    labels = likeliest_text(frames)
    if labels == best_path.labels:
        return best_path
    likelihood = log_likelihood(frames, labels)
    return best_path if likelihood <= best_path.log_likelihood else aligned(frames, labels, likelihood)


def text_of(frames: np.ndarray) -> str:
    """The text `decode` reads, found cheaply where it can be: where the best path alone has half the probability
    or more, so has its text (every alignment summed), and `decode` keeps it without a search."""
    best = frames.argmax(axis=1)
    if float(np.prod(frames[np.arange(len(best)), best], dtype=np.float64)) < 0.5:
        return decode(frames).text
    kept = best[np.r_[True, best[1:] != best[:-1]]] if len(best) else best
    return "".join(str(int(label)) for label in kept if label != BLANK)


def likeliest_text(frames: np.ndarray) -> tuple[int, ...]:
    """The text of highest probability, every alignment summed, found by prefix beam search: per frame, each of the
    BEAM likeliest texts so far is extended by a blank, a repeat or a new digit, and the BEAM likeliest kept.

    It runs on Python floats, not NumPy scalars: a long line of doubtful
    frames (a page of specks has hundreds) is searched frame by frame, and
    NumPy's cost per element made that search most of such a page's read.
    """
    texts: dict[tuple[int, ...], tuple[float, float]] = {(): (1.0, 0.0)}  # text: P(ends in a blank), P(in a digit)
    for chances, digits in zip(frames.tolist(), _likely_digits(frames)):
        blank = chances[BLANK]
        extended: dict[tuple[int, ...], list[float]] = {}
        for text, (ends_blank, ends_digit) in texts.items():
            either = ends_blank + ends_digit
            same = extended.get(text)
            if same is None:
                same = extended[text] = [0.0, 0.0]
            same[0] += either * blank
            last = text[-1] if text else None
            if text:
                same[1] += ends_digit * chances[last]
            for label in digits:
                longer = extended.get(text + (label,))
                if longer is None:
                    longer = extended[text + (label,)] = [0.0, 0.0]
                longer[1] += (ends_blank if label == last else either) * chances[label]
        kept = sorted(extended.items(), key=_text_chance, reverse=True)[:BEAM]
        top = max(_text_chance(kept[0]), 1e-300)
        texts = {text: (ends_blank / top, ends_digit / top) for text, (ends_blank, ends_digit) in kept}
    return max(texts, key=lambda text: sum(texts[text]))


def _likely_digits(frames: np.ndarray) -> list[list[int]]:
    """Per frame, the digits at least UNLIKELY there: those that may start a text in it."""
    digits: list[list[int]] = [[] for _ in range(len(frames))]
    for frame, label in zip(*(found.tolist() for found in np.nonzero(frames[:, :BLANK] >= UNLIKELY))):
        digits[frame].append(label)
    return digits


def _text_chance(item: tuple[tuple[int, ...], list[float]]) -> float:
    """A beam entry's probability: ending in a blank or in a digit."""
    return item[1][0] + item[1][1]


def aligned(frames: np.ndarray, labels: tuple[int, ...], likelihood: float) -> DecodedLine:
    """`labels`, whose `log_likelihood` is `likelihood`, as a `DecodedLine`, each character on the frames the
    likeliest alignment of the text gives it (Viterbi over CTC's states: blank, first label, blank, ...), on Python
    floats as `likeliest_text` is."""
    states, may_skip = _states(labels)
    rows = np.log(np.maximum(frames[:, states], 1e-12)).tolist()
    score = rows[0][:2] + [-math.inf] * (len(states) - 2)
    came_back: list[list[int]] = [[]]  # per frame and state: how many states back its best path came from
    for chances in rows[1:]:
        back, reached = [], []
        for state, chance in enumerate(chances):
            step, best = 0, score[state]
            if state and score[state - 1] > best:
                step, best = 1, score[state - 1]
            if may_skip[state] and score[state - 2] > best:
                step, best = 2, score[state - 2]
            back.append(step)
            reached.append(best + chance)
        came_back.append(back)
        score = reached
    state = len(states) - 1 if len(states) == 1 or score[-1] >= score[-2] else len(states) - 2
    path = [state]
    for step in range(len(frames) - 1, 0, -1):
        state -= came_back[step][state]
        path.append(state)
    path = np.array(path[::-1])
    spans = []
    for index in range(len(labels)):
        on = np.flatnonzero(path == 2 * index + 1)
        spans.append((int(on[0]), int(on[-1])))
    return characters(frames, labels, spans, likelihood)


def _states(labels: tuple[int, ...] | list[int]) -> tuple[list[int], list[bool]]:
    """CTC's states for a text (blank, first label, blank, ...), and per state whether a path may reach it from two
    states back, skipping the blank between two different labels."""
    states = [BLANK]
    for label in labels:
        states += [int(label), BLANK]
    return states, [False, False] + [states[index] != BLANK and states[index] != states[index - 2]
                                     for index in range(2, len(states))]


def characters(frames: np.ndarray, labels: list[int] | tuple[int, ...], spans: list[tuple[int, int]],
               likelihood: float) -> DecodedLine:
    """Each character's probabilities and confidence, read at its surest frame within its span."""
    probabilities, confidences = [], []
    for label, (first, last) in zip(labels, spans):
        surest = first + int(frames[first:last + 1, label].argmax())
        digits = frames[surest, :BLANK]
        probabilities.append(tuple(float(p) for p in digits / max(float(digits.sum()), 1e-9)))
        confidences.append(float(frames[surest, label]))
    return DecodedLine(tuple(int(label) for label in labels), tuple(probabilities), tuple(confidences), tuple(spans),
                       likelihood)


def log_likelihood(frames: np.ndarray, labels: tuple[int, ...] | list[int]) -> float:
    """log P(labels | line) under CTC: every frame alignment of the labels, summed (the forward algorithm); no
    labels at all have one alignment, a blank in every frame.

    The forward sums run on probabilities rescaled to sum to one at every
    frame, their logs added up, not on log-probabilities: the same figure to
    rounding, without a logarithm and an exponential per state and frame.
    They run on Python floats: a text has a few states, and NumPy's cost per
    call on arrays that small was three times the sums' own.
    """
    if not len(labels):
        return float(np.log(np.maximum(frames[:, BLANK], 1e-12)).sum()) if len(frames) else float("-inf")
    if len(frames) == 0 or len(labels) > len(frames):
        return float("-inf")
    states, from_two_back = _states(labels)
    rows = np.maximum(frames[:, states], 1e-12).astype(np.float64).tolist()
    alpha = [rows[0][0], rows[0][1]] + [0.0] * (len(states) - 2)
    scale = 0.0
    for chances in rows[1:]:
        total = sum(alpha)
        scale += math.log(total)
        reached = [value / total for value in alpha]
        alpha = [(reached[state] + (reached[state - 1] if state else 0.0) +
                  (reached[state - 2] if from_two_back[state] else 0.0)) * chance
                 for state, chance in enumerate(chances)]
    end = alpha[-1] + alpha[-2]
    return scale + math.log(end) if end > 0 else float("-inf")
