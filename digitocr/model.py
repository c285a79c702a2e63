"""The CNN wrapper: load `DigitClassifier.keras` once, safely, and classify batches of 28x28 digits; save one."""

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from .errors import ModelError
from .normalize import FIELD_SIZE

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

DEFAULT_MODEL_PATH = Path(__file__).resolve().parent.parent / "DigitClassifier.keras"
NUM_CLASSES = 10


def model_card_path(model_path: Path) -> Path:
    return Path(model_path).with_suffix(".json")


def verify_checksum(model_path: Path) -> None:
    """Refuse a model whose bytes differ from what its model card recorded (when it has a card)."""
    card_path = model_card_path(model_path)
    if not card_path.exists():
        return
    expected = json.loads(card_path.read_text()).get("sha256")
    actual = hashlib.sha256(Path(model_path).read_bytes()).hexdigest()
    if expected and expected != actual:
        raise ModelError(f"{model_path} does not match the checksum in {card_path.name}: the file was changed or "
                         "damaged. Retrain it or restore it.")


def save_model(model, path: Path) -> None:
    """Weights and architecture only: an uncompiled copy carries no optimizer state, so the file stays small."""
    import keras

    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    clone.save(path)


class DigitClassifier:
    """A Keras model taking (N, 28, 28, 1) float32 in [0, 1], ink bright, giving (N, 10) probabilities."""

    def __init__(self, model, path: Path | None = None):
        shape_in, shape_out = tuple(model.input_shape), tuple(model.output_shape)
        if shape_in[1:] != (FIELD_SIZE, FIELD_SIZE, 1) or shape_out[1:] != (NUM_CLASSES,):
            raise ModelError(f"The model takes {shape_in} and gives {shape_out}; expected (None, 28, 28, 1) "
                             "and (None, 10).")
        import tensorflow as tf

        self.model = model
        self.path = path
        self._forward = tf.function(lambda x: model(x, training=False), reduce_retracing=True,
                                    input_signature=[tf.TensorSpec((None, FIELD_SIZE, FIELD_SIZE, 1), tf.float32)])

    @classmethod
    def load(cls, path: str | Path | None = None) -> "DigitClassifier":
        """Load in Keras safe mode (no pickled code runs) after checking the file against its model card."""
        path = Path(path) if path else DEFAULT_MODEL_PATH
        if not path.is_file():
            raise ModelError(f"No model file at {path}. Train one with `python -m digitocr.train --data MNIST_DIR`.")
        verify_checksum(path)
        import keras

        try:
            model = keras.saving.load_model(path, compile=False, safe_mode=True)
        except Exception as error:  # Keras raises many kinds for a bad file; all mean the same to a user
            raise ModelError(f"{path} is not a Keras model this reader can load ({error}).") from None
        return cls(model, path)

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        """(N, 28, 28) or (N, 28, 28, 1) inputs in one batched call; (N, 10) float32 probabilities."""
        batch = np.asarray(inputs, np.float32).reshape(-1, FIELD_SIZE, FIELD_SIZE, 1)
        if len(batch) == 0:
            return np.zeros((0, NUM_CLASSES), np.float32)
        return np.asarray(self._forward(batch), np.float32)
