import json

import numpy as np
import pytest

from conftest import PROJECT, SHARED, needs_shared, tampered_copy
from digitocr import ModelError
from digitocr.networks.classifier import DEFAULT_MODEL_PATH, MOST_PIECES, DigitClassifier
from digitocr.networks.model_files import model_card_path, read_model_card, save_card


def test_the_shipped_model_is_small_and_has_a_card():
    assert DEFAULT_MODEL_PATH.resolve() == PROJECT / "DigitClassifier.keras"  # the package links to the project's file
    assert DEFAULT_MODEL_PATH.stat().st_size < 5_000_000
    card = json.loads(model_card_path(DEFAULT_MODEL_PATH).read_text())
    assert card["accuracy"]["mnist_test"] >= 0.994
    assert {"epochs_run", "seed", "training_seconds", "data"} <= set(card)


def test_a_card_keeps_numpy_figures_as_numbers_and_paths_as_text(tmp_path):
    model = tmp_path / "Mine.keras"
    save_card(model_card_path(model), {"accuracy": np.float32(0.5), "count": np.int64(7), "data": tmp_path,
                                       "ranges": np.array([0.25, 1.0], np.float32)})
    assert read_model_card(model) == {"accuracy": 0.5, "count": 7, "data": str(tmp_path), "ranges": [0.25, 1.0]}


def test_classifier_gives_probabilities_in_one_batch(reader):
    probabilities = reader.classifier.predict(np.zeros((5, 28, 28), np.float32))
    assert probabilities.shape == (5, 10)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-4)
    assert reader.classifier.predict(np.zeros((0, 28, 28))).shape == (0, 10)


def test_more_pieces_than_one_call_takes_are_each_answered_as_alone_in_order():
    """A page of specks holds thousands of pieces: they are answered in calls of bounded size, so memory stays
    bounded, and no piece's answer depends on where the calls were cut."""
    calls = []

    def forward(batch: np.ndarray) -> np.ndarray:
        calls.append(len(batch))
        return np.eye(10, dtype=np.float32)[batch[:, 0, 0, 0].astype(int) % 10]

    pieces = np.arange(2 * MOST_PIECES + 7, dtype=np.float32)[:, None, None] * np.ones((1, 28, 28), np.float32)
    answers = DigitClassifier(forward, None).predict(pieces)
    assert calls == [MOST_PIECES, MOST_PIECES, 7] and (answers.argmax(axis=1) == np.arange(len(pieces)) % 10).all()


def test_identical_pieces_reach_the_network_once_and_each_gets_its_answer():
    """A blob offered whole by several ways of cutting, or specks of one shape, give identical pieces: the network
    sees each once, and every piece still gets its answer in its place."""
    seen = []

    def forward(batch: np.ndarray) -> np.ndarray:
        seen.extend(batch[:, 0, 0, 0].tolist())
        return np.eye(10, dtype=np.float32)[batch[:, 0, 0, 0].astype(int) % 10]

    values = np.array([3, 7, 3, 3, 1, 7], np.float32)
    answers = DigitClassifier(forward, None).predict(values[:, None, None] * np.ones((1, 28, 28), np.float32))
    assert seen == [3, 7, 1] and answers.argmax(axis=1).tolist() == [3, 7, 3, 3, 1, 7]


def test_a_changed_model_file_is_refused(tmp_path):
    with pytest.raises(ModelError, match="checksum"):
        DigitClassifier.load(tampered_copy(DEFAULT_MODEL_PATH, tmp_path))


def test_a_missing_or_broken_model_is_refused_clearly(tmp_path):
    with pytest.raises(ModelError, match="No model file"):
        DigitClassifier.load(tmp_path / "none.keras")
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="not a Keras model"):
        DigitClassifier.load(broken)


