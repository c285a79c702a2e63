import hashlib
import io
import json
import time
import zipfile
from dataclasses import astuple
from pathlib import Path

import h5py
import keras
import numpy as np
import pytest

from conftest import needs_shared, SHARED, written
from digitocr.errors import ModelError
from digitocr.networks.classifier import DEFAULT_MODEL_PATH, DigitClassifier
from digitocr.networks.model_files import save_model
from digitocr.settings import ReaderSettings
from digitocr.training import architectures, digit_data, distillation, epoch_drawing, hands, reader_cuts, train

MOST_MULTIPLY_ADDS = 5_000_000  # a digit's arithmetic in the shipped network


def test_each_architecture_takes_mnist_shaped_input_and_gives_ten_probabilities(tmp_path):
    for name in architectures.ARCHITECTURES:
        model = architectures.build_model(name)
        assert model.input_shape == (None, 28, 28, 1) and model.output_shape == (None, 10)
    for name in ("separable", "separable_4x4"):  # the designs a shipped classifier may have
        out = tmp_path / "runs" / f"{name}.keras"  # a folder not made yet
        save_model(architectures.build_model(name), out)
        assert DigitClassifier.load(out).multiply_adds <= MOST_MULTIPLY_ADDS
        assert out.stat().st_size < 2_000_000


