import hashlib
import io
import json
import zipfile

import h5py
import numpy as np

from conftest import needs_shared, SHARED
from digitocr.training import train
from digitocr.networks.classifier import DEFAULT_MODEL_PATH, DigitClassifier


def test_the_model_takes_mnist_shaped_input_and_gives_ten_probabilities():
    model = train.build_model()
    assert model.input_shape == (None, 28, 28, 1)
    assert model.output_shape == (None, 10)
    assert model.count_params() < 1_000_000


def test_training_samples_have_soft_targets_for_non_digits():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, (20, 28, 28)).astype(np.uint8)
    images[:, 8:20, 12:16] = 255
    labels = np.arange(20) % 10
    masks = [train.mnist_mask(image) for image in images]
    pools = train.DigitPools(images, labels, masks, [])
    inputs, targets = train.epoch_samples(pools, rng, train.augment.AugmentSettings(), (10, 10, 0, 5))
    assert inputs.shape == (25, 28, 28, 1) and targets.shape == (25, 10)
    assert np.allclose(targets.sum(axis=1), 1.0)
    assert (targets.max(axis=1) == 0.1).sum() == 5


@needs_shared
def test_the_training_command_goes_on_from_a_model_into_a_loadable_model_and_card(tmp_path):
    out = tmp_path / "tiny.keras"
    assert train.main(["--data", str(SHARED / "data/mnist"), "--pendigits",
                       str(SHARED / "data/pendigits/pendigits-orig.tra"), "--limit", "64", "--epochs", "1",
                       "--base", str(DEFAULT_MODEL_PATH), "--learning-rate", "1e-4", "--out", str(out)]) == 0
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["epochs_run"] == 1 and card["seed"] == train.SEED
    shipped = hashlib.sha256(DEFAULT_MODEL_PATH.read_bytes()).hexdigest()
    assert card["training"]["started_from"] == {"model": "DigitClassifier.keras", "sha256": shipped}
    assert card["training"]["learning_rate"] == 1e-4
    assert set(card["data"]["mnist"]["md5"]) == {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}
    assert 0.0 <= card["accuracy"]["mnist_test"] <= 1.0
    assert DigitClassifier.load(out).predict(np.zeros((1, 28, 28))).shape == (1, 10)
    with zipfile.ZipFile(out) as archive, h5py.File(io.BytesIO(archive.read("model.weights.h5"))) as weights:
        assert "optimizer" not in weights, "the saved model carries optimizer state"
