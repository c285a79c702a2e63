"""Signs beside a number: a '$' before an amount, a '%' after a rate, are no digits of it.

Both readers learned digits, and a sign written beside a number is a mark of
a digit's shape to them: a '$' an '8' or a '5', a '€' a '6', a '£' a '2'. A
person reads it as a sign. The sign judge (`networks.sign_judge`) looks at
the mark at each end of a line as the line recognizer sees it, against the
band the line's digits share, and a mark it finds a sign (at least its
card's `sign_from`) is set aside; so is one it leans to call a sign where
the line recognizer reads the line likelier without it (`with_recognizer`).
Only at a line's ends: a sign goes before or after a number, and a mark
within it shaped like one is a digit written oddly. Of a line of two marks,
one at most: the other is the number.
"""

import numpy as np

from ..image.lines import LineImage, mark_field
from ..networks.ctc import log_likelihood
from ..networks.sign_judge import SignJudge
from ..results import Box, Digit
from .confidence import log_odds


def end_marks(digits: list[Digit]) -> list[int]:
    """The indices of the leftmost and the rightmost of two or more digits."""
    centres = [digit.box.x + digit.box.width / 2 for digit in digits]
    return [int(np.argmin(centres)), int(np.argmax(centres))]


def mark_fields(digits: list[Digit], line: LineImage, line_box: Box) -> np.ndarray:
    """The line's end marks (`end_marks`) as the sign judge takes them; `line_box` is the line's place in the
    image's pixels, `line.box` at working size."""
    return np.stack([mark_field(line, line_box.width, digits[index].box.x - line_box.x,
                                digits[index].box.x + digits[index].box.width - line_box.x)
                     for index in end_marks(digits)])


def signs_among(digits: list[Digit], chances: np.ndarray, judge: SignJudge) -> list[tuple[int, float]]:
    """The end marks taken for signs, each index with its chance of being a sign, given the judge's `chances` for
    the `end_marks`; of two digits, the likelier sign alone."""
    found = {index: float(chance) for index, chance in zip(end_marks(digits), chances) if chance >= judge.sign_from}
    if len(found) == len(digits):
        likelier = max(found, key=found.get)
        found = {likelier: found[likelier]}
    return sorted(found.items())


def with_recognizer(chances: np.ndarray, digits: list[Digit], frames: np.ndarray | None,
                    judge: SignJudge) -> np.ndarray:
    """The sign judge's chances for the line's `end_marks`, weighed with the line recognizer's word on each mark the
    judge leans to call a sign (more likely one than a digit, yet short of `sign_from`): where the recognizer reads
    the line likelier without the mark, that gain in log-likelihood is added to the judge's log-odds. The two look
    at a mark differently, the judge at its shape beside the band, the recognizer at the whole line, so where both
    lean one way, a person would too. Where the recognizer reads the mark as a digit, that says little against a
    sign: it reads a '$' as a '1' or an '8' as readily as the contours do."""
    weighed = [position for position, chance in enumerate(chances) if 0.5 <= chance < judge.sign_from]
    if frames is None or not weighed:
        return chances
    labels = [digit.label for digit in digits]
    with_all = log_likelihood(frames, labels)
    marks, weighed_chances = end_marks(digits), np.array(chances, np.float64)
    for position in weighed:
        index = marks[position]
        gain = max(0.0, log_likelihood(frames, labels[:index] + labels[index + 1:]) - with_all)
        odds = log_odds(chances[position], 0.0) + gain  # a chance from 0.5 up to sign_from needs no clipping
        weighed_chances[position] = 1.0 / (1.0 + np.exp(-odds))
    return weighed_chances