def synthetic_pools() -> digit_data.DigitPools:
    """Twenty noisy MNIST-shaped images with a bar in each, one hand of four bars and four pieces 'cut'."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, (20, 28, 28)).astype(np.uint8)
    images[:, 8:20, 12:16] = 255
    labels = np.arange(20) % 10
    masks = [digit_data.mnist_mask(image) for image in images]
    hand = hands.Hand("bars", [np.pad(np.ones((30, 6), np.uint8), 10)] * 4, np.array([1, 1, 1, 1]),
                      np.array([False, False, False, True]))
    cuts = digit_data.ReaderCuts(np.full((4, 28, 28), 255, np.uint8),
                                  np.array([7, 7, 7, digit_data.NOT_A_DIGIT]), 2, 1)
    return digit_data.DigitPools(images, labels, masks, [], (hand,), cuts)


def test_training_samples_have_uniform_targets_for_non_digits_and_draw_on_every_hand():
    counts = digit_data.EpochCounts(10, 10, 0, 6, 5, 4)
    inputs, targets = digit_data.epoch_samples(synthetic_pools(), np.random.default_rng(0),
                                               train.augment.AugmentSettings(), counts)
    assert inputs.shape == (35, 28, 28, 1) and targets.shape == (35, 10)
    assert np.allclose(targets.sum(axis=1), 1.0)
    assert (targets.max(axis=1) == 0.1).sum() == 6  # the five made-up non-digits and the piece of clutter cut
    assert targets[:, 1].sum() >= 6  # the hand's six samples are all '1's
    cut = inputs.reshape(35, -1).min(axis=1) == 1.0  # the cut pieces, as they were cut
    assert cut.sum() == 4 and np.allclose(np.sort(targets[cut, 7]), [0.1, 1, 1, 1])  # three '7's, one not a digit


def test_the_pieces_the_reader_cuts_are_labelled_by_their_place_and_a_miscount_labels_none(reader):
    page = written("47", gap=40)
    pieces, labels = reader_cuts.aligned_pieces(page, "47", reader.classifier, ReaderSettings())
    assert labels == [4, 7] and pieces.shape == (2, 28, 28)
    assert reader.classifier.predict(pieces).argmax(axis=1).tolist() == [4, 7]
    assert reader_cuts.aligned_pieces(page, "471", reader.classifier, ReaderSettings()) is None


def test_distilled_targets_mix_the_teachers_right_answers_into_digits_but_keep_non_digits_uniform():
    targets = np.vstack([np.eye(10, dtype=np.float32)[3], np.eye(10, dtype=np.float32)[9],
                         np.full(10, 0.1, np.float32)])
    teacher = np.vstack([[0, 0, 0, 0.6, 0, 0.4, 0, 0, 0, 0], np.eye(10)[8], np.eye(10)[7]]).astype(np.float32)
    mixed = distillation.distilled_targets(targets, teacher, 0.25)
    assert np.isclose(mixed[0, 3], 0.9) and np.isclose(mixed[0, 5], 0.1)
    assert np.array_equal(mixed[1], targets[1]) and np.allclose(mixed[2], 0.1)


def test_a_run_learns_from_the_hands_it_names_and_validates_on_every_hand():
    from digitocr.training.mnist import MnistData

    images = np.zeros((digit_data.VALIDATION_SIZE + 4, 28, 28), np.uint8)
    mnist = MnistData(images, np.zeros(len(images), np.int64), images[:2], np.zeros(2, np.int64), "made up", {})
    bar = np.pad(np.ones((30, 6), np.uint8), 10)
    made_up = [hands.Hand(name, [bar] * 4, np.ones(4, np.int64), np.array([False, False, True, True]))
               for name in ("swiss16", "hwd1000")]
    for learned, learned_from in ((None, ["swiss16", "hwd1000"]), (("hwd1000",), ["hwd1000"]), ((), [])):
        sources = train.Sources(mnist, hands=made_up, learned_hands=learned)
        assert [hand.name for hand in train.training_pools(sources, None).hands] == learned_from
        assert {"swiss16_held_out", "hwd1000_held_out"} <= set(train.validation_sets(sources, None))


def test_the_training_command_refuses_a_hand_it_does_not_have(capsys):
    with pytest.raises(SystemExit):
        train.main(["--learn-hands", "swiss16,postal"])
    assert "postal" in capsys.readouterr().err


@pytest.mark.parametrize("option, given, why", [
    ("--data", "no_such_folder", "no_such_folder is not there"),
    ("--pendigits", ".", ". is a folder; it takes a file"),
    ("--extra", "no_such_folder", "no_such_folder is not there; it takes a folder"),
    ("--epochs", "0", "0 is less than 1"),
    ("--learning-rate", "0", "0 is not a number above 0"),
])
def test_the_training_command_checks_its_data_and_numbers_before_it_starts(option, given, why, capsys):
    with pytest.raises(SystemExit):
        train.main([option, given])
    assert f"argument {option}: {why}" in capsys.readouterr().err


def test_an_extra_hands_folder_without_them_is_a_clear_error_not_a_traceback(tmp_path, capsys):
    assert train.main(["--data", str(written_mnist(tmp_path)), "--extra", str(tmp_path), "--limit", "5"]) == 2
    assert f"{tmp_path} has no swiss16.npz or hwd1000.tar.xz" in capsys.readouterr().err


def written_mnist(folder: Path) -> Path:
    """A tiny mnist.npz: enough for the command to get past loading MNIST."""
    path = folder / "mnist.npz"
    images, labels = np.zeros((3, 28, 28), np.uint8), np.arange(3, dtype=np.uint8)
    np.savez(path, x_train=images, y_train=labels, x_test=images, y_test=labels)
    return path


def test_the_held_out_share_is_fixed_whatever_else_changes():
    first, again = hands.held_out_flags(1000), hands.held_out_flags(1000)
    assert first.sum() == 100 and np.array_equal(first, again)


@needs_shared
def test_the_extra_hands_are_read_through_the_readers_pipeline_with_their_labels():
    images, labels = hands.hwd1000_images(SHARED / "data/extra")
    assert images.shape == (1000, 28, 28) and np.bincount(labels).tolist() == [100] * 10
    swiss, swiss_labels = hands.swiss16_images(SHARED / "data/extra")
    assert swiss.shape == (15200, 16, 16, 3) and set(swiss_labels.tolist()) == set(range(10))
    read = hands.load_hands(SHARED / "data/extra", workers=1, limit=40)
    assert [hand.name for hand in read] == ["swiss16", "hwd1000"]
    assert all(len(hand.masks) == len(hand.labels) >= 38 and hand.masks[0].shape[0] >= 96 for hand in read)


def test_a_teacher_answers_the_same_through_onnx_runtime_and_through_keras():
    rng = np.random.default_rng(3)
    inputs = np.zeros((64, 28, 28, 1), np.float32)
    inputs[:, 6:22, 12:16] = 1.0  # bars, most of them a '1'
    inputs[32:] = rng.random((32, 28, 28, 1), np.float32)  # noise
    through_onnx = distillation.Teacher.load([DEFAULT_MODEL_PATH], "onnx").answers(inputs)
    through_keras = distillation.Teacher.load([DEFAULT_MODEL_PATH], "keras").answers(inputs)
    assert through_keras.shape == (64, 10) and np.allclose(through_onnx, through_keras, atol=1e-4)
    assert (through_onnx[:32].argmax(axis=1) == 1).all()
    with pytest.raises(ValueError, match="onnx, keras"):
        distillation.Teacher.load([DEFAULT_MODEL_PATH], "tpu")


def test_a_teacher_that_was_never_trained_is_refused_before_it_teaches():
    labels = np.arange(100) % 10
    inputs = np.zeros((100, 28, 28, 1), np.float32)
    inputs[:, 0, 0, 0] = labels
    knows = DigitClassifier(lambda batch: np.eye(10, dtype=np.float32)[batch[:, 0, 0, 0].astype(int)],
                            Path("wide_71.keras"))
    smoke = DigitClassifier(lambda batch: np.full((len(batch), 10), 0.1, np.float32), Path("smoke.keras"))
    distillation.Teacher((knows,)).require_trained(inputs, labels)
    with pytest.raises(ModelError, match=r"never trained: smoke.keras \(10.0%\)"):
        distillation.Teacher((knows, smoke)).require_trained(inputs, labels)


def test_epochs_drawn_in_worker_processes_are_whole_and_the_same_for_the_same_seed():
    counts = digit_data.EpochCounts(10, 10, 0, 6, 5, 4)
    assert [sum(column) for column in zip(*map(astuple, epoch_drawing.split_counts(counts, 3)))] == list(
        astuple(counts))
    pools = synthetic_pools()
    drawn = []
    for _ in range(2):
        with epoch_drawing.EpochDrawer(pools, counts, seed=5, processes=2) as drawer:
            drawn.append([drawer.next_epoch(another_follows=True), drawer.next_epoch(another_follows=False)])
    (first, second), (again, _) = drawn
    assert first[0].shape == (35, 28, 28, 1) and np.allclose(first[1].sum(axis=1), 1.0)
    assert (first[1].max(axis=1) == 0.1).sum() == 6  # the five made-up non-digits and the clutter cut, taken once
    assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])
    assert not np.array_equal(first[0], second[0])  # each epoch is drawn afresh


@needs_shared
def test_the_training_command_learns_from_a_teacher_into_a_loadable_model_and_card(tmp_path):
    out = tmp_path / "tiny.keras"
    assert train.main(["--data", str(SHARED / "data/mnist"), "--pendigits",
                       str(SHARED / "data/pendigits/pendigits-orig.tra"), "--extra", str(SHARED / "data/extra"),
                       "--limit", "64", "--epochs", "1", "--workers", "1", "--draw-processes", "2",
                       "--teacher", str(DEFAULT_MODEL_PATH), "--teacher-runtime", "keras",
                       "--learning-rate", "1e-4", "--out", str(out)]) == 0
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["epochs_run"] == 1 and card["seed"] == train.SEED and card["architecture"] == "separable"
    shipped = hashlib.sha256(DEFAULT_MODEL_PATH.read_bytes()).hexdigest()
    assert card["teacher"][0]["sha256"] == shipped and card["teacher"][0]["command"].startswith("python -m digitocr")
    assert card["training"]["started_from"] == "random weights" and card["training"]["learning_rate"] == 1e-4
    assert card["training"]["keras_backend"] == keras.backend.backend() and card["training"]["draw_processes"] == 2
    assert card["training"]["teacher_runtime"] == "keras"
    assert set(card["data"]["mnist"]["md5"]) == {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}
    assert set(card["data"]["hands"]["sets"]) == {"swiss16", "hwd1000"}
    assert {"mnist_test", "swiss16_held_out", "hwd1000_held_out", "non_digits_rejected"} <= set(card["accuracy"])
    assert 0 < card["multiply_adds"] <= MOST_MULTIPLY_ADDS
    assert DigitClassifier.load(out).predict(np.zeros((1, 28, 28))).shape == (1, 10)
    with zipfile.ZipFile(out) as archive, h5py.File(io.BytesIO(archive.read("model.weights.h5"))) as weights:
        assert "optimizer" not in weights, "the saved model carries optimizer state"


@needs_shared
def test_canvas_drawings_to_learn_from_are_what_the_app_exports_and_are_cut_into_their_digits(reader):
    from digitocr.image.loading import load_image
    from digitocr.training.pendigits import parse_pendigits

    pens = [digit for digit in parse_pendigits(SHARED / "data/pendigits/pendigits-orig.tra") if digit.writer == 1]
    rng = np.random.default_rng(4)
    for _ in range(4):
        canvas, text = reader_cuts.canvas_drawing(pens, rng)
        assert (canvas.shape[1], canvas.shape[0]) == reader_cuts.CANVAS[len(text) == 1] and canvas.shape[2] == 4
        assert load_image(canvas).drawn and 1 <= len(text) <= reader_cuts.MOST_CANVAS_DIGITS
        pieces, labels = reader_cuts.aligned_pieces(canvas, text, reader.classifier, ReaderSettings())
        assert "".join(map(str, labels)) == text and len(pieces) == len(text)


@needs_shared
def test_the_training_command_goes_on_from_a_models_own_weights(tmp_path):
    out = tmp_path / "carried_on.keras"
    assert train.main(["--data", str(SHARED / "data/mnist"), "--limit", "32", "--epochs", "1", "--reader-cuts", "1",
                       "--base", str(DEFAULT_MODEL_PATH), "--out", str(out)]) == 0
    card = json.loads(out.with_suffix(".json").read_text())
    cut = card["data"]["reader_cuts"]
    assert cut["scenes"] == len(reader_cuts.ONE_LINE_KINDS) and 0 < cut["scenes_aligned"] <= cut["pieces"]
    shipped = hashlib.sha256(DEFAULT_MODEL_PATH.read_bytes()).hexdigest()
    made_by = json.loads(DEFAULT_MODEL_PATH.with_suffix(".json").read_text())["command"]
    assert card["training"]["started_from"] == {"model": "DigitClassifier.keras", "sha256": shipped, "command": made_by}


class SlowDrawer:
    """An epoch of eight blank samples that takes a fifth of a second to draw."""

    def next_epoch(self, another_follows: bool):
        time.sleep(0.2)
        return np.zeros((8, 28, 28, 1), np.float32), digit_data.one_hot(np.arange(8) % 10)


def test_a_time_budget_anneals_the_learning_rate_over_the_minutes_and_ends_within_them():
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10, "softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy")
    run = train.TrainingRun(out=None, max_epochs=1000, learning_rate=1e-3, minutes=0.1)
    validation = {"blank": (np.zeros((4, 28, 28, 1), np.float32), np.zeros(4, np.int64))}
    # traced before the clock starts, so the first epoch costs what the rest do, even on a machine busy with more
    model.fit(*SlowDrawer().next_epoch(another_follows=True), verbose=0)
    train.accuracy(model, *validation["blank"])
    started = time.perf_counter()
    history, best = train.fit(model, run, SlowDrawer(), validation, None)
    assert 3 <= len(history) < 1000 and time.perf_counter() - started < 7.5
    rates = [epoch["learning_rate"] for epoch in history]
    assert rates[0] == pytest.approx(1e-3) and all(later < earlier for earlier, later in zip(rates, rates[1:]))
    assert rates[-1] < 0.5e-3  # the last epochs came in the schedule's second half
    assert train.cosine_at(1e-3, 1.0) == 0.0 and train.cosine_rate(1e-3, 3, 4) == train.cosine_at(1e-3, 0.5)


def test_passes_learn_each_drawn_epoch_that_many_times_before_the_next_is_drawn(capsys):
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10, "softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy")
    validation = {"blank": (np.zeros((4, 28, 28, 1), np.float32), np.zeros(4, np.int64))}
    history, _ = train.fit(model, train.TrainingRun(out=None, max_epochs=2, passes=3), SlowDrawer(), validation, None)
    assert len(history) == 2 and int(model.optimizer.iterations) == 2 * 3  # one batch of eight, three times an epoch
    with pytest.raises(SystemExit):
        train.main(["--passes", "0"])
    assert "argument --passes: 0 is less than 1" in capsys.readouterr().err
