import gzip
import importlib
import struct

import numpy as np
import pytest

from conftest import SHARED, needs_shared
from digitocr.errors import TrainingDataError
from digitocr.training.mnist import load_mnist, read_idx


def write_idx(path, array, compress=False):
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(data) if compress else data)


def test_idx_folder_and_npz_load_alike(tmp_path):
    rng = np.random.default_rng(0)
    arrays = {"train-images-idx3-ubyte": rng.integers(0, 255, (5, 28, 28)), "train-labels-idx1-ubyte": np.arange(5),
              "t10k-images-idx3-ubyte": rng.integers(0, 255, (3, 28, 28)), "t10k-labels-idx1-ubyte": np.arange(3)}
    for index, (name, array) in enumerate(arrays.items()):
        write_idx(tmp_path / (name + (".gz" if index % 2 else "")), array, compress=bool(index % 2))
    from_idx = load_mnist(tmp_path)
    assert from_idx.train_images.shape == (5, 28, 28) and from_idx.test_labels.tolist() == [0, 1, 2]
    assert len(from_idx.md5) == 4
    npz = tmp_path / "mnist.npz"
    np.savez(npz, x_train=from_idx.train_images, y_train=from_idx.train_labels, x_test=from_idx.test_images,
             y_test=from_idx.test_labels)
    from_npz = load_mnist(npz)
    assert np.array_equal(from_npz.train_images, from_idx.train_images)


def test_a_file_that_is_not_idx_is_refused(tmp_path):
    bad = tmp_path / "bad"
    bad.write_bytes(b"\x01\x02\x03\x04rest")
    with pytest.raises(TrainingDataError, match="not an IDX"):
        read_idx(bad)


def test_a_folder_without_mnist_says_what_is_missing(tmp_path):
    with pytest.raises(TrainingDataError, match="train-images"):
        load_mnist(tmp_path)


def test_a_file_that_is_not_an_mnist_npz_says_what_the_option_takes(tmp_path):
    checksums = tmp_path / "MD5SUMS"
    checksums.write_text("f68b3c2dcbeaaa9fbdd348bbdeb94873  train-images-idx3-ubyte.gz\n")
    with pytest.raises(TrainingDataError, match="is not an mnist.npz"):
        load_mnist(checksums)


@pytest.mark.parametrize("command", ["train", "train_lines", "train_orientation", "calibrate", "fit_turns", "evaluate"])
def test_every_training_command_says_in_one_line_that_its_data_is_not_mnist(command, tmp_path, capsys):
    checksums = tmp_path / "MD5SUMS"
    checksums.write_text("f68b3c2dcbeaaa9fbdd348bbdeb94873  train-images-idx3-ubyte.gz\n")
    main = importlib.import_module(f"digitocr.training.{command}").main
    option = "--mnist" if command == "evaluate" else "--data"
    assert main([option, str(checksums), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == f"error: {checksums} is not an mnist.npz (a NumPy archive of x_train, y_train, " \
        "x_test and y_test); give an mnist.npz or the folder of MNIST's four IDX files\n"


@needs_shared
def test_shared_mnist_matches_its_published_checksums():
    data = load_mnist(SHARED / "data/mnist")
    published = dict(line.split()[::-1] for line in (SHARED / "data/mnist/MD5SUMS").read_text().splitlines() if line)
    assert sorted(data.md5) == sorted(published)
    for name, digest in data.md5.items():
        assert published[name] == digest
    assert data.train_images.shape == (60000, 28, 28) and data.test_images.shape == (10000, 28, 28)