def test_the_shipped_model_runs_without_tensorflow_and_agrees_with_keras(reader):
    from digitocr.networks.model_files import load_keras_model

    inputs = np.random.default_rng(0).random((40, 28, 28), dtype=np.float32) ** 4
    inputs[:10] = 0.0
    keras_classifier = DigitClassifier.from_keras(load_keras_model(DEFAULT_MODEL_PATH))
    assert np.allclose(reader.classifier.predict(inputs), keras_classifier.predict(inputs), atol=1e-5)
    assert reader.classifier.predict(inputs).shape == (40, 10)


def test_a_model_of_other_layers_runs_through_keras(tmp_path):
    import keras

    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10, "softmax")])
    path = tmp_path / "flat.keras"
    model.save(path)
    inputs = np.random.default_rng(1).random((3, 28, 28, 1), dtype=np.float32)
    loaded = DigitClassifier.load(path)
    assert np.allclose(loaded.predict(inputs), model.predict(inputs, verbose=0), atol=1e-5)
    assert loaded.keras_model() is not None


def test_a_model_of_the_wrong_shape_is_refused():
    import keras

    wrong = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    with pytest.raises(ModelError, match="28, 28, 1"):
        DigitClassifier.from_keras(wrong)


@needs_shared
def test_shipped_model_reads_raw_mnist_without_the_package(reader):
    import keras

    from digitocr.training.mnist import load_mnist

    data = load_mnist(SHARED / "data/mnist")
    model = keras.saving.load_model(DEFAULT_MODEL_PATH, safe_mode=True)
    predictions = model.predict(data.test_images[:2000, ..., None].astype("float32") / 255.0, verbose=0)
    assert (predictions.argmax(axis=1) == data.test_labels[:2000]).mean() >= 0.99


def share_read_right(reader, label: int, styled) -> float:
    """The share of MNIST's validation digits `label` (never trained on), drawn in a hand's style by `styled` (a
    cropped mask in, a mask out), that the shipped classifier reads as `label`."""
    from digitocr.image.normalize import to_model_input
    from digitocr.training.digit_data import VALIDATION_SIZE, cropped, mnist_mask
    from digitocr.training.mnist import load_mnist

    data = load_mnist(SHARED / "data/mnist")
    digits = data.train_images[-VALIDATION_SIZE:][data.train_labels[-VALIDATION_SIZE:] == label]
    inputs = np.stack([to_model_input(styled(cropped(mnist_mask(digit)))) for digit in digits])
    return float((reader.classifier.predict(inputs).argmax(axis=1) == label).mean())


@needs_shared
def test_shipped_model_reads_twos_looped_at_the_base_and_curled_where_they_begin(reader):
    from digitocr.training import augment
    from digitocr.training.digit_data import cropped

    rng = np.random.default_rng(11)
    assert share_read_right(reader, 2, lambda two: augment.curled_start(cropped(augment.looped_two(two, rng)),
                                                                        rng)) >= 0.97


@needs_shared
def test_shipped_model_reads_nines_whose_stem_falls_from_the_loops_left(reader):
    from digitocr.training import augment

    assert share_read_right(reader, 9, augment.stem_left_nine) >= 0.9


@needs_shared
def test_shipped_model_reads_held_out_writers_twos_in_school_cursive(reader):
    """Writers 21-30 of pendigits (never trained on), their 2s looped and curled in the pen's own path and narrowed:
    the model before this style was taught read 93.8% of them."""
    from digitocr.image.normalize import to_model_input
    from digitocr.training import pen_styles
    from digitocr.training.digit_data import HELD_OUT_WRITERS, pen_input
    from digitocr.training.pendigits import parse_pendigits

    rng = np.random.default_rng(1)
    twos = [digit for digit in parse_pendigits(SHARED / "data/pendigits/pendigits-orig.tra")
            if digit.label == 2 and digit.writer in HELD_OUT_WRITERS]
    inputs = np.stack([to_model_input(pen_input(pen_styles.cursive_two(two, rng, 0.5), rng)) for two in twos])
    assert (reader.classifier.predict(inputs).argmax(axis=1) == 2).mean() >= 0.95
