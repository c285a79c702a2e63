"""Which way up an image is: a page photographed turned a quarter or a half, with no EXIF tag to say so.

A person tells from the digits' shapes: a '7' or a '4' has one way up, while
a '0' or an '8' turned half round is the same mark. The orientation network
answers that for each blob (`networks.orientation`), and the line recognizer
for each line read as given and turned half round (`half_turn_evidence`);
their answers are weighed together (`TurnEvidence`) over a prior in which
one image in fifty arrives turned. The blobs of one image are not
independent witnesses: one writer's hand and one camera make them err
together, so the evidence of n blobs grows as n to a fitted power below one,
times their mean, with weights fitted on scenes by held-out writers, upright
and turned (`training.fit_turns`); added up as independent, a page of specks
had been sure of a turn. Where the likeliest turn then has at least a
one-in-five chance, the image is read that way too (in full: turning changes
what its lines are), and the turned reading is kept where the reader is at
least as sure of it as of the image as given: the evidence says which way to
try, and whether a second reading is worth its cost; the readings decide.
Every reading's field confidence weighs how likely the image it read is
upright (`upright_chance`): a cell's '68' read upside down as '89' is 99%
sure of its digits, but not of its way up. A turn is tried on doubt, not
only where the evidence says it is likelier than upright, because the shapes
often cannot tell (a '0', '1' or '8' is the same mark turned half round)
while the two readings can. Where the image as given reads as nothing, whose
confidence is 0 by convention, not by evidence, the turned reading must be
more likely right than wrong: a field of noise, whose hundreds of specks
each lean a little one way, can add up to a turn, and a reading of it that
is surely wrong confirms nothing. Such a page, with marks to judge, is read
at each turn, likeliest first, whatever their chances, until one confirms: a
person who can read nothing in a page turns it each way before giving up.
But not a page of more marks than a number has digits where no turn makes
more of them read as digits than chance would (`marks_favour_turn`): a field
of noise or a texture, which a person sees is no writing, whichever way up.
One digit whose shape could go either way (a '6' is a turned '9') leaves the
prior standing by its shape; it is tried only where the recognizer reads it
far more surely turned, and its turned reading, the same marks read the
other way up, is kept only where the evidence makes that way up more likely
than not: how sure each reading is cannot say which way is up when each
assumes its own. A clear '7' on its side is tried. A drawing, which its
writer drew upright, and a tiny scan are never turned.
"""

from dataclasses import dataclass
from math import comb
from pathlib import Path

import numpy as np

from ..image.pipeline import Analysis
from ..models import MODELS
from .confidence import read_fitted
from .prepare import Prepared

DEFAULT_TURN_EVIDENCE_PATH = MODELS / "TurnEvidence.json"

TURNED_SHARE = 0.02  # the prior: one image in fifty arrives turned, a third of those each way
LEAST_LIKELIHOOD = 1e-4  # a piece's or a frame's answer is floored here, so no one mark is infinitely sure
TRY_FROM = 0.2  # a turn this likely is worth reading the image that way too (2.6% of dev cells pay, all told)
CONFIRMS_FROM = 0.5  # a turned reading replaces a reading of nothing only where it is more likely right than wrong
MANY_MARKS = 50  # whole blobs: more than a number has digits, and enough for their count to tell a turn from chance
MARKS_SIGNIFICANCE = 0.01  # chance under which more marks reading as digits turned is taken for a turn, not luck
HALF_TURNED = {"0": "0", "1": "1", "6": "9", "8": "8", "9": "6", "\n": "\n"}  # what each turned half round reads as


@dataclass(frozen=True)
class WayUp:
    """The quarter turns anticlockwise (0-3) that bring an image upright, and the probability that they do."""

    turns: int
    probability: float
    among_turns: float  # its chance among the three turns alone, for an image that reads as nothing as given


