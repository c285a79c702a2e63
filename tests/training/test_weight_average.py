import json

import numpy as np
import pytest

from conftest import SHARED, needs_shared
from digitocr.networks.classifier import DEFAULT_MODEL_PATH, DigitClassifier
from digitocr.networks.model_files import model_card_path
from digitocr.training import average_classifiers
from digitocr.training.weight_average import averaged


class Weights:
    """A stand-in model: only its weights matter to averaging."""

    def __init__(self, *weights: np.ndarray):
        self.weights = list(weights)

    def get_weights(self) -> list[np.ndarray]:
        return self.weights


def test_the_average_of_models_is_each_weight_s_mean():
    first = Weights(np.zeros((2, 3)), np.array([1.0, 3.0]))
    second = Weights(np.ones((2, 3)), np.array([3.0, 5.0]))
    third = Weights(np.full((2, 3), 2.0), np.array([2.0, 4.0]))
    mean = averaged([first, second, third])
    assert np.allclose(mean[0], 1.0) and np.allclose(mean[1], [2.0, 4.0])


def test_models_of_different_shapes_are_refused():
    with pytest.raises(ValueError, match="architecture"):
        averaged([Weights(np.zeros((2, 3))), Weights(np.zeros((3, 3)))])


@needs_shared
def test_the_classifier_averaging_command_writes_a_model_that_reads_and_a_card_naming_what_it_averaged(tmp_path):
    copy = tmp_path / "copy.keras"
    copy.write_bytes(DEFAULT_MODEL_PATH.read_bytes())
    model_card_path(copy).write_text(model_card_path(DEFAULT_MODEL_PATH).read_text())
    out = tmp_path / "average.keras"
    assert average_classifiers.main([str(DEFAULT_MODEL_PATH), str(copy), "--out", str(out),
                                     "--data", str(SHARED / "data/mnist")]) == 0
    card, shipped = json.loads(model_card_path(out).read_text()), json.loads(model_card_path(copy).read_text())
    assert [part["sha256"] for part in card["weight_average_of"]] == [shipped["sha256"]] * 2
    assert card["command"].startswith("python -m digitocr.training.average_classifiers")
    # averaged with itself, a model is that model
    assert abs(card["accuracy"]["mnist_test"] - shipped["accuracy"]["mnist_test"]) < 1e-4
    digits = np.random.default_rng(0).random((16, 28, 28), np.float32)
    assert np.allclose(DigitClassifier.load(out).predict(digits), DigitClassifier.load(copy).predict(digits), atol=1e-5)
