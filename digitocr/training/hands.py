"""More hands than MNIST's and pendigits': scanned pen digits in European hands and digits drawn on a screen.

Both come as small images of one digit, so each is read exactly as the
reader reads a scan of one digit (`single_digit_mask`: enlarged, thresholded,
cleaned), and the classifier learns from the ink the reader would give it.
Neither set names its writers, so a fixed, seeded share of each is held out
for validation.

- `swiss16.npz`: 15,200 digits written with pens on paper in continental
  European hands (flagged 1s, crossed 7s), 16x16 RGB; from the public-domain
  `numbers` collection.
- `hwd1000.tar.xz`: HwD-1000, 1,000 digits drawn on a screen, 28x28 PNG (MIT).
"""

import csv
import io
import multiprocessing
import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..errors import TrainingDataError
from ..image.loading import load_image
from ..image.pipeline import single_digit_mask
from ..settings import ReaderSettings

SWISS16 = "swiss16.npz"
HWD1000 = "hwd1000.tar.xz"
HELD_OUT_SHARE = 0.1  # of each set, kept for validation
SPLIT_SEED = 2024  # fixes which digits are held out, whatever the training seed


@dataclass(frozen=True)
class Hand:
    """One set of digits as binary masks at the reader's working size, split into training and held-out digits."""

    name: str
    masks: list[np.ndarray]
    labels: np.ndarray
    held_out: np.ndarray  # bool per digit

    def part(self, held_out: bool) -> tuple[list[np.ndarray], np.ndarray]:
        chosen = np.flatnonzero(self.held_out == held_out)
        return [self.masks[i] for i in chosen], self.labels[chosen]


def training_parts(hands: tuple[Hand, ...] | list[Hand]) -> tuple[list[np.ndarray], np.ndarray]:
    """Every hand's training digits together: their masks and labels, as a `DigitPool` takes them."""
    parts = [hand.part(held_out=False) for hand in hands]
    labels = np.concatenate([part_labels for _, part_labels in parts]) if parts else np.zeros(0)
    return [mask for masks, _ in parts for mask in masks], labels


def held_out_flags(count: int, share: float = HELD_OUT_SHARE, seed: int = SPLIT_SEED) -> np.ndarray:
    """A fixed, seeded choice of `share` of `count` digits."""
    flags = np.zeros(count, bool)
    flags[np.random.default_rng(seed).permutation(count)[:int(round(share * count))]] = True
    return flags


def swiss16_images(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    with np.load(Path(folder) / SWISS16) as archive:
        return archive["X"], archive["y"].astype(np.int64)


def hwd1000_images(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """HwD-1000's images in its list's order, as (N, 28, 28) grayscale, and their labels. The archive is read in one
    pass: an xz stream cannot seek, and reading its members in the list's order unpacks it again for each."""
    with tarfile.open(Path(folder) / HWD1000, "r|xz") as archive:
        files = {member.name: archive.extractfile(member).read() for member in archive if member.isfile()}
    listing = next(name for name in files if name.endswith("dataset.csv"))
    root = listing[:-len("dataset.csv")]
    rows = list(csv.DictReader(io.StringIO(files[listing].decode("utf-8"))))
    images = [np.asarray(Image.open(io.BytesIO(files[root + row["image"]])).convert("L")) for row in rows]
    return np.stack(images), np.array([int(row["label"]) for row in rows])


IMAGES_OF = {"swiss16": swiss16_images, "hwd1000": hwd1000_images}  # each hand's name and how its images are read
HAND_NAMES = tuple(IMAGES_OF)


def _mask_of(image: np.ndarray) -> np.ndarray:
    mask = single_digit_mask(load_image(image).pixels, ReaderSettings())
    return mask if mask is not None else np.zeros((1, 1), np.uint8)


def reader_masks(images: np.ndarray, workers: int) -> list[np.ndarray]:
    """Each image's ink as the reader finds it (a blank image gives an empty mask)."""
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.map(_mask_of, list(images), chunksize=64)


def load_hands(folder: Path, workers: int, limit: int | None = None) -> list[Hand]:
    """Both sets, read through the reader's pipeline; `limit` keeps the first digits of each (a smoke run)."""
    missing = [name for name in (SWISS16, HWD1000) if not (Path(folder) / name).is_file()]
    if missing:
        raise TrainingDataError(f"{folder} has no {' or '.join(missing)}: --extra takes the folder of the extra "
                                "hands (shared/data/extra)")
    hands = []
    for name, loader in IMAGES_OF.items():
        images, labels = loader(folder)
        held_out = held_out_flags(len(images))
        if limit:
            images, labels, held_out = images[:limit], labels[:limit], held_out[:limit]
        masks = reader_masks(images, workers)
        kept = [index for index, mask in enumerate(masks) if mask.any()]
        hands.append(Hand(name, [masks[i] for i in kept], labels[kept], held_out[kept]))
    return hands
