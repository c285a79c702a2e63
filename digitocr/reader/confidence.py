"""How sure a reading is as a whole: the probability that every digit of the field, or of one line, is right.

A digit's confidence says how sure the classifier is of that one mark; a
clerk needs to know whether the whole number can be trusted. A reading is
described by what both readers said of its lines: how sure the line
recognizer is of the final texts against every other text (CTC, as
log-odds: a text at 99.99% is far surer than one at 99%, which a likelihood
barely tells apart), the least and the mean certainty of the digits, how far
the least clear digit's answer is from its runner-up (a '1' that might be a
'7'), on how many lines the two readers disagreed and how many the
recognizer read, how many lines and digits there are, how many marks were
left out as flat answers, and how sure the number finder was of the line it
was least sure belongs to the number (a whole reading is right only where
every line it holds is the number's), and on how many lines the recognizer
read differently at slightly different widths (`line_views`: a text that
changes when the line is a fifth wider is one a person would look at
twice). It is also described by what it left
out of the image (`ImageEvidence`): how much of the lines' ink its digits
cover (a digit the crop cut, a '1' lost beside a '6', a line of a turned
number set aside all leave ink unread) and how nearly a line or group set
aside was kept; and by how likely the image is upright as given, by its
marks' shapes and lines (`orientation`): a number on its side, read as it
lies, can be read surely as another number. Context matters: a column of
sure single digits is a column, while an image turned a quarter also breaks
into one-digit lines, a few of them sure ('0', '8') and the rest not. A
reading no line recognizer read (a small scan of one digit, or any reading
by contours alone) has the classifier's word only, which tells a different
story from the recognizer's: every feature counts once more for such
readings, with a weight of its own.
A few small networks map these to a probability, their answers averaged:
each takes the standardised features through one layer of tanh units to a
logistic output, fitted from its own starting weights. A logistic model on
the same features weighs each alone, while the evidence combines: a
recognizer's sure text counts for less where the finder doubts the line, a
lone digit's sureness more where no recognizer read it. They are fitted
(`python -m digitocr.training.calibrate`) on synthetic fields and scenes of
held-out writers, never on the dev images, and ship as
`FieldConfidence.json`. A line's own confidence is the model's answer for
that line read alone, in the same image.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Self, TypeVar

import numpy as np
from numpy.typing import ArrayLike

from ..errors import ModelError
from ..models import MODELS
from ..networks.ctc import log_likelihood
from ..results import Digit

DEFAULT_CONFIDENCE_PATH = MODELS / "FieldConfidence.json"
READING_FEATURES = ("text_log_odds", "lowest_digit_log_odds", "mean_digit_log_odds", "lowest_margin",
                    "disagreeing_lines", "lines_read_whole", "lines", "digits", "flat_pieces", "no_line_reading",
                    "least_part_of_number", "ink_read", "likeliest_set_aside", "lines_seen_differently",
                    "upright_log_odds")
NO_LINE_READING = READING_FEATURES.index("no_line_reading")
FEATURES = READING_FEATURES + tuple(f"{name}_classifier_alone" for name in READING_FEATURES
                                    if name != "no_line_reading")
LOWEST_LIKELIHOOD = -30.0  # nats; a text the recognizer finds less likely than this is as good as impossible
SUREST_DIGIT = 1e-4  # a digit's confidence is kept this far from 0 and 1 before its log-odds are taken
SUREST_LINE = 1e-3  # the finder's chance is kept this far from 0 and 1 before its log-odds are taken
SUREST_TEXT = 1e-6  # the recognizer's chance of a text is kept this far from 0 and 1 before its log-odds are taken
Fitted = TypeVar("Fitted")  # whatever a model file is read as


@dataclass(frozen=True)
class LineEvidence:
    """What the readers said of one final line, for `features`."""

    digits: tuple[Digit, ...]
    text_likelihood: float | None  # log P(the line's text) under the recognizer; None where it did not read it
    readers_agree: bool  # the recognizer's own text was the contour reader's
    read_whole: bool  # the recognizer's reading was kept
    flat_pieces: int  # marks of the line left out because the classifier's answer was flat
    part_of_number: float  # the number finder's chance that the line is the number's; 1 where it was not asked
    looks_agree: bool = True  # its first views read one text (`line_views`); True where the recognizer did not read it


@dataclass(frozen=True)
class ImageEvidence:
    """What a reading left out of its image, for `features`."""

    ink_read: float = 1.0  # the share of the inked columns of the image's lines that the reading's digits cover
    likeliest_set_aside: float = 0.0  # the highest chance the number finder or word-group judge gave a part set aside
    upright: float = 1.0  # the chance that the image read is upright as given (`orientation.upright_chance`)


def text_likelihood(frames: np.ndarray | None, digits: tuple[Digit, ...] | list[Digit],
                    known: float | None = None) -> float | None:
    """log P(the digits' text | the line) under the recognizer, floored at LOWEST_LIKELIHOOD; None without frames.
    `known` is that figure where the caller already has it, unfloored."""
    if frames is None:
        return None
    return max(LOWEST_LIKELIHOOD, log_likelihood(frames, [digit.label for digit in digits]) if known is None else known)


def digit_log_odds(digits: list[Digit] | tuple[Digit, ...]) -> np.ndarray:
    """Each digit's confidence as log-odds, kept within SUREST_DIGIT of 0 and 1."""
    return log_odds(np.array([digit.confidence for digit in digits]), SUREST_DIGIT)


def log_odds(probabilities: float | np.ndarray, margin: float) -> float | np.ndarray:
    """log(p / (1 - p)), with p kept within `margin` of 0 and 1."""
    kept = np.clip(probabilities, margin, 1 - margin)
    return np.log(kept / (1 - kept))


def features(lines: list[LineEvidence], image: ImageEvidence) -> np.ndarray:
    """A reading's features, in the order of FEATURES (its lines must hold one digit or more): those of
    READING_FEATURES, then again, less `no_line_reading`, where no line recognizer read a line, else 0."""
    digits = [digit for line in lines for digit in line.digits]
    odds = digit_log_odds(digits)
    ranked = np.sort(np.clip([digit.probabilities for digit in digits], SUREST_DIGIT, 1.0), axis=1)
    reading = np.array([text_log_odds(lines), odds.min(), odds.mean(),
                       float(np.log(ranked[:, -1] / ranked[:, -2]).min()),
                       sum(not line.readers_agree for line in lines), sum(line.read_whole for line in lines),
                       len(lines), len(digits), sum(line.flat_pieces for line in lines),
                       any(line.text_likelihood is None for line in lines),
                       log_odds(min(line.part_of_number for line in lines), SUREST_LINE), image.ink_read,
                       image.likeliest_set_aside, sum(not line.looks_agree for line in lines),
                       log_odds(image.upright, SUREST_LINE)], np.float64)
    return np.concatenate([reading, reading[NO_LINE_READING] * np.delete(reading, NO_LINE_READING)])


def text_log_odds(lines: list[LineEvidence]) -> float:
    """The log-odds of the lines' texts under the recognizer, over the lines it read; 0 where it read none."""
    read = [line.text_likelihood for line in lines if line.text_likelihood is not None]
    return float(log_odds(np.exp(sum(read)), SUREST_TEXT)) if read else 0.0


def judged_rows(lines: list[LineEvidence], image: ImageEvidence) -> np.ndarray:
    """The features a reading is judged by, one row each: the whole reading's first, then, where it has several
    lines, each line's alone. A reading is no surer than its least sure row: all of it is right only where each
    line is."""
    return np.vstack([features(lines, image)] + ([features([line], image) for line in lines] if len(lines) > 1
                                                  else []))


@dataclass(frozen=True)
class LogisticModel:
    """A model `calibrate` fits: P = 1 / (1 + exp(-(weights . features + bias))), over a subclass's FEATURES."""

    weights: np.ndarray
    bias: float
    path: Path | None = None

    FEATURES: ClassVar[tuple[str, ...]]
    DEFAULT_PATH: ClassVar[Path]
    WHAT: ClassVar[str]  # what the model is, for the message where a file is not one

    @classmethod
    def load(cls, path: str | Path | None = None) -> Self:
        path = Path(path) if path else cls.DEFAULT_PATH
        return cls(*load_logistic(path, cls.FEATURES, cls.WHAT), path)

    def answer(self, values: np.ndarray) -> float:
        """The probability for one example's feature values."""
        return float(probability(self.weights, self.bias, values[None])[0])


@dataclass(frozen=True)
class ConfidenceModel:
    """P(all right), from a reading's `features`: the mean answer of a few small networks on the standardised
    features, each a layer of tanh units and a logistic output. The networks' hidden units stand side by side in one
    matrix, so all of them answer in one product."""

    mean: np.ndarray  # (features,)
    scale: np.ndarray  # (features,)
    hidden_weights: np.ndarray  # (features, networks * units): network n's units are columns n * units on
    hidden_bias: np.ndarray  # (networks * units,)
    output_weights: np.ndarray  # (networks, units)
    output_bias: np.ndarray  # (networks,)
    path: Path | None = None

    @classmethod
    def of_networks(cls, mean: ArrayLike, scale: ArrayLike, networks: list[tuple[ArrayLike, ...]],
                    path: Path | None = None) -> "ConfidenceModel":
        """From each network's hidden weights (features, units), hidden bias (units), output weights (units) and
        output bias (one), as `calibrate` fits and stores them."""
        return cls(np.asarray(mean, np.float64), np.asarray(scale, np.float64),
                   np.hstack([np.asarray(net[0], np.float64) for net in networks]),
                   np.concatenate([np.asarray(net[1], np.float64) for net in networks]),
                   np.array([net[2] for net in networks], np.float64),
                   np.array([np.ravel(net[3])[0] for net in networks], np.float64), path)

    @classmethod
    def load(cls, path: str | Path | None = None) -> "ConfidenceModel":
        path = Path(path) if path else DEFAULT_CONFIDENCE_PATH

        def parsed(stored: dict) -> ConfidenceModel:
            if list(stored["features"]) != list(FEATURES):
                raise ValueError("its features are not this reader's")
            model = cls.of_networks(stored["mean"], stored["scale"], [
                (net["hidden_weights"], net["hidden_bias"], net["output_weights"], net["output_bias"])
                for net in stored["networks"]], path)
            model.answers(np.zeros((1, len(FEATURES))))
            return model

        return read_fitted(path, "a field confidence model", parsed)

    def answers(self, values: np.ndarray) -> np.ndarray:
        """The probability for each row of feature values."""
        hidden = np.tanh((values - self.mean) / self.scale @ self.hidden_weights + self.hidden_bias)
        networks, units = self.output_weights.shape
        logits = np.add.reduce(hidden.reshape(len(values), networks, units) * self.output_weights, axis=2)
        return np.add.reduce(1.0 / (1.0 + np.exp(-(logits + self.output_bias))), axis=1) / networks

    def probability(self, lines: list[LineEvidence], image: ImageEvidence = ImageEvidence()) -> float:
        """That every digit of these lines is right, by its least sure row (`judged_rows`); nothing read is never
        sure."""
        lines = [line for line in lines if line.digits]
        return float(self.answers(judged_rows(lines, image)).min()) if lines else 0.0


def load_logistic(path: Path, names: tuple[str, ...], what: str) -> tuple[np.ndarray, float]:
    """A fitted logistic model's weights (in the order of `names`) and bias, as `calibrate` writes them."""
    return read_fitted(path, what, lambda stored: (np.array([stored["weights"][name] for name in names], np.float64),
                                                   float(stored["bias"])))


def read_fitted(path: Path, what: str, parsed: Callable[[dict], Fitted],
                fitting_command: str = "python -m digitocr.training.calibrate") -> Fitted:
    """A model a fitting command wrote to `path`, as `parsed` makes it of the stored JSON; where the file is no
    `what` this reader can load, a ModelError that says how to fit one."""
    try:
        return parsed(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ModelError(f"{path} is not {what} this reader can load ({error}). Fit one with "
                         f"`{fitting_command}`.") from None


def probability(weights: np.ndarray, bias: float, values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(values @ weights + bias)))