@dataclass(frozen=True)
class TurnEvidence:
    """How much the orientation network's answers for an image's blobs, and the line recognizer's
    `half_turn_evidence`, say together of each quarter turn, against the image as given: the blobs' summed log
    answers for the turn less those for as given, over the number of blobs to the power 1 - `growth` (their mean
    times n to the `growth`), times `scale`; the half turn's also the lines' evidence times `half_turn_weight`."""

    scale: float
    growth: float
    half_turn_weight: float
    path: Path | None = None

    @classmethod
    def load(cls, path: str | Path | None = None) -> "TurnEvidence":
        path = Path(path) if path else DEFAULT_TURN_EVIDENCE_PATH

        def parsed(stored: dict) -> TurnEvidence:
            weights = stored["weights"]
            evidence = cls(float(weights["scale"]), float(weights["growth"]), float(weights["half_turn_weight"]),
                           path)
            if not all(np.isfinite([evidence.scale, evidence.growth, evidence.half_turn_weight])):
                raise ValueError("its weights are not numbers")
            return evidence

        return read_fitted(path, "a turn evidence model", parsed, "python -m digitocr.training.fit_turns")

    def log_odds(self, turn_probabilities: np.ndarray, half_turn: float = 0.0) -> np.ndarray:
        """Each quarter turn's (0-3) log-odds against the image as given (0 for as given itself), from the blobs'
        (N, 4) answers and the lines' half-turn evidence."""
        answers = np.reshape(turn_probabilities, (-1, 4))
        return self.weighed(summed_log_answers(answers)[None], np.array([len(answers)]), np.array([half_turn]))[0]

    def weighed(self, summed: np.ndarray, blobs: np.ndarray, half_turns: np.ndarray) -> np.ndarray:
        """`log_odds` of many images at once (M, 4), from each one's `summed_log_answers` (M, 4), number of blobs
        (M,) and half-turn evidence (M,)."""
        odds = self.scale * np.maximum(blobs, 1)[:, None] ** (self.growth - 1) * (summed - summed[:, :1])
        odds[:, 2] += self.half_turn_weight * half_turns
        return odds


def summed_log_answers(answers: np.ndarray) -> np.ndarray:
    """The blobs' (N, 4) answers as logs, floored, added up for each turn (4,)."""
    return np.log(np.maximum(np.reshape(answers, (-1, 4)), LEAST_LIKELIHOOD)).sum(axis=0)


INDEPENDENT = TurnEvidence(1.0, 1.0, 1.0)  # every blob and line a witness of its own: their log answers added up


def whole_blobs(analysis: Analysis) -> np.ndarray:
    """Each blob's classifier input as one piece, uncut: a blob is counted once, however it may be cut."""
    return analysis.model_inputs[analysis.whole_pieces()]


def blobs_to_judge(prepared: Prepared) -> np.ndarray:
    """The whole blobs the network is asked about; none for a drawing or a tiny scan, which are never turned (with
    no evidence, `turns_to_try` has no turn to try)."""
    if prepared.tiny_scan or prepared.loaded.drawn:
        return prepared.analysis.model_inputs[:0]
    return whole_blobs(prepared.analysis)


def half_turn_evidence(given: list[np.ndarray], half_turned: list[np.ndarray]) -> float:
    """How much likelier the line recognizer finds its best reading of each line turned half round than of the
    line as given (log of the ratio of its likeliest frame paths), summed over the lines.

    The recognizer learned upright lines only, so it reads a line the right way
    up more surely: a turned '608' reads as '809', but less surely than '608'
    does upright. Unlike the shapes of single blobs, this sees a '0', '1' or
    '8' in the strokes around it. Only a half turn keeps lines lines, so only
    it is judged this way.
    """
    def path(frames: np.ndarray) -> float:
        return float(np.log(np.maximum(frames.max(axis=1), LEAST_LIKELIHOOD)).sum())
    return float(sum(path(turned) - path(upright) for upright, turned in zip(given, half_turned)))


def log_posterior(evidence: TurnEvidence, turn_probabilities: np.ndarray, half_turn: float = 0.0) -> np.ndarray:
    """The log probability, up to a constant, of each quarter turn (0-3) bringing the image upright, from each
    blob's (N, 4) answers and the lines' `half_turn_evidence`, as `evidence` weighs them, over the prior."""
    return np.log(prior_chances()) + evidence.log_odds(turn_probabilities, half_turn)


def prior_chances(turned_share: float = TURNED_SHARE) -> np.ndarray:
    """As given, then each quarter turn: the turned share split evenly among the three turns."""
    return np.array([1 - turned_share] + [turned_share / 3] * 3)


def upright_chance(evidence: TurnEvidence, turn_probabilities: np.ndarray, half_turn: float = 0.0) -> float:
    """The probability that the image is upright as given, from its blobs' (N, 4) answers and its lines' evidence
    over the prior: the field confidence weighs it, for a sure reading of a number on its side is of something
    else. An image with no blob judged (a drawing, a tiny scan: `blobs_to_judge`) is never turned, so is read as
    upright."""
    if not len(turn_probabilities):
        return 1.0
    return float(_normalised(log_posterior(evidence, turn_probabilities, half_turn))[0])


def _normalised(logs: np.ndarray) -> np.ndarray:
    chances = np.exp(logs - logs.max())
    return chances / chances.sum()


