"""How sure a reading is as a whole: the probability that every digit of a line is right, and so of the field.

A digit's confidence says how sure the classifier is of that one mark; a
clerk needs to know whether the whole number can be trusted. Each line is
described by what both readers said of it: how likely the line recognizer
finds the final text (CTC), the least and the mean certainty of its digits,
whether the two readers agreed, which reading was kept, how many digits it
has and how many marks were left out as flat answers. A logistic model maps
these to a probability; it is fitted (`python -m digitocr.training.calibrate`)
on synthetic fields of held-out writers, never on the dev images, and its
coefficients ship as `FieldConfidence.json`. A field is right when all its
lines are: its confidence is the product of theirs, and nothing found is
never sure.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..models import MODELS
from ..networks.ctc import log_likelihood
from ..results import Digit

DEFAULT_CONFIDENCE_PATH = MODELS / "FieldConfidence.json"
FEATURES = ("text_log_likelihood", "lowest_digit_log_odds", "mean_digit_log_odds", "readers_agree",
            "read_whole", "digits", "flat_pieces", "no_line_reading")
LOWEST_LIKELIHOOD = -30.0  # nats; a text the recognizer finds less likely than this is as good as impossible
SUREST_DIGIT = 1e-4  # a digit's confidence is kept this far from 0 and 1 before its log-odds are taken


@dataclass(frozen=True)
class LineEvidence:
    """What the readers said of one final line, for `line_features`."""

    digits: tuple[Digit, ...]
    frames: np.ndarray | None  # the recognizer's (T, 11) answers for the line; None where it did not read it
    readers_agree: bool  # the recognizer's own text was the contour reader's
    read_whole: bool  # the recognizer's reading was kept
    flat_pieces: int  # marks of the line left out because the classifier's answer was flat


def line_features(evidence: LineEvidence) -> np.ndarray:
    """The line's features, in the order of FEATURES."""
    confidences = np.clip([digit.confidence for digit in evidence.digits], SUREST_DIGIT, 1 - SUREST_DIGIT)
    log_odds = np.log(confidences / (1 - confidences))
    if evidence.frames is None:
        likelihood = 0.0
    else:
        likelihood = max(LOWEST_LIKELIHOOD, log_likelihood(evidence.frames, [d.label for d in evidence.digits]))
    return np.array([likelihood, log_odds.min(), log_odds.mean(), evidence.readers_agree, evidence.read_whole,
                     len(evidence.digits), evidence.flat_pieces, evidence.frames is None], np.float64)


@dataclass(frozen=True)
class ConfidenceModel:
    """A logistic model: P(line right) = 1 / (1 + exp(-(weights . features + bias)))."""

    weights: np.ndarray
    bias: float
    path: Path | None = None

    @classmethod
    def load(cls, path: str | Path | None = None) -> "ConfidenceModel":
        path = Path(path) if path else DEFAULT_CONFIDENCE_PATH
        try:
            stored = json.loads(path.read_text())
            weights = np.array([stored["weights"][name] for name in FEATURES], np.float64)
            return cls(weights, float(stored["bias"]), path)
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ModelError(f"{path} is not a field confidence model this reader can load ({error}). Fit one with "
                             "`python -m digitocr.training.calibrate`.") from None

    def line_probability(self, evidence: LineEvidence) -> float:
        return probability(self.weights, self.bias, line_features(evidence)[None])[0]


def probability(weights: np.ndarray, bias: float, features: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(features @ weights + bias)))
