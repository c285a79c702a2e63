"""A teacher for the classifier: several trained classifiers whose mean answer the student learns from.

A small network learns more from a stronger one's soft answers than from
the labels alone: where the teacher finds a '7' a little like a '1', that
is knowledge a one-hot label throws away. The teacher reads the same
augmented samples the student trains on, every epoch, through ONNX Runtime;
it need not ship. Marks that are not digits keep their uniform target, so
the student's "not a digit" answer is learned from the data, not from the
teacher; and where the teacher's answer is not the label (a style of
writing it never learned, such as a '9' whose stem falls from the loop's
left), its answer is no knowledge to pass on, and the label alone is kept.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..networks.classifier import DigitClassifier
from ..networks.model_files import model_sha256, read_model_card

DISTILL_WEIGHT = 0.5  # of a digit's target taken from the teacher; the rest is its label
BATCH = 2048  # samples the teacher reads in one call


@dataclass(frozen=True)
class Teacher:
    """Classifiers whose answers are averaged (an ensemble reads better than any one of its members)."""

    members: tuple[DigitClassifier, ...]

    @classmethod
    def load(cls, paths: list[Path]) -> "Teacher":
        return cls(tuple(DigitClassifier.load(path) for path in paths))

    def answers(self, inputs: np.ndarray) -> np.ndarray:
        """(N, 10) mean probabilities of the members."""
        total = np.zeros((len(inputs), 10), np.float64)
        for member in self.members:
            for start in range(0, len(inputs), BATCH):
                total[start:start + BATCH] += member.predict(inputs[start:start + BATCH])
        return (total / len(self.members)).astype(np.float32)

    def description(self) -> list[dict]:
        """For the student's card: each member's file, checksum and the command that made it."""
        described = []
        for member in self.members:
            card = read_model_card(member.path)
            described.append({"model": Path(member.path).name, "sha256": model_sha256(member.path),
                              "command": card.get("command"), "accuracy": card.get("accuracy")})
        return described


def distilled_targets(targets: np.ndarray, teacher_answers: np.ndarray, weight: float = DISTILL_WEIGHT) -> np.ndarray:
    """Each digit's target mixed with the teacher's answer where that answer is the label; a non-digit's uniform
    target, and a digit's the teacher gets wrong, kept as they are."""
    digits = (targets.max(axis=1) > 0.5) & (teacher_answers.argmax(axis=1) == targets.argmax(axis=1))
    mixed = targets.copy()
    mixed[digits] = (1 - weight) * targets[digits] + weight * teacher_answers[digits]
    return mixed
