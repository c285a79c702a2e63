"""The mean of several models' weights, and what a card says of each model averaged.

Fine-tunes of one model on synthetic lessons read their own validation about
equally well, yet disagree on dozens of real images: each drifts its own way
from what the starting model knew of real ink. Fine-tunes from one start stay
in one basin of the loss, so the mean of their weights is itself a model, and
it keeps what they agree on; averaged with the model they started from, it
learns the new lessons with less drift. The models must share one
architecture.
"""

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..arguments import add_training_data_options
from ..networks.model_files import (load_keras_model, model_card_path, model_sha256, read_model_card, save_card,
                                    save_model)


def averaged(models: list) -> list[np.ndarray]:
    """The element-wise mean of each weight over the models (all of one architecture)."""
    shapes = [[weight.shape for weight in model.get_weights()] for model in models]
    if any(shape != shapes[0] for shape in shapes):
        raise ValueError("the models do not share one architecture, so their weights cannot be averaged")
    return [np.mean(weights, axis=0) for weights in zip(*(model.get_weights() for model in models))]


def ingredient(path: Path) -> dict:
    """A model averaged, as its card names it: its checksum, the command that made it, and a distilled model's
    teachers or an average's own ingredients."""
    card = read_model_card(path)
    made = {"model": path.name, "sha256": model_sha256(path), "command": card.get("command"),
            "seed": card.get("seed"), "started_from": card.get("training", {}).get("started_from")}
    return made | {key: card[key] for key in ("teacher", "weight_average_of") if card.get(key)}


@dataclass(frozen=True)
class Average:
    """An averaged model as written, what it averaged and the first ingredient's card, all read before the write."""

    out: Path
    model: object
    ingredients: list[dict]
    first_card: dict

    def write_card(self, copied: tuple[str, ...], facts: dict, accuracy: dict, program: str) -> None:
        """The keys `copied` from the first ingredient's card, the average's own facts and accuracy, what it
        averaged and the command that made it (`program` and this run's arguments); the accuracy is printed too."""
        card = {"model": self.out.name, "sha256": model_sha256(self.out),
                **{key: self.first_card[key] for key in copied if key in self.first_card},
                "parameters": int(self.model.count_params()), **facts, "accuracy": accuracy,
                "weight_average_of": self.ingredients, "data": self.first_card.get("data"),
                "command": f"{program} " + " ".join(sys.argv[1:])}
        save_card(model_card_path(self.out), card)
        print(f"wrote {self.out} and {model_card_path(self.out)}: "
              + ", ".join(f"{key} {value:.4f}" for key, value in accuracy.items()), flush=True)


def write_average(paths: list[Path], out: Path) -> Average:
    """Write the average of the models at `paths` to `out`, which may be one of them."""
    models = [load_keras_model(path) for path in paths]
    ingredients = [ingredient(path) for path in paths]
    first_card = read_model_card(paths[0])
    models[0].set_weights(averaged(models))
    save_model(models[0], out)
    return Average(out, models[0], ingredients, first_card)


def averaging_parser(command: str, doc: str, what: str) -> argparse.ArgumentParser:
    """An averaging command's arguments: the models, where the average goes, and the data its card is measured on
    (MNIST, pendigits' held-out writers and the extra hands' held-out digits)."""
    parser = argparse.ArgumentParser(prog=f"python -m digitocr.training.{command}", description=doc.splitlines()[0])
    parser.add_argument("models", nargs="+", help=f"{what} (.keras) of one architecture")
    parser.add_argument("--out", required=True, help="where to write the averaged model and its card")
    add_training_data_options(parser)
    return parser
