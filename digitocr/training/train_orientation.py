"""Train the orientation network: `python -m digitocr.training.train_orientation --data MNIST_DIR --pendigits FILE
--extra DIR`.

A person tells which way up a page is from the shapes of its digits: a '7',
a '4' or a '2' has one way up, while a '0', an '8' or a '1' turned half round
is the same mark, and a '6' turned half round is a '9'. This small network
learns exactly that: given one piece as the classifier sees it (28x28,
through the reader's normalisation, which turns with the piece), it answers
how many quarter turns anticlockwise bring it upright. It learns from two
kinds of piece, each turned a random number of quarter turns: the
classifier's own training samples (MNIST, the training writers' pen strokes,
the extra hands; see `digit_data`; made-up non-digits get a uniform target),
and every blob the reader's own pipeline cuts from number fields and scenes
of clutter by the training writers (`number_finding.training_images`),
turned with their image and labelled with its turn: a rule's remnant, a
touching pair, a speck, as the reader meets them. Where a shape does not
say, it learns to say so, so that the reader can add up the evidence of all
of an image's blobs (`reader.orientation`). The best epoch is chosen on
held-out writers (MNIST's validation digits, pendigits writers 21-30, the
hands' held-out digits, each turned all four ways, and the blobs of fields
and scenes by writers 21-30); MNIST's test set is only reported. Writes
`Orientation.keras` and its card.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from ..arguments import add_training_data_options, errors_in_one_line
from ..networks.classifier import FIELD_SIZE
from ..networks.model_files import model_card_path, model_sha256, save_card, save_model
from ..networks.onnx_net import OnnxNet
from ..networks.orientation import DEFAULT_ORIENTATION_PATH, TURN_CLASSES
from ..reader.orientation import whole_blobs
from ..reader.prepare import prepare
from ..settings import ReaderSettings
from . import augment
from .architectures import conv_block, separable_block
from .digit_data import EpochCounts, epoch_samples
from .hands import load_hands
from .mnist import load_mnist
from .number_finding import LabelledImage, training_images
from .pendigits import parse_pendigits
from .train_lines import LineSources
from .train_lines import pools as line_pools
from .train import BATCH_SIZE, Sources, cosine_rate, data_facts, training_pools, validation_sets

SEED = 2468
EPOCHS = 20
LEARNING_RATE = 2e-3
DIGIT_SHARE = 0.5  # a sample whose target is flatter than this (a made-up non-digit) says nothing of its way up
FIELDS, SCENES_PER_KIND = 4000, 250  # images whose blobs the pipeline cuts, from the training writers
HELD_OUT_FIELDS, HELD_OUT_SCENES_PER_KIND = 500, 30  # the same from writers 21-30, for choosing the epoch
MOST_BLOBS_PER_IMAGE = 20  # so that a page of specks does not outweigh the fields


def build_orientation_net():
    """Early downsampling and separable blocks, as the classifier's: which way up a mark is needs its coarse shape,
    so the field is halved at once. About 1.5 million multiply-adds a piece, a third of the classifier's."""
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input(shape=(FIELD_SIZE, FIELD_SIZE, 1)),
        *conv_block(32, strides=2),  # 14x14x32
        *separable_block(64),  # 14x14x64
        *separable_block(96, strides=2),  # 7x7x96
        *separable_block(128),  # 7x7x128
        layers.GlobalAveragePooling2D(),
        layers.Dense(TURN_CLASSES, activation="softmax"),
    ], name="orientation_net")


def turned_pieces(inputs: np.ndarray, turns: np.ndarray) -> np.ndarray:
    """Each (28, 28, 1) piece turned clockwise by its number of quarter turns: that many anticlockwise set it
    upright again, which is the answer the network learns."""
    return np.stack([np.rot90(piece, -int(turn)) for piece, turn in zip(inputs, turns)])


def orientation_targets(turns: np.ndarray, digit_targets: np.ndarray) -> np.ndarray:
    targets = np.eye(TURN_CLASSES, dtype=np.float32)[turns]
    targets[digit_targets.max(axis=1) < DIGIT_SHARE] = 1.0 / TURN_CLASSES
    return targets


def blobs_of(pixels: np.ndarray, turn: int, rng: np.random.Generator) -> np.ndarray:
    """The whole blobs the reader cuts from an image turned clockwise by `turn` quarter turns, at most
    MOST_BLOBS_PER_IMAGE of them."""
    seen = np.ascontiguousarray(np.rot90(pixels, -turn))
    blobs = whole_blobs(prepare(seen, ReaderSettings()).analysis)
    if len(blobs) > MOST_BLOBS_PER_IMAGE:
        blobs = blobs[rng.choice(len(blobs), MOST_BLOBS_PER_IMAGE, replace=False)]
    return blobs


