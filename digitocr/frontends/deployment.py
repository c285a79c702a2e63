"""What the operator of a deployed app decides and a visitor cannot: where models and saved digits live.

A visitor picks a model by name from those the app knows, the shipped one
and the `.keras` files in the operator's models folder, and never names a
path; corrected digits go to the operator's data folder. Both folders come
from the environment the operator starts the app in.
"""

import os
from pathlib import Path

from ..networks.classifier import DEFAULT_MODEL_PATH

SHIPPED = "shipped"
MODELS_FOLDER = "DIGITOCR_MODELS"  # environment variable: a folder of fine-tuned classifiers the app offers
DATA_FOLDER = "DIGITOCR_DATA"  # environment variable: where corrected digits are saved for fine-tuning


def models_folder() -> Path:
    return Path(os.environ.get(MODELS_FOLDER, Path.home() / ".digitocr" / "models"))


def data_folder() -> Path:
    return Path(os.environ.get(DATA_FOLDER, Path.home() / ".digitocr" / "my_digits"))


def known_models() -> dict[str, Path]:
    """The models a visitor may choose, by name: the shipped one first, then the models folder's in name order."""
    folder = models_folder()
    found = sorted(folder.glob("*.keras")) if folder.is_dir() else []
    return {SHIPPED: DEFAULT_MODEL_PATH, **{path.stem: path for path in found if path.stem != SHIPPED}}
