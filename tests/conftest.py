"""Shared fixtures. Tests that need ../shared (MNIST, pendigits, the extra hands, the dev images) skip where any of
it is absent."""

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared"
SAMPLES = PROJECT / "sample_images"

SHARED_FILES = ("data/mnist/MD5SUMS", "data/mnist/train-images-idx3-ubyte.gz", "data/mnist/train-labels-idx1-ubyte.gz",
                "data/mnist/t10k-images-idx3-ubyte.gz", "data/mnist/t10k-labels-idx1-ubyte.gz",
                "data/pendigits/pendigits-orig.tra", "data/extra/hwd1000.tar.xz", "data/extra/swiss16.npz",
                "data/dev/labels.csv", "tools/score.py")  # what the tests that need ../shared read from it
needs_shared = pytest.mark.skipif(not all((SHARED / name).is_file() for name in SHARED_FILES),
                                  reason="../shared (MNIST, pendigits, the extra hands, the dev set) is not all here")


@pytest.fixture(scope="session")
def reader():
    from digitocr import Reader

    return Reader()


def tampered_copy(model_path: Path, folder: Path) -> Path:
    """A copy of a shipped model and its card in `folder`, with bytes added to the model after the card was made."""
    copy = folder / model_path.name
    shutil.copy(model_path, copy)
    shutil.copy(model_path.with_suffix(".json"), copy.with_suffix(".json"))
    with copy.open("ab") as stream:
        stream.write(b"tampered")
    return copy


def expected_text(sample: Path) -> str:
    """A sample's number is its file name's first part; '-' marks a line break."""
    return sample.name.split("_")[0].replace("-", "\n")


def blank_page(height: int = 200, width: int = 400, tone: int = 235) -> np.ndarray:
    return np.full((height, width), tone, np.uint8)


def written(text: str, gap: int) -> np.ndarray:
    """`text` in a pen-like script, its characters `gap` pixels apart, on a page."""
    page = np.full((120, 60 + (60 + gap) * len(text), 3), 235, np.uint8)
    for index, character in enumerate(text):
        cv2.putText(page, character, (30 + index * (60 + gap), 90), cv2.FONT_HERSHEY_SIMPLEX, 2.4, (40, 40, 40), 7)
    return page


def draw_bar(page: np.ndarray, x: int, y: int, width: int, height: int, ink: int = 20) -> None:
    cv2.rectangle(page, (x, y), (x + width - 1, y + height - 1), ink, -1)


def draw_ring(page: np.ndarray, centre: tuple[int, int], axes: tuple[int, int], ink: int = 20, thickness: int = 6):
    cv2.ellipse(page, centre, axes, 0, 0, 360, ink, thickness)


def bold_eight_scan(half_width: int, blur: int) -> np.ndarray:
    """A bold '8' filling a 16x16 gray scan, blurred as a small scanner blurs it: more of the scan is stroke than
    paper, and its loops are the lightest of it."""
    big = np.full((64, 64), 255, np.uint8)
    cv2.ellipse(big, (32, 16), (half_width, 12), 0, 0, 360, 0, 9)
    cv2.ellipse(big, (32, 45), (half_width + 3, 15), 0, 0, 360, 0, 9)
    scan = cv2.GaussianBlur(cv2.resize(big, (16, 16), interpolation=cv2.INTER_AREA), (blur, blur), 0)
    return np.dstack([scan] * 3)


def binary_of(gray: np.ndarray, method: str = "auto") -> np.ndarray:
    """The binary ink of a gray page, as the image path makes it before clean-up."""
    return binary_and_tone(gray, method)[0]


def binary_and_tone(gray: np.ndarray, method: str = "auto") -> tuple[np.ndarray, np.ndarray]:
    """The binary ink of a gray page and the ink's darkness, as the image path hands them to clean-up."""
    cut, tone = threshold_and_tone(gray, method)
    return cut.binary, tone


def threshold_and_tone(gray: np.ndarray, method: str = "auto"):
    """The threshold of a gray page (its binary ink and levels, a `binarize.Threshold`) and the ink's darkness."""
    from digitocr.image import binarize

    bright = binarize.ink_bright(gray, binarize.ink_is_dark(gray))
    background = binarize.flatten_background(bright)
    return binarize.threshold(background.flattened, method, background.unevenness), background.flattened


def frames_for(path: list[int], sure: float = 0.9) -> np.ndarray:
    """Per-frame probabilities that put `sure` on the given label and spread the rest."""
    from digitocr.networks.ctc import BLANK

    frames = np.full((len(path), BLANK + 1), (1 - sure) / BLANK, np.float32)
    frames[np.arange(len(path)), path] = sure
    return frames


def tiny_seven() -> np.ndarray:
    """A 16x16 scan of a '7', as Semeion's are."""
    seven = np.full((16, 16), 255, np.uint8)
    seven[0:2, :] = 0  # a bar along the top edge from side to side, as 16x16 binary scans have it
    cv2.line(seven, (14, 1), (6, 15), 0, 2)
    return seven


def enclosed_holes(mask: np.ndarray) -> list[np.ndarray]:
    """The background regions the ink closes in, each as a bool image."""
    count, labels = cv2.connectedComponents(1 - mask, connectivity=4)
    return [labels == label for label in range(1, count) if not (labels == label)[[0, -1]].any()
            and not (labels == label)[:, [0, -1]].any()]
