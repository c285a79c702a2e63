"""Train the digit classifier: `python -m digitocr.train --data MNIST_DIR [--pendigits FILE]`.

Sections in order: settings, data, model, training, evaluation, saving.
The model takes what MNIST is, (N, 28, 28, 1) float32 in [0, 1], ink bright on
dark, and returns 10 class probabilities. It learns from four streams:

- MNIST as published (lightly shifted, rotated and elastically bent), so
  anyone can evaluate it on raw MNIST;
- MNIST digits passed through the reader's own normalisation after random
  affine and elastic distortion, stroke width changes, neighbour pieces,
  coarse-scan resampling, stretching to fill a square box (as Semeion's
  scans are), flags on 1s and bars across 7s;
- digits drawn from the real pen strokes of pendigits at varied sizes and
  stroke widths, through the same normalisation (writers in
  HELD_OUT_WRITERS are kept for validation only);
- marks that are not digits (commas, dashes, rule bits, cell corners,
  letters, scribbles, and two whole digits touching in one box) with a
  uniform target: the model learns to answer them with a flat distribution,
  which the reader reads as "not a digit" (outlier exposure), and a merged
  pair loses to its cut.
"""

import argparse
import hashlib
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np

from ..errors import DigitOcrError
from ..image.normalize import FIELD_SIZE, to_model_input
from ..networks.classifier import DEFAULT_MODEL_PATH
from ..networks.model_files import load_keras_model, model_reference, model_sha256, save_model
from . import augment
from .finetune import finetune
from .mnist import MnistData, load_mnist
from .pendigits import PenDigit, parse_pendigits, render_digit

SEED = 1234
NUM_CLASSES = 10
VALIDATION_SIZE = 5000  # last MNIST training images, never trained on
HELD_OUT_WRITERS = frozenset(range(21, 31))  # pendigits writers kept for validation
MNIST_RAW_PER_EPOCH = 36000
MNIST_NORMALISED_PER_EPOCH = 20000
PENDIGITS_PER_EPOCH = 10000
NON_DIGITS_PER_EPOCH = 4000
BATCH_SIZE = 128
MAX_EPOCHS = 20
PATIENCE = 5
MIN_EPOCHS_SHARE = 0.75  # the cosine schedule's low learning rates come in its last quarter; no early stop before
LEARNING_RATE = 1e-3


def conv_block(filters: int) -> list:
    """3x3 convolution, batch normalisation, ReLU: the unit the network is built from."""
    from keras import layers

    return [layers.Conv2D(filters, 3, padding="same", use_bias=False), layers.BatchNormalization(), layers.ReLU()]


def build_model():
    """A small VGG-style CNN, (N, 28, 28, 1) in, 10 softmax probabilities out."""
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input(shape=(FIELD_SIZE, FIELD_SIZE, 1)),
        *conv_block(32), *conv_block(32),  # 28x28x32
        layers.MaxPooling2D(),  # 14x14x32
        *conv_block(64), *conv_block(64),  # 14x14x64
        layers.MaxPooling2D(),  # 7x7x64
        *conv_block(128),  # 7x7x128
        layers.GlobalAveragePooling2D(),  # 128
        layers.Dropout(0.3),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.3),
        layers.Dense(NUM_CLASSES, activation="softmax"),
    ], name="digit_classifier")


def mnist_mask(image: np.ndarray) -> np.ndarray:
    """An MNIST image as a binary mask at twice the size, so its outline stays smooth."""
    large = cv2.resize(image, (2 * FIELD_SIZE, 2 * FIELD_SIZE), interpolation=cv2.INTER_LINEAR)
    return (large >= 100).astype(np.uint8)


def distorted_input(mask: np.ndarray, rng: np.random.Generator, settings: augment.AugmentSettings,
                    neighbour: np.ndarray | None = None, label: int | None = None) -> np.ndarray:
    """One mask through random distortion, then the reader's normalisation."""
    if label == 1 and mask.any() and rng.random() < settings.flag_probability:
        mask = augment.flagged_one(cropped(mask), rng)
    elif label == 7 and mask.any() and rng.random() < settings.cross_probability:
        mask = augment.crossed_seven(cropped(mask), rng)
    elif label == 9 and mask.any() and rng.random() < settings.hook_probability:
        mask = augment.hooked_nine(cropped(mask), rng)
    mask = augment.random_affine(mask, rng, settings)
    if rng.random() < settings.elastic_probability:
        mask = augment.elastic(mask, rng, settings)
    if neighbour is not None and mask.any() and rng.random() < settings.neighbour_probability:
        mask = augment.attach_neighbour_piece(cropped(mask), neighbour, rng)
    if mask.any() and rng.random() < settings.fill_box_probability:
        mask = augment.coarse_scan(augment.filling_its_box(cropped(mask)), rng, settings)
    elif mask.any() and rng.random() < settings.coarse_probability:
        mask = augment.coarse_scan(cropped(mask), rng, settings)
    image = to_model_input(mask, augment.random_stroke(rng, settings))
    return augment.degrade(image, rng, settings)


