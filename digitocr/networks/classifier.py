"""The digit classifier: load `DigitClassifier.keras` once, safely, and classify batches of 28x28 digits."""

import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..models import MODELS
from .model_files import load_keras_model, verify_checksum
from .onnx_net import ALL_CORES, OnnxNet, UnsupportedLayers

NUM_CLASSES = 10
FIELD_SIZE = 28  # the classifier's input side, as MNIST's
MOST_PIECES = 2048  # pieces in one network call: about 400 MB of activations, however many pieces an image holds
DEFAULT_MODEL_PATH = MODELS / "DigitClassifier.keras"


def check_shapes(shape_in: tuple, shape_out: tuple) -> None:
    if shape_in[1:] != (FIELD_SIZE, FIELD_SIZE, 1) or shape_out[1:] != (NUM_CLASSES,):
        raise ModelError(f"The model takes {shape_in} and gives {shape_out}; expected (None, 28, 28, 1) "
                         "and (None, 10).")


class DigitClassifier:
    """(N, 28, 28, 1) float32 in [0, 1], ink bright, to (N, 10) probabilities, through ONNX Runtime when it can.

    The project's CNN runs without TensorFlow (see `onnx_net`); a model built
    of other layers, or one handed over in memory, runs through Keras.
    """

    def __init__(self, forward: Callable[[np.ndarray], np.ndarray], path: Path | None = None, keras_model=None):
        self._forward = forward
        self.path = path
        self._keras_model = keras_model

    @classmethod
    def from_keras(cls, model, path: Path | None = None) -> "DigitClassifier":
        check_shapes(tuple(model.input_shape), tuple(model.output_shape))
        import tensorflow as tf

        forward = tf.function(lambda x: model(x, training=False), reduce_retracing=True,
                              input_signature=[tf.TensorSpec((None, FIELD_SIZE, FIELD_SIZE, 1), tf.float32)])
        return cls(lambda batch: np.asarray(forward(batch)), path, model)

    @classmethod
    def load(cls, path: str | Path | None = None, threads: int = ALL_CORES) -> "DigitClassifier":
        """Check the file against its model card, then load it as data (no code in it runs); each call runs on
        `threads` of ONNX Runtime's threads (0 for one per core)."""
        path = checked_model_file(path)
        try:
            net = OnnxNet.from_archive(path, threads)
            check_shapes(net.input_shape, net.output_shape)
            return cls(net, path)
        except UnsupportedLayers:
            return cls.from_keras(load_keras_model(path), path)
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
            raise ModelError(f"{path} is not a Keras model this reader can load ({error}).") from None

    @property
    def multiply_adds(self) -> int | None:
        """Multiply-adds the network spends on one digit (None for a model run through Keras)."""
        return getattr(self._forward, "multiply_adds", None)

    def keras_model(self):
        """The Keras model itself, for training on from it; loaded on first use."""
        if self._keras_model is None:
            self._keras_model = load_keras_model(self.path)
        return self._keras_model

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        """(N, 28, 28) or (N, 28, 28, 1) inputs in calls of at most MOST_PIECES; (N, 10) float32 probabilities.
        Identical inputs are answered once: ways of cutting offer one piece again and again, and a table cell's
        pieces were nearly half repeats."""
        batch = np.ascontiguousarray(inputs, np.float32).reshape(-1, FIELD_SIZE, FIELD_SIZE, 1)
        if len(batch) == 0:
            return np.zeros((0, NUM_CLASSES), np.float32)
        firsts, inverse = distinct_rows(batch)
        return in_calls_of_bounded_size(self._forward, batch[firsts])[inverse]


def distinct_rows(batch: np.ndarray) -> tuple[list[int], np.ndarray]:
    """The first of each group of identical rows, and for every row the index of its group among those firsts."""
    first_of: dict[bytes, int] = {}
    firsts: list[int] = []
    inverse = np.empty(len(batch), np.intp)
    for index, row in enumerate(batch):
        group = first_of.setdefault(row.tobytes(), len(firsts))
        if group == len(firsts):
            firsts.append(index)
        inverse[index] = group
    return firsts, inverse


def in_calls_of_bounded_size(forward: Callable[[np.ndarray], np.ndarray], pieces: np.ndarray) -> np.ndarray:
    """`forward`'s answers for (N, 28, 28, 1) pieces, MOST_PIECES at a time: a network's activations for all the
    pieces of a batch of photos of noise or a textured desk at once would take gigabytes, and each piece's answer
    does not depend on the others in its call."""
    return np.concatenate([np.asarray(forward(pieces[start:start + MOST_PIECES]), np.float32)
                           for start in range(0, len(pieces), MOST_PIECES)])


def checked_model_file(path: str | Path | None = None) -> Path:
    """The classifier's file (the shipped one where `path` is None), there and matching its model card's checksum:
    what `DigitClassifier.load` checks before loading it, and all a caller whose workers load it needs to know."""
    path = Path(path) if path else DEFAULT_MODEL_PATH
    if not path.is_file():
        raise ModelError(f"No model file at {path}. Train one with `python -m digitocr.train --data MNIST_DIR`.")
    verify_checksum(path)
    return path
