"""Loading MNIST from a local folder of IDX files, a Keras `mnist.npz`, or Keras' download."""

import gzip
import hashlib
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import TrainingDataError

IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


@dataclass(frozen=True)
class MnistData:
    """MNIST as uint8 arrays (ink bright on dark, 28x28) with the checksums of the files read."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    source: str
    md5: dict[str, str]


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def read_idx(path: Path) -> np.ndarray:
    """Read one IDX file (optionally gzipped): a big-endian header, then unsigned bytes."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as stream:
        data = stream.read()
    zero, dtype_code, dimensions = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise TrainingDataError(f"{path} is not an IDX file of unsigned bytes")
    shape = struct.unpack(f">{dimensions}I", data[4:4 + 4 * dimensions])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dimensions).reshape(shape)


def _find_idx(folder: Path, stem: str) -> Path:
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx")):
        if (folder / name).exists():
            return folder / name
    raise TrainingDataError(f"{folder} has no {stem}[.gz]; give the folder of MNIST's four IDX files or an "
                            "mnist.npz")


def load_mnist(path: str | Path | None = None) -> MnistData:
    """MNIST from `path` (a folder of IDX files or an `mnist.npz`); Keras' download when no path is given."""
    if path is None:
        import keras

        (train_images, train_labels), (test_images, test_labels) = keras.datasets.mnist.load_data()
        return MnistData(train_images, train_labels, test_images, test_labels, "keras.datasets.mnist", {})
    path = Path(path)
    if path.is_file():
        try:
            with np.load(path) as archive:
                arrays = {key: archive[key] for key in ("x_train", "y_train", "x_test", "y_test")}
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError):
            raise TrainingDataError(f"{path} is not an mnist.npz (a NumPy archive of x_train, y_train, x_test and "
                                    "y_test); give an mnist.npz or the folder of MNIST's four IDX files") from None
        return MnistData(arrays["x_train"], arrays["y_train"], arrays["x_test"], arrays["y_test"],
                         str(path), {path.name: _md5(path)})
    files = {key: _find_idx(path, stem) for key, stem in IDX_FILES.items()}
    arrays = {key: read_idx(file) for key, file in files.items()}
    return MnistData(**arrays, source=str(path), md5={file.name: _md5(file) for file in files.values()})
