"""The orientation network: load `Orientation.keras` once, safely, and answer which way up each piece is.

It takes pieces as the classifier does (see `classifier`) and answers, per
piece, probabilities over the quarter turns anticlockwise (0-3) that bring
it upright; a piece whose shape does not say (a '0', an '8', a speck) gets a
flat answer. Trained by `python -m digitocr.training.train_orientation`.
"""

from pathlib import Path

import numpy as np

from ..models import MODELS
from .classifier import FIELD_SIZE, in_calls_of_bounded_size
from .model_files import load_network_of_shape
from .onnx_net import ALL_CORES, OnnxNet

TURN_CLASSES = 4
DEFAULT_ORIENTATION_PATH = MODELS / "Orientation.keras"


class OrientationNet:
    """(N, 28, 28, 1) pieces in [0, 1], ink bright, to (N, 4) probabilities over quarter turns."""

    def __init__(self, net: OnnxNet, path: Path):
        self._net = net
        self.path = path

    @classmethod
    def load(cls, path: str | Path | None = None, threads: int = ALL_CORES) -> "OrientationNet":
        path = Path(path) if path else DEFAULT_ORIENTATION_PATH
        return cls(load_network_of_shape(path, threads, "orientation model",
                                         "python -m digitocr.training.train_orientation", (FIELD_SIZE, FIELD_SIZE, 1),
                                         (TURN_CLASSES,)), path)

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        """(N, 28, 28) or (N, 28, 28, 1) pieces in calls of bounded size; (N, 4) float32 probabilities."""
        batch = np.ascontiguousarray(inputs, np.float32).reshape(-1, FIELD_SIZE, FIELD_SIZE, 1)
        if len(batch) == 0:
            return np.full((0, TURN_CLASSES), 1.0 / TURN_CLASSES, np.float32)
        return in_calls_of_bounded_size(self._net, batch)