def shifted_raw(image: np.ndarray, rng: np.random.Generator, settings: augment.AugmentSettings) -> np.ndarray:
    """An MNIST image as published, shifted, turned, scaled and sometimes elastically bent."""
    angle = rng.uniform(-10, 10)
    scale = rng.uniform(0.9, 1.1)
    matrix = cv2.getRotationMatrix2D((14, 14), angle, scale)
    matrix[:, 2] += rng.uniform(-2, 2, 2)
    shifted = cv2.warpAffine(image.astype(np.float32) / 255.0, matrix, (FIELD_SIZE, FIELD_SIZE),
                             flags=cv2.INTER_LINEAR)
    if rng.random() < settings.raw_elastic_probability:
        shifted = np.clip(augment.elastic_warp(shifted, rng, settings), 0.0, 1.0)
    return shifted


def cropped(mask: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(mask)
    return mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1] if len(ys) else mask


def one_hot(labels: np.ndarray) -> np.ndarray:
    return np.eye(NUM_CLASSES, dtype=np.float32)[labels]


def pen_input(digit: PenDigit, rng: np.random.Generator) -> np.ndarray:
    """A pen digit drawn at a random size and pen width, as a canvas or a photo would show it."""
    height = int(rng.integers(24, 160))
    stroke = max(1, int(height * rng.uniform(0.03, 0.16)))
    return (render_digit(digit, height, stroke) >= 128).astype(np.uint8)


@dataclass(frozen=True)
class DigitPools:
    """The training digits an epoch's samples are drawn from."""

    mnist_images: np.ndarray  # (N, 28, 28) uint8, as published
    mnist_labels: np.ndarray
    mnist_masks: list[np.ndarray]  # the same digits as binary masks at twice the size (`mnist_mask`)
    pen_digits: list[PenDigit]


