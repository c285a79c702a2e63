"""A teacher for the classifier: several trained classifiers whose mean answer the student learns from.

A small network learns more from a stronger one's soft answers than from
the labels alone: where the teacher finds a '7' a little like a '1', that
is knowledge a one-hot label throws away. The teacher reads the same
augmented samples the student trains on, every epoch: through ONNX Runtime,
the fastest on a CPU (a wide teacher takes about 2 minutes an epoch on two
cores), or through Keras on its backend's device, a GPU where there is one.
It need not ship. Marks that are not digits keep their uniform target, so
the student's "not a digit" answer is learned from the data, not from the
teacher; and where the teacher's answer is not the label (a style of
writing it never learned, such as a '9' whose stem falls from the loop's
left), its answer is no knowledge to pass on, and the label alone is kept.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..networks.classifier import DigitClassifier
from ..networks.model_files import load_keras_model, model_sha256, read_model_card, verify_checksum

DISTILL_WEIGHT = 0.5  # of a digit's target taken from the teacher; the rest is its label
TRAINED_FLOOR = 0.98  # MNIST validation accuracy under which a member is taken for an untrained file
BATCH = 2048  # samples the teacher reads in one call
RUNTIMES = ("onnx", "keras")  # what the teachers answer through


@dataclass(frozen=True)
class Teacher:
    """Classifiers whose answers are averaged (an ensemble reads better than any one of its members)."""

    members: tuple[DigitClassifier, ...]

    @classmethod
    def load(cls, paths: list[Path], runtime: str = "onnx") -> "Teacher":
        if runtime not in RUNTIMES:
            raise ValueError(f"unknown runtime {runtime!r}; choose one of {', '.join(RUNTIMES)}")
        return cls(tuple((DigitClassifier.load if runtime == "onnx" else keras_member)(path) for path in paths))

    def answers(self, inputs: np.ndarray) -> np.ndarray:
        """(N, 10) mean probabilities of the members."""
        total = np.zeros((len(inputs), 10), np.float64)
        for member in self.members:
            for start in range(0, len(inputs), BATCH):
                total[start:start + BATCH] += member.predict(inputs[start:start + BATCH])
        return (total / len(self.members)).astype(np.float32)

    def require_trained(self, inputs: np.ndarray, labels: np.ndarray) -> None:
        """Refuse members that read MNIST's validation digits below `TRAINED_FLOOR`: a smoke run's file passed by
        mistake answers nearly the same for every digit, and averaged in, it flattens every target the student
        learns from without any error to show for it."""
        untrained = []
        for member in self.members:
            read = float((member.predict(inputs).argmax(axis=1) == labels).mean())
            if read < TRAINED_FLOOR:
                untrained.append(f"{member.path} ({read:.1%})")
        if untrained:
            raise ModelError(f"teachers that read MNIST's validation digits below {TRAINED_FLOOR:.0%}, so were never "
                             f"trained: {', '.join(untrained)}")

    def description(self) -> list[dict]:
        """For the student's card: each member's file, checksum and the command that made it."""
        described = []
        for member in self.members:
            card = read_model_card(member.path)
            described.append({"model": Path(member.path).name, "sha256": model_sha256(member.path),
                              "command": card.get("command"), "accuracy": card.get("accuracy")})
        return described


def keras_member(path: Path) -> DigitClassifier:
    """A teacher that answers through Keras, on whatever device its backend runs (a GPU where it has one)."""
    verify_checksum(path)
    model = load_keras_model(path)
    return DigitClassifier(lambda batch: model.predict(batch, batch_size=BATCH, verbose=0), Path(path), model)


def distilled_targets(targets: np.ndarray, teacher_answers: np.ndarray, weight: float = DISTILL_WEIGHT) -> np.ndarray:
    """Each digit's target mixed with the teacher's answer where that answer is the label; a non-digit's uniform
    target, and a digit's the teacher gets wrong, kept as they are."""
    digits = (targets.max(axis=1) > 0.5) & (teacher_answers.argmax(axis=1) == targets.argmax(axis=1))
    mixed = targets.copy()
    mixed[digits] = (1 - weight) * targets[digits] + weight * teacher_answers[digits]
    return mixed
