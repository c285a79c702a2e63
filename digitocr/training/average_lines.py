"""Average line models' weights: `python -m digitocr.training.average_lines --out FILE MODEL...`.

Fine-tunes of one line model on synthetic lessons read the synthetic
validation lessons about equally well, yet disagree on dozens of real cells:
each drifts its own way from what the starting model knew of real ink.
Fine-tunes from one start stay in one basin of the loss, so the mean of their
weights is itself a model, and it keeps what they agree on: averaged with
the model they started from, it learns the new lessons with less drift.
The models must share one architecture. The card records each ingredient
(its checksum and the command that made it, and an average's own
ingredients) and the average's own reading of the training command's
held-out validation lessons.
"""

import argparse
import json
import multiprocessing
import sys
from pathlib import Path

import numpy as np

from ..networks.model_files import load_keras_model, model_card_path, model_sha256, save_model
from .train import SEED
from .train_lines import VALIDATION_LINES, exact_share, line_sources, pools, validation_lessons


def averaged(models: list) -> list[np.ndarray]:
    """The element-wise mean of each weight over the models (all of one architecture)."""
    shapes = [[weight.shape for weight in model.get_weights()] for model in models]
    if any(shape != shapes[0] for shape in shapes):
        raise ValueError("the models do not share one architecture, so their weights cannot be averaged")
    return [np.mean(weights, axis=0) for weights in zip(*(model.get_weights() for model in models))]


def ingredient(path: Path) -> dict:
    card_path = model_card_path(path)
    card = json.loads(card_path.read_text()) if card_path.exists() else {}
    made = {"model": path.name, "sha256": model_sha256(path), "command": card.get("command"),
            "seed": card.get("seed"), "started_from": card.get("training", {}).get("started_from")}
    return made | ({"weight_average_of": card["weight_average_of"]} if "weight_average_of" in card else {})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitocr.training.average_lines",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="line models (.keras) of one architecture")
    parser.add_argument("--out", required=True, help="where to write the averaged model and its card")
    parser.add_argument("--data", help="MNIST, for the validation lessons: a folder of IDX files or an mnist.npz")
    parser.add_argument("--pendigits", help="pendigits-orig.tra: the held-out writers' pen strokes")
    parser.add_argument("--extra", help="the folder of the extra hands")
    parser.add_argument("--seed", type=int, default=SEED, help="the training command's seed: its validation lessons")
    parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count(), help="processes drawing lessons")
    args = parser.parse_args(argv)
    paths = [Path(path) for path in args.models]
    models = [load_keras_model(path) for path in paths]
    ingredients = [ingredient(path) for path in paths]  # before the average is written, perhaps over the first
    first_card = json.loads(model_card_path(paths[0]).read_text()) if model_card_path(paths[0]).exists() else {}
    models[0].set_weights(averaged(models))
    out = Path(args.out)
    save_model(models[0], out)
    validation_pool = pools(line_sources(args.data, args.pendigits, args.extra, args.workers))[1]
    validation = validation_lessons(validation_pool, VALIDATION_LINES, args.seed, args.workers)
    card = {key: first_card[key] for key in ("input", "output") if key in first_card}
    card = {"model": out.name, "sha256": model_sha256(out), **card, "parameters": int(models[0].count_params()),
            "accuracy": {f"synthetic_validation_{name}_exact": exact_share(models[0], lessons)
                         for name, lessons in validation.items()},
            "weight_average_of": ingredients,
            "data": first_card.get("data"),
            "command": "python -m digitocr.training.average_lines " + " ".join(sys.argv[1:])}
    model_card_path(out).write_text(json.dumps(card, indent=2, default=str) + "\n")
    print(f"wrote {out} and {model_card_path(out)}: " + ", ".join(f"{key} {value:.4f}"
                                                                    for key, value in card["accuracy"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