def epoch_samples(pools: DigitPools, rng: np.random.Generator, settings: augment.AugmentSettings,
                  counts: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Fresh random samples for one epoch: (inputs (N, 28, 28, 1), soft targets (N, 10))."""
    mnist_images, mnist_labels, mnist_masks, pen_digits = (pools.mnist_images, pools.mnist_labels, pools.mnist_masks,
                                                           pools.pen_digits)
    raw_count, normalised_count, pen_count, non_digit_count = counts
    inputs, targets = [], []
    picks = rng.integers(0, len(mnist_images), raw_count)
    inputs += [shifted_raw(mnist_images[i], rng, settings) for i in picks]
    targets.append(one_hot(mnist_labels[picks]))
    picks = rng.integers(0, len(mnist_masks), normalised_count)
    neighbours = rng.integers(0, len(mnist_masks), normalised_count)
    inputs += [distorted_input(mnist_masks[i], rng, settings, mnist_masks[j], int(mnist_labels[i]))
               for i, j in zip(picks, neighbours)]
    targets.append(one_hot(mnist_labels[picks]))
    if pen_digits and pen_count:
        picks = rng.integers(0, len(pen_digits), pen_count)
        inputs += [distorted_input(pen_input(pen_digits[i], rng), rng, settings,
                                   mnist_masks[rng.integers(len(mnist_masks))], pen_digits[i].label) for i in picks]
        targets.append(one_hot(np.array([pen_digits[i].label for i in picks])))
    pair_count = non_digit_count // 4
    for index in range(non_digit_count):
        if index < pair_count:
            left, right = (cropped(mnist_masks[i]) for i in rng.integers(0, len(mnist_masks), 2))
            mark = augment.touching_pair(left, right, rng)
        else:
            mark = augment.non_digit_mask(rng)
        inputs.append(augment.degrade(to_model_input(augment.random_affine(mark, rng, settings)), rng, settings))
    targets.append(np.full((non_digit_count, NUM_CLASSES), 1.0 / NUM_CLASSES, np.float32))
    order = rng.permutation(len(inputs))
    return np.stack(inputs)[order][..., None], np.concatenate(targets)[order]


def pen_validation(pen_digits: list[PenDigit]) -> tuple[np.ndarray, np.ndarray]:
    """Held-out writers' digits at fixed sizes and pen widths, through the reader's normalisation."""
    inputs, labels = [], []
    for index, digit in enumerate(pen_digits):
        height = (32, 64, 120)[index % 3]
        stroke = max(1, height // (12, 8, 14)[index % 3])
        inputs.append(to_model_input((render_digit(digit, height, stroke) >= 128).astype(np.uint8)))
        labels.append(digit.label)
    return np.stack(inputs)[..., None], np.array(labels)


def accuracy(model, inputs: np.ndarray, labels: np.ndarray) -> float:
    probabilities = model.predict(inputs, batch_size=1024, verbose=0)
    return float((probabilities.argmax(axis=1) == labels).mean())


def md5_of(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def cosine_rate(start: float, epoch: int, epochs: int) -> float:
    """The learning rate of an epoch (counted from 1) on a cosine schedule from `start` down towards zero."""
    return float(start * 0.5 * (1 + np.cos(np.pi * (epoch - 1) / epochs)))


def card_path_for(model_path: Path) -> Path:
    return model_path.with_suffix(".json")


@dataclass(frozen=True)
class TrainingRun:
    """What one run of the training command is asked for."""

    out: Path
    max_epochs: int = MAX_EPOCHS
    limit: int | None = None  # at most this many samples per stream: a quick smoke run
    seed: int = SEED
    base: Path | None = None  # the classifier to go on from, instead of random weights
    learning_rate: float = LEARNING_RATE


def train(mnist: MnistData, pen_digits: list[PenDigit], pendigits_source: str | None, run: TrainingRun) -> dict:
    """From random weights, or from the classifier at `run.base` (more of the same recipe at a gentler rate)."""
    import keras

    out, max_epochs, limit, seed, base, learning_rate = (run.out, run.max_epochs, run.limit, run.seed, run.base,
                                                         run.learning_rate)
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    settings = augment.AugmentSettings()
    train_images, train_labels = mnist.train_images[:-VALIDATION_SIZE], mnist.train_labels[:-VALIDATION_SIZE]
    val_images = mnist.train_images[-VALIDATION_SIZE:].astype(np.float32)[..., None] / 255.0
    val_labels = mnist.train_labels[-VALIDATION_SIZE:]
    counts = (MNIST_RAW_PER_EPOCH, MNIST_NORMALISED_PER_EPOCH, PENDIGITS_PER_EPOCH, NON_DIGITS_PER_EPOCH)
    if limit:
        train_images, train_labels = train_images[:limit], train_labels[:limit]
        val_images, val_labels = val_images[:limit], val_labels[:limit]
        counts = tuple(min(limit, count) for count in counts)
    train_pens = [d for d in pen_digits if d.writer not in HELD_OUT_WRITERS]
    held_out_pens = [d for d in pen_digits if d.writer in HELD_OUT_WRITERS][: limit or None]
    print(f"training from {len(train_images)} MNIST images and {len(train_pens)} pen digits;"
          f" validation: {len(val_images)} MNIST, {len(held_out_pens)} pen digits of held-out writers", flush=True)
    mnist_masks = [mnist_mask(image) for image in train_images]
    pen_val = pen_validation(held_out_pens) if held_out_pens else None

    model = build_model()
    started_from = "random weights"
    if base:
        model.set_weights(load_keras_model(base).get_weights())
        started_from = model_reference(base)
    model.summary(print_fn=lambda line, **_: print(line))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="categorical_crossentropy")
    min_epochs = int(np.ceil(MIN_EPOCHS_SHARE * max_epochs))
    best_score, best_weights, best_epoch, stale = -1.0, None, 0, 0
    history = []
    started = time.perf_counter()
    progress = 1 if sys.stdout.isatty() else 2
    for epoch in range(1, max_epochs + 1):
        inputs, targets = epoch_samples(DigitPools(train_images, train_labels, mnist_masks, train_pens), rng,
                                        settings, counts)
        epoch_rate = cosine_rate(learning_rate, epoch, max_epochs)
        model.optimizer.learning_rate.assign(epoch_rate)
        print(f"epoch {epoch}/{max_epochs}: {len(inputs)} samples, learning rate {epoch_rate:.2e}", flush=True)
        model.fit(inputs, targets, batch_size=BATCH_SIZE, epochs=1, verbose=progress)
        scores = {"mnist_validation": accuracy(model, val_images, val_labels)}
        if pen_val is not None:
            scores["pendigits_held_out"] = accuracy(model, *pen_val)
        score = float(np.mean(list(scores.values())))
        history.append({"epoch": epoch, **scores})
        print("  " + ", ".join(f"{name} {value:.4f}" for name, value in scores.items()), flush=True)
        if score > best_score:
            best_score, best_weights, best_epoch, stale = score, model.get_weights(), epoch, 0
        else:
            stale += 1
            if stale >= PATIENCE and epoch >= min_epochs:
                print(f"stopping early: no gain for {PATIENCE} epochs", flush=True)
                break
    model.set_weights(best_weights)
    seconds = time.perf_counter() - started

    test_images = mnist.test_images.astype(np.float32)[..., None] / 255.0
    test_normalised = np.stack([to_model_input(mnist_mask(image)) for image in mnist.test_images])[..., None]
    results = {
        "mnist_test": accuracy(model, test_images, mnist.test_labels),
        "mnist_test_through_normalisation": accuracy(model, test_normalised, mnist.test_labels),
    }
    if pen_val is not None:
        results["pendigits_held_out_writers"] = accuracy(model, *pen_val)
    print("test: " + ", ".join(f"{name} {value:.4f}" for name, value in results.items()), flush=True)

    save_model(model, out)
    card = {
        "model": out.name,
        "sha256": model_sha256(out),
        "input": "(N, 28, 28, 1) float32 in [0, 1], ink bright on a dark field",
        "output": "10 softmax probabilities for the digits 0-9; a flat answer means 'not a digit'",
        "parameters": int(model.count_params()),
        "accuracy": results,
        "epochs_run": len(history),
        "best_epoch": best_epoch,
        "history": history,
        "seed": seed,
        "training_seconds": round(seconds, 1),
        "data": {
            "mnist": {"source": mnist.source, "md5": mnist.md5, "licence": "CC BY-SA 3.0",
                      "train_images": int(len(train_images)), "validation_images": int(len(val_images))},
            "pendigits": {"source": pendigits_source, "licence": "CC BY 4.0",
                          "md5": md5_of(Path(pendigits_source)) if pendigits_source else None,
                          "train_digits": len(train_pens), "held_out_writers": sorted(HELD_OUT_WRITERS)},
            "samples_per_epoch": dict(zip(["mnist_raw", "mnist_normalised", "pendigits", "non_digits"], counts)),
        },
        "augmentation": asdict(augment.AugmentSettings()),
        "training": {"batch_size": BATCH_SIZE, "max_epochs": max_epochs, "patience": PATIENCE, "min_epochs": min_epochs,
                     "optimizer": "Adam, cosine learning rate", "learning_rate": learning_rate,
                     "loss": "categorical cross-entropy, uniform target for non-digits",
                     "started_from": started_from},
        "command": "python -m digitocr.train " + " ".join(sys.argv[1:]),
    }
    card_path_for(out).write_text(json.dumps(card, indent=2) + "\n")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB) and {card_path_for(out)}", flush=True)
    return card


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitocr.train", description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="MNIST: a folder of IDX files or an mnist.npz (default: Keras' download)")
    parser.add_argument("--pendigits", help="pendigits-orig.tra, pen strokes to draw extra training digits from")
    parser.add_argument("--out", default="DigitClassifier.keras", help="where to write the model (and its .json card)")
    parser.add_argument("--epochs", type=int, default=MAX_EPOCHS, help="most epochs; early stopping may end sooner")
    parser.add_argument("--limit", type=int, help="use at most this many samples per stream (a quick smoke run)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--finetune", metavar="DIR", help="fine-tune on your own digits: a folder with labels.csv")
    parser.add_argument("--base", help="the model to start from: with --finetune, default the shipped one;"
                        " without, the whole recipe goes on from its weights instead of random ones")
    parser.add_argument("--learning-rate", type=float, default=LEARNING_RATE, help="the cosine schedule's start")
    args = parser.parse_args(argv)
    mnist = load_mnist(args.data)
    if args.finetune:
        if args.out == parser.get_default("out"):
            parser.error("--finetune needs --out: the shipped model is never overwritten")
        try:
            finetune(Path(args.finetune), Path(args.base) if args.base else DEFAULT_MODEL_PATH, Path(args.out), mnist,
                     args.seed)
        except DigitOcrError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        return 0
    pen_digits = parse_pendigits(args.pendigits) if args.pendigits else []
    if not pen_digits:
        print("no --pendigits given: training on MNIST alone", flush=True)
    train(mnist, pen_digits, args.pendigits, TrainingRun(Path(args.out), args.epochs, args.limit, args.seed,
                                                         Path(args.base) if args.base else None, args.learning_rate))
    return 0


if __name__ == "__main__":
    sys.exit(main())
