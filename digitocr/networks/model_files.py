"""A model file and its card: the checksum a card records and loading checks, saving without optimizer state,
and loading through Keras in safe mode."""

import hashlib
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from ..errors import ModelError
from .onnx_net import OnnxNet, UnsupportedLayers

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def model_card_path(model_path: Path) -> Path:
    return Path(model_path).with_suffix(".json")


def save_card(path: Path, card: dict) -> None:
    """A model's card, or a fitted model kept as JSON, written as every command writes one: indented for people to
    read and diff, NumPy's numbers as plain numbers, anything else JSON lacks (a path) as its text."""
    Path(path).write_text(json.dumps(card, indent=2, default=_plain) + "\n")


def _plain(value: object) -> object:
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    return str(value)


def read_model_card(model_path: Path) -> dict:
    """The card beside a model, or nothing where it has none."""
    card_path = model_card_path(model_path)
    return json.loads(card_path.read_text()) if card_path.exists() else {}


def model_sha256(model_path: Path) -> str:
    """The checksum a model card records for its file, and that loading checks."""
    return hashlib.sha256(Path(model_path).read_bytes()).hexdigest()


def model_reference(model_path: Path) -> dict:
    """How a card names the model a run started from: its file name and checksum, and the command that made it where
    its own card says, so a chain of fine-tunes can be followed back from the last card."""
    reference = {"model": Path(model_path).name, "sha256": model_sha256(model_path)}
    made_by = read_model_card(Path(model_path)).get("command")
    return {**reference, "command": made_by} if made_by else reference


def verify_checksum(model_path: Path) -> None:
    """Refuse a model whose bytes differ from what its model card recorded (when it has a card)."""
    expected = read_model_card(model_path).get("sha256")
    if expected and expected != model_sha256(model_path):
        raise ModelError(f"{model_path} does not match the checksum in {model_card_path(model_path).name}: the file "
                         "was changed or damaged. Retrain it or restore it.")


def save_model(model, path: Path) -> None:
    """Weights and architecture only: an uncompiled copy carries no optimizer state, so the file stays small. The
    folder is made where missing: a run must not lose its training to an `--out` folder not made yet."""
    clone = type(model).from_config(model.get_config())  # uncompiled: clone_model would carry the optimizer along
    clone.set_weights(model.get_weights())
    path.parent.mkdir(parents=True, exist_ok=True)
    clone.save(path)


def load_keras_model(path: Path):
    """Keras in safe mode, so no pickled code in the file runs."""
    import keras

    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as error:  # Keras raises many kinds for a bad file; all mean the same to a user
        raise ModelError(f"{path} is not a Keras model this reader can load ({error}).") from None


def int8_ranges(model_path: Path) -> dict[str, tuple[float, float]] | None:
    """The activations' ranges the card records for running the network's convolutions on 8-bit integers
    (`train_lines.record_int8_ranges`); None where it records none, and the network runs in floats."""
    ranges = read_model_card(model_path).get("int8", {}).get("ranges")
    return {name: (low, high) for name, (low, high) in ranges.items()} if ranges else None


def load_network(path: Path, threads: int, what: str, train_command: str) -> OnnxNet:
    """A network that must run through ONNX Runtime (`what`, as 'line model'), checked against its card: a clear
    ModelError, naming the command that trains one, where the file is missing, changed or not such a network."""
    if not path.is_file():
        raise ModelError(f"No {what} at {path}. Train one with `{train_command}`.")
    verify_checksum(path)
    try:
        return OnnxNet.from_archive(path, threads, int8_ranges(path))
    except (UnsupportedLayers, OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        article = "an" if what[0] in "aeiou" else "a"
        raise ModelError(f"{path} is not {article} {what} this reader can load ({error}).") from None


def load_network_of_shape(path: Path, threads: int, what: str, train_command: str, takes: tuple[int, ...],
                          gives: tuple[int, ...]) -> OnnxNet:
    """`load_network`, for a network whose input (less the batch) must be `takes` and output `gives`: a clear
    ModelError where the file holds a network of other shapes."""
    net = load_network(path, threads, what, train_command)
    if net.input_shape[1:] != takes or net.output_shape[1:] != gives:
        raise ModelError(f"{path} takes {net.input_shape} and gives {net.output_shape}; expected {(None, *takes)} "
                         f"and {(None, *gives)}.")
    return net
