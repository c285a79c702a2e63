"""The models a reader reads with, loaded once and shared: see `Models`."""

from dataclasses import dataclass
from pathlib import Path

from ..networks.classifier import DigitClassifier
from ..networks.line_recognizer import LineRecognizer
from ..networks.onnx_net import ALL_CORES
from ..networks.orientation import OrientationNet
from ..networks.sign_judge import SignJudge
from .confidence import ConfidenceModel
from .number_finder import NumberFinder
from .orientation import TurnEvidence
from .word_groups import WordGroupJudge


@dataclass(frozen=True)
class Models:
    """What a reader reads with, each loaded once: the five networks (digits, lines, which way up, signs beside a
    number, a date's slashes), and the four small models that judge their answers: which lines are the number, which
    group at a line's end is not, which way up the image is, and how sure the reading is."""

    classifier: DigitClassifier
    line_recognizer: LineRecognizer
    confidence: ConfidenceModel
    finder: NumberFinder
    orientation: OrientationNet
    word_groups: WordGroupJudge
    turn_evidence: TurnEvidence
    signs: SignJudge
    slashes: SignJudge

    @classmethod
    def load(cls, model_path: str | Path | None = None, line_model_path: str | Path | None = None,
             threads: int = ALL_CORES) -> "Models":
        """The shipped models, or the classifier and line recognizer at the paths given; each network call runs on
        `threads` threads: one per core (0) answers one image soonest, and one is best where worker processes
        already fill the cores (see `Reader.read_many`)."""
        return cls(DigitClassifier.load(model_path, threads), LineRecognizer.load(line_model_path, threads),
                   ConfidenceModel.load(), NumberFinder.load(), OrientationNet.load(threads=threads),
                   WordGroupJudge.load(), TurnEvidence.load(), SignJudge.load(threads=threads),
                   SignJudge.load_slash_judge(threads))
