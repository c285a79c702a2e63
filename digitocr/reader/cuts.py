"""The first step after the classifier: each blob read the way of cutting it the classifier is surest of, and a
piece whose answer is flat left out as not a digit."""

import numpy as np

from ..results import Digit
from ..settings import ReaderSettings
from .draft import Draft
from .prepare import Prepared

NOT_A_DIGIT = "not a digit: the model's answer was flat"
CUT_COST = 0.25  # log-confidence a reading gives up for each extra cut through a blob
TINY_SCAN_DIGIT_HEIGHT = 0.5  # a tiny scan's mark this tall (of the scan) is its digit, kept however flat its answer


def mean_log_confidence(confidences: np.ndarray, option: list[int]) -> float:
    """How confidently the classifier reads a way of cutting, per piece (the log of the geometric mean)."""
    return float(np.mean(np.log(np.maximum(confidences[option], 1e-6))))


def choose_option(options: list[list[int]], confidences: np.ndarray) -> int:
    """The way of cutting a blob whose pieces the classifier reads most confidently, each extra cut costing
    CUT_COST. A piece too wide for one digit needs no cost of its own: the classifier's answer on it is flat."""
    if len(options) == 1:
        return 0
    scores = [mean_log_confidence(confidences, option) - CUT_COST * (len(option) - 1) for option in options]
    return int(np.argmax(scores))


def classified_blobs(prepared: Prepared, probabilities: np.ndarray, settings: ReaderSettings) -> Draft:
    """Per line, the digits of each blob's chosen way of cutting, boxed in the original image's pixels.

    A tiny scan's mark at least TINY_SCAN_DIGIT_HEIGHT of its height is its
    digit, kept with its best guess however flat the answer: the scan was
    made of one digit.
    """
    analysis = prepared.analysis
    confidences = probabilities.max(axis=1) if len(probabilities) else np.zeros(0)
    lines: dict[int, list[Digit]] = {}
    rejected, choices = [], []
    scan_digit_height = TINY_SCAN_DIGIT_HEIGHT * analysis.working.shape[0]
    for options in analysis.options:
        choice = choose_option(options, confidences)
        choices.append((options, choice))
        for index in options[choice]:
            candidate, row = analysis.pieces[index], probabilities[index]
            label, confidence = int(np.argmax(row)), float(confidences[index])
            one_scanned_digit = prepared.tiny_scan and candidate.height >= scan_digit_height
            if confidence < settings.reject_below and not one_scanned_digit:
                rejected.append(index)
                continue
            box = analysis.box_in_original(candidate.x, candidate.y, candidate.width, candidate.height)
            lines.setdefault(candidate.line, []).append(
                Digit(label, confidence, tuple(float(p) for p in row), box, 0,
                      confidence < settings.doubtful_below, analysis.model_inputs[index]))
    return Draft(lines, confidences, choices, tuple(rejected), notes=tuple(analysis.notes))
