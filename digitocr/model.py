"""The CNN wrapper: load `DigitClassifier.keras` once, safely, and classify batches of 28x28 digits; save one."""

import hashlib
import json
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .errors import ModelError
from .normalize import FIELD_SIZE
from .onnx_net import ALL_CORES, OnnxNet, UnsupportedLayers

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

NUM_CLASSES = 10
DEFAULT_MODEL_PATH = Path(__file__).resolve().parent.parent / "DigitClassifier.keras"


def model_card_path(model_path: Path) -> Path:
    return Path(model_path).with_suffix(".json")


def model_sha256(model_path: Path) -> str:
    """The checksum a model card records for its file, and that loading checks."""
    return hashlib.sha256(Path(model_path).read_bytes()).hexdigest()


def model_reference(model_path: Path) -> dict:
    """How a card names the model a run started from: its file name and checksum."""
    return {"model": Path(model_path).name, "sha256": model_sha256(model_path)}


def verify_checksum(model_path: Path) -> None:
    """Refuse a model whose bytes differ from what its model card recorded (when it has a card)."""
    card_path = model_card_path(model_path)
    if not card_path.exists():
        return
    expected = json.loads(card_path.read_text()).get("sha256")
    actual = model_sha256(model_path)
    if expected and expected != actual:
        raise ModelError(f"{model_path} does not match the checksum in {card_path.name}: the file was changed or "
                         "damaged. Retrain it or restore it.")


def save_model(model, path: Path) -> None:
    """Weights and architecture only: an uncompiled copy carries no optimizer state, so the file stays small."""
    clone = type(model).from_config(model.get_config())  # uncompiled: clone_model would carry the optimizer along
    clone.set_weights(model.get_weights())
    clone.save(path)


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
        path = Path(path) if path else DEFAULT_MODEL_PATH
        if not path.is_file():
            raise ModelError(f"No model file at {path}. Train one with `python -m digitocr.train --data MNIST_DIR`.")
        verify_checksum(path)
        try:
            net = OnnxNet.from_archive(path, threads)
            check_shapes(net.input_shape, net.output_shape)
            return cls(net, path)
        except UnsupportedLayers:
            return cls.from_keras(load_keras_model(path), path)
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
            raise ModelError(f"{path} is not a Keras model this reader can load ({error}).") from None

    def keras_model(self):
        """The Keras model itself, for training on from it; loaded on first use."""
        if self._keras_model is None:
            self._keras_model = load_keras_model(self.path)
        return self._keras_model

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        """(N, 28, 28) or (N, 28, 28, 1) inputs in one batched call; (N, 10) float32 probabilities."""
        batch = np.ascontiguousarray(inputs, np.float32).reshape(-1, FIELD_SIZE, FIELD_SIZE, 1)
        if len(batch) == 0:
            return np.zeros((0, NUM_CLASSES), np.float32)
        return np.asarray(self._forward(batch), np.float32)


def load_keras_model(path: Path):
    """Keras in safe mode, so no pickled code in the file runs."""
    import keras

    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as error:  # Keras raises many kinds for a bad file; all mean the same to a user
        raise ModelError(f"{path} is not a Keras model this reader can load ({error}).") from None