def turns_to_try(evidence: TurnEvidence, turn_probabilities: np.ndarray, half_turn: float = 0.0,
                 read_in_doubt: bool = False) -> tuple[WayUp, ...]:
    """The turns away from as given worth a second reading, likeliest first: the likeliest, where it is likely
    enough; where the image as given was `read_in_doubt` (or as nothing, the most doubtful reading of all) and has
    marks to judge, every turn the evidence does not make less likely than its prior. A person who can read nothing
    in a page turns it each way before giving up, and a few small marks, whose shapes often cannot say which way is
    up, may point at the wrong turn first; but not a way its marks argue against, as a page of noise's specks can
    rule out a half turn. A doubtful reading is no reason to turn a page whose marks say it is upright: eight small
    digits read 76% sure can leave every turn under one chance in two thousand, and a turned reading of such a page
    can be one symmetric mark, a '0' read 98% sure. Empty where no turn is worth trying."""
    logs = log_posterior(evidence, turn_probabilities, half_turn)
    chances, among_turns = _normalised(logs), _normalised(logs[1:])
    ways = tuple(WayUp(int(turns), float(chances[turns]), float(among_turns[turns - 1]))
                 for turns in 1 + np.argsort(-among_turns, kind="stable"))
    if read_in_doubt and len(turn_probabilities) > 0:
        return tuple(way for way in ways if way.probability >= prior_chances()[way.turns])
    return ways[:1] if ways[0].probability >= TRY_FROM else ()


def marks_favour_turn(sure_as_given: np.ndarray, sure_turned: np.ndarray) -> bool:
    """Whether more of a page's marks read surely as digits turned than as given, beyond what chance gives: McNemar's
    one-sided exact test on the marks that read surely one way only (each flag one mark's). On a page of noise or a
    texture, hundreds of specks, about as many read as some digit whichever way up (22, 20, 19 and 21 of 889 in a
    640x480 field of noise), so no turn is worth reading: a person sees it is no writing. Writing turned on its side
    reads as digits one way (seven of a turned column's nine marks read surely only turned, none only as given: one
    chance in 128)."""
    gained = int(np.count_nonzero(sure_turned & ~sure_as_given))
    changed = gained + int(np.count_nonzero(sure_as_given & ~sure_turned))
    chance = sum(comb(changed, count) for count in range(gained, changed + 1)) / 2 ** changed
    return chance < MARKS_SIGNIFICANCE


def outweighs_guess(turned_confidence: float, given_confidence: float, turn_chance: float) -> bool:
    """Whether the turned reading is kept over a guess as given (a line no more likely than not to be the number,
    read for want of one that is): each reading is right as often as it is sure and its way up is up, so a sure
    turned reading of a page that is almost surely upright does not replace a doubtful one as given."""
    return turned_confidence * turn_chance >= given_confidence * (1 - turn_chance)


def keeps_turned(turned_confidence: float, given_confidence: float | None, given_guessed: bool, way: WayUp,
                 given_text: str = "", turned_text: str = "") -> bool:
    """Whether the turned reading is kept over the reading as given (`given_confidence` None where that read
    nothing): weighed with the turn's chance against a guess (`outweighs_guess`), else as sure at least
    (`confirms`). Where the turned reading's text is the one as given turned half round (`read_upside_down`: a
    lone '9' that turned reads '6'), the two readings are of the same marks, each assuming its own way up, so how
    sure each is cannot tell which way is up: the turn is kept only where the digits' shapes and lines make it more
    likely than not (CONFIRMS_FROM)."""
    if way.turns == 2 and read_upside_down(given_text, turned_text):
        return way.probability >= CONFIRMS_FROM and confirms(turned_confidence, given_confidence)
    if given_guessed and given_confidence is not None:
        return outweighs_guess(turned_confidence, given_confidence, way.probability)
    return confirms(turned_confidence, given_confidence)


def read_upside_down(given: str, turned: str) -> bool:
    """Whether `turned` (a reading's text) is another number than `given` but `given` turned half round: its lines
    and digits in reverse order, each digit one that reads as a digit upside down ('6' as '9', '0', '1' and '8' as
    themselves). A number that reads the same either way up ('0', '69') is right either way."""
    return given != turned and all(mark in HALF_TURNED for mark in given) and \
        "".join(HALF_TURNED[mark] for mark in reversed(given)) == turned


def confirms(turned_confidence: float, given_confidence: float | None) -> bool:
    """Whether the turned reading, with its field confidence, is kept over the reading of the image as given
    (`given_confidence` None where that read nothing)."""
    return turned_confidence >= (CONFIRMS_FROM if given_confidence is None else given_confidence)