def turned_blobs(images: list[LabelledImage], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Every image turned a random number of quarter turns and cut by the reader's pipeline: (N, 28, 28, 1) blobs
    and the turns that bring each upright."""
    rng = np.random.default_rng(seed)
    pieces, turns = [], []
    for number, image in enumerate(images, start=1):
        turn = int(rng.integers(TURN_CLASSES))
        blobs = blobs_of(image.pixels, turn, rng)
        pieces.append(blobs)
        turns += [turn] * len(blobs)
        if number % 2000 == 0:
            print(f"  {number}/{len(images)} images cut into blobs", flush=True)
    return np.concatenate(pieces)[..., None], np.array(turns, np.int64)


def every_turn(inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A validation set's pieces turned each of the four ways, with their answers."""
    turns = np.repeat(np.arange(TURN_CLASSES), len(inputs))
    return turned_pieces(np.tile(inputs, (TURN_CLASSES, 1, 1, 1)), turns), turns


def scores(model, inputs: np.ndarray, turns: np.ndarray) -> dict[str, float]:
    """The share of pieces whose surest answer is right, and the mean log-loss: what an image's pieces add up."""
    probabilities = model.predict(inputs, batch_size=1024, verbose=0)
    picked = probabilities[np.arange(len(turns)), turns]
    return {"accuracy": float((probabilities.argmax(axis=1) == turns).mean()),
            "log_loss": float(-np.log(np.maximum(picked, 1e-7)).mean())}


def train(sources: Sources, out: Path, epochs: int, seed: int, limit: int | None) -> dict:
    import keras

    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    pools = training_pools(sources, limit)
    validation = {name: every_turn(inputs) for name, (inputs, _) in validation_sets(sources, limit).items()}
    scene_pool, held_out_pool = line_pools(LineSources(sources.mnist, sources.pen_digits, hands=tuple(sources.hands)))
    small = limit and max(1, limit // 100)
    scene_blobs = turned_blobs(training_images(scene_pool, seed, small or FIELDS, small or SCENES_PER_KIND), seed)
    validation["scene_blobs_held_out"] = turned_blobs(
        training_images(held_out_pool, seed + 1, small or HELD_OUT_FIELDS, small or HELD_OUT_SCENES_PER_KIND), seed + 1)
    print(f"{len(scene_blobs[1])} blobs cut from fields and scenes, {len(validation['scene_blobs_held_out'][1])} "
          "held out", flush=True)
    model = build_orientation_net()
    model.summary(print_fn=lambda line, **_: print(line))
    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="categorical_crossentropy")
    counts = EpochCounts().limited(limit)
    best_loss, best_weights, best_epoch, history = np.inf, None, 0, []
    started = time.perf_counter()
    for epoch in range(1, epochs + 1):
        inputs, digit_targets = epoch_samples(pools, rng, augment.AugmentSettings(), counts)
        turns = rng.integers(0, TURN_CLASSES, len(inputs))
        samples = np.concatenate([turned_pieces(inputs, turns), scene_blobs[0]])
        targets = np.concatenate([orientation_targets(turns, digit_targets),
                                  np.eye(TURN_CLASSES, dtype=np.float32)[scene_blobs[1]]])
        model.optimizer.learning_rate.assign(cosine_rate(LEARNING_RATE, epoch, epochs))
        model.fit(samples, targets, batch_size=BATCH_SIZE, epochs=1, shuffle=True, verbose=2)
        epoch_scores = {name: scores(model, *data) for name, data in validation.items()}
        history.append({"epoch": epoch, **epoch_scores})
        print(f"epoch {epoch}: " + ", ".join(f"{name} {value['accuracy']:.4f} ({value['log_loss']:.3f})"
                                             for name, value in epoch_scores.items()), flush=True)
        loss = float(np.mean([value["log_loss"] for value in epoch_scores.values()]))
        if loss < best_loss:
            best_loss, best_weights, best_epoch = loss, model.get_weights(), epoch
    model.set_weights(best_weights)
    test = sources.mnist.test_images.astype(np.float32)[..., None] / 255.0
    results = {"mnist_test": scores(model, *every_turn(test))} | history[best_epoch - 1]
    save_model(model, out)
    card = {"model": out.name, "sha256": model_sha256(out),
            "input": "(N, 28, 28, 1) float32 in [0, 1]: a piece as the classifier takes it",
            "output": "4 softmax probabilities: the quarter turns anticlockwise (0-3) that bring the piece upright",
            "parameters": int(model.count_params()), "multiply_adds": OnnxNet.from_archive(out).multiply_adds,
            "file_bytes": out.stat().st_size, "scores": results, "best_epoch": best_epoch, "history": history,
            "seed": seed, "training_seconds": round(time.perf_counter() - started, 1),
            "data": data_facts(sources, counts, None) | {"pipeline_blobs": {
                "train": len(scene_blobs[1]), "held_out": len(validation["scene_blobs_held_out"][1]),
                "images": {"fields": small or FIELDS, "scenes_per_kind": small or SCENES_PER_KIND}}},
            "learning_rate": LEARNING_RATE, "batch_size": BATCH_SIZE,
            "command": "python -m digitocr.training.train_orientation " + " ".join(sys.argv[1:])}
    save_card(model_card_path(out), card)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB) and {model_card_path(out)}", flush=True)
    return card


@errors_in_one_line
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitocr.training.train_orientation",
                                     description=__doc__.splitlines()[0])
    add_training_data_options(parser)
    parser.add_argument("--out", default=str(DEFAULT_ORIENTATION_PATH.name), help="where to write the model")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--limit", type=int, help="use at most this many samples per stream (a quick smoke run)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--workers", type=int, default=2, help="processes reading the extra hands' images")
    args = parser.parse_args(argv)
    pen_digits = parse_pendigits(args.pendigits) if args.pendigits else []
    hands = load_hands(Path(args.extra), args.workers, args.limit) if args.extra else []
    sources = Sources(load_mnist(args.data), pen_digits, args.pendigits, hands, args.extra)
    train(sources, Path(args.out), args.epochs, args.seed, args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
