import json

import numpy as np
import pytest

from conftest import PROJECT, tampered_copy
from digitocr import ModelError
from digitocr.networks.model_files import load_keras_model
from digitocr.networks.orientation import DEFAULT_ORIENTATION_PATH, TURN_CLASSES, OrientationNet


def test_the_shipped_orientation_model_is_small_has_a_card_and_runs_without_tensorflow():
    assert DEFAULT_ORIENTATION_PATH.resolve() == PROJECT / "Orientation.keras"
    card = json.loads(DEFAULT_ORIENTATION_PATH.with_suffix(".json").read_text())
    assert card["file_bytes"] < 1_000_000 and card["multiply_adds"] < 2_000_000
    pieces = np.random.default_rng(3).random((5, 28, 28, 1), dtype=np.float32) ** 4
    answers = OrientationNet.load().predict(pieces)
    expected = np.asarray(load_keras_model(DEFAULT_ORIENTATION_PATH)(pieces, training=False))
    assert answers.shape == (5, TURN_CLASSES) and np.allclose(answers, expected, atol=1e-5)
    assert OrientationNet.load().predict(np.zeros((0, 28, 28), np.float32)).shape == (0, TURN_CLASSES)


def test_a_stroke_like_a_seven_is_told_upright_and_on_its_side():
    seven = np.zeros((28, 28), np.float32)
    seven[5:8, 7:21] = 1.0  # the bar
    for row in range(7, 24):  # the stem, leaning down to the left
        column = 20 - (row - 7) * 8 // 17
        seven[row, column - 1:column + 2] = 1.0
    net = OrientationNet.load()
    answers = net.predict(np.stack([np.rot90(seven, -turns) for turns in range(TURN_CLASSES)]))
    assert list(answers.argmax(axis=1)) == [0, 1, 2, 3]


def test_a_changed_or_missing_orientation_model_is_refused(tmp_path):
    with pytest.raises(ModelError, match="No orientation model"):
        OrientationNet.load(tmp_path / "none.keras")
    with pytest.raises(ModelError, match="checksum"):
        OrientationNet.load(tampered_copy(DEFAULT_ORIENTATION_PATH, tmp_path))
