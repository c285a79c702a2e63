import numpy as np
import pytest

from digitocr.training.average_lines import averaged


class Weights:
    """A stand-in model: only its weights matter to averaging."""

    def __init__(self, *weights: np.ndarray):
        self.weights = list(weights)

    def get_weights(self) -> list[np.ndarray]:
        return self.weights


def test_the_average_of_line_models_is_each_weight_s_mean():
    first = Weights(np.zeros((2, 3)), np.array([1.0, 3.0]))
    second = Weights(np.ones((2, 3)), np.array([3.0, 5.0]))
    third = Weights(np.full((2, 3), 2.0), np.array([2.0, 4.0]))
    mean = averaged([first, second, third])
    assert np.allclose(mean[0], 1.0) and np.allclose(mean[1], [2.0, 4.0])


def test_models_of_different_shapes_are_refused():
    with pytest.raises(ValueError, match="architecture"):
        averaged([Weights(np.zeros((2, 3))), Weights(np.zeros((3, 3)))])
