"""Train the line recognizer: `python -m digitocr.train_lines --data MNIST_DIR --pendigits FILE [--extra DIR]`.

Sections in order: settings, data, model, training, evaluation, saving.
The recognizer reads a whole line of the reader's cleaned ink by its gray
levels (`image/lines`), scaled to 32 rows, and answers every 4-pixel column
with probabilities over the ten digits and a blank; it is trained with CTC,
so it needs no cut between digits. Its lessons (`line_lessons`) are number
fields and scenes of clutter, their lines cut by the reader's own pipeline,
drawn from MNIST training digits, the pen strokes of pendigits writers 1-20
and, with `--extra`, the training part of the extra hands. Validation
lessons are drawn from the MNIST validation digits and writers 21-30, never
trained on. Once saved, the model's activation ranges are measured on
training lessons and written into its card, so it runs its convolutions on
8-bit integers (`networks.int8`).
"""

import argparse
import multiprocessing
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..arguments import add_training_data_options, errors_in_one_line, positive_number, probability, whole_number
from ..networks.ctc import BLANK, decode
from ..networks.int8 import activation_ranges
from ..networks.line_recognizer import DEFAULT_LINE_MODEL_PATH, LINE_HEIGHT, batch_of_lines
from ..networks.model_files import (load_keras_model, model_card_path, model_reference, model_sha256, read_model_card,
                                    save_card, save_model)
from ..networks.onnx_net import float_graph
from ..reader.line_views import WIDTHS, stretched
from .digit_data import HELD_OUT_WRITERS, VALIDATION_SIZE, mnist_mask
from .hands import Hand, load_hands, training_parts
from .line_lessons import (CLUTTER_LINES, CROSSED_SEVENS, FIRST_DIGITS, FLAGGED_ONES, HAND_SHARE, LONGEST_FLAG,
                           LOOPED_TWOS, LOWERED_FLAGS, PEN_SHARE, DigitPool, make_lessons)
from .line_synth import FieldSettings
from .mnist import MnistData, load_mnist
from .pendigits import PenDigit, parse_pendigits
from .train import SEED, cosine_rate, md5_of

TRAINING_LINES = 150000
VALIDATION_LINES = 2000
INT8_LESSONS = 400  # lessons a model's activation ranges are measured on, each at every width and turned: 1,600 lines
BATCH_SIZE = 64
MAX_EPOCHS = 14
LEARNING_RATE = 1e-3
CLUTTER_SHARE = 0.4  # of the lessons' draws, scenes of a number among clutter; the rest number fields


def conv_block(filters: int, kernel: tuple[int, int] = (3, 3), padding: str = "same") -> list:
    from keras import layers

    return [layers.Conv2D(filters, kernel, padding=padding, use_bias=False), layers.BatchNormalization(),
            layers.ReLU()]


def build_line_model():
    """A small fully convolutional CTC network: (N, 32, W, 1) in, (N, 1, W/4, 11) probabilities out."""
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input(shape=(LINE_HEIGHT, None, 1)),
        *conv_block(16), layers.MaxPooling2D((2, 2)),  # 16 x W/2
        *conv_block(32), layers.MaxPooling2D((2, 2)),  # 8 x W/4
        *conv_block(48), *conv_block(48), layers.MaxPooling2D((2, 1)),  # 4 x W/4
        *conv_block(64), layers.MaxPooling2D((2, 1)),  # 2 x W/4
        *conv_block(96, (2, 1), "valid"),  # 1 x W/4: one column of features per frame
        *conv_block(96, (1, 5)),  # each frame sees its neighbours: a digit spans several frames
        layers.Dropout(0.2),
        *conv_block(96, (1, 5)),
        layers.Conv2D(BLANK + 1, 1, activation="softmax"),
    ], name="line_reader")


@dataclass(frozen=True)
class LineTrainingRun:
    """What one run of the line recognizer's training command is asked for."""

    out: Path
    count: int = TRAINING_LINES  # lessons
    epochs: int = MAX_EPOCHS
    seed: int = SEED
    workers: int = 1  # processes drawing lessons
    base: Path | None = None  # the line model to fine-tune from, instead of random weights
    learning_rate: float = LEARNING_RATE
    clutter_share: float = CLUTTER_SHARE
    first_digits: str = "uniform"  # how fields' first digits are drawn (`line_lessons.FIRST_DIGITS`)


@dataclass(frozen=True)
class LineSources:
    mnist: MnistData
    pens: list[PenDigit]
    pendigits_path: str | None = None
    hands: tuple[Hand, ...] = ()
    extra_path: str | None = None


def pools(sources: LineSources) -> tuple[DigitPool, DigitPool]:
    """The training digits (MNIST's first 55,000, writers 1-20, the hands' training parts) and the held-out ones."""
    mnist = sources.mnist
    training = DigitPool([mnist_mask(i) for i in mnist.train_images[:-VALIDATION_SIZE]],
                         mnist.train_labels[:-VALIDATION_SIZE],
                         [d for d in sources.pens if d.writer not in HELD_OUT_WRITERS],
                         hands=training_parts(sources.hands))
    validation = DigitPool([mnist_mask(i) for i in mnist.train_images[-VALIDATION_SIZE:]],
                           mnist.train_labels[-VALIDATION_SIZE:],
                           [d for d in sources.pens if d.writer in HELD_OUT_WRITERS])
    return training, validation


def batches(lines: list[tuple[np.ndarray, str]], rng: np.random.Generator) -> list[list[int]]:
    """Batches of lines of similar width (little padding), in random order."""
    order = sorted(range(len(lines)), key=lambda i: lines[i][0].shape[1] + rng.uniform(0, 8))
    groups = [order[start:start + BATCH_SIZE] for start in range(0, len(order), BATCH_SIZE)]
    return [groups[i] for i in rng.permutation(len(groups))]


def targets(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Labels padded to the longest text (at least one column: a batch of clutter alone has none) and lengths."""
    labels = np.zeros((len(texts), max(1, max(len(text) for text in texts))), np.int32)
    for row, text in enumerate(texts):
        labels[row, :len(text)] = [int(c) for c in text]
    return labels, np.array([len(text) for text in texts], np.int32)


def read_lines(model, images: list[np.ndarray]) -> list[str]:
    texts = []
    for start in range(0, len(images), 256):
        chunk = images[start:start + 256]
        output = np.asarray(model(batch_of_lines(chunk), training=False))[:, 0]
        texts += [decode(output[i, :-(-image.shape[1] // 4)]).text for i, image in enumerate(chunk)]
    return texts


def exact_share(model, lines: list[tuple[np.ndarray, str]]) -> float:
    read = read_lines(model, [image for image, _ in lines])
    return float(np.mean([text == truth for text, (_, truth) in zip(read, lines)]))


def step_function(model, optimizer):
    """One compiled training step: CTC loss on a batch, gradients applied; returns the loss."""
    import tensorflow as tf

    @tf.function(input_signature=[tf.TensorSpec((None, LINE_HEIGHT, None, 1), tf.float32),
                                  tf.TensorSpec((None, None), tf.int32), tf.TensorSpec((None,), tf.int32)])
    def train_step(images, labels, lengths):
        with tf.GradientTape() as tape:
            probabilities = model(images, training=True)[:, 0]
            frames = tf.fill([tf.shape(probabilities)[0]], tf.shape(probabilities)[1])
            loss = tf.reduce_mean(tf.nn.ctc_loss(labels, tf.math.log(probabilities + 1e-7), lengths, frames,
                                                 logits_time_major=False, blank_index=BLANK))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    return train_step


def fit(model, run: LineTrainingRun, lessons: list, validation: dict[str, list]) -> tuple[list, float]:
    """Epochs on a cosine schedule; the weights of the epoch reading the validation lessons best are kept."""
    import keras

    rng = np.random.default_rng(run.seed)
    optimizer = keras.optimizers.Adam(run.learning_rate)
    train_step = step_function(model, optimizer)
    history, best, best_weights = [], -1.0, model.get_weights()
    for epoch in range(1, run.epochs + 1):
        optimizer.learning_rate.assign(cosine_rate(run.learning_rate, epoch, run.epochs))
        losses, groups = [], batches(lessons, rng)
        for number, group in enumerate(groups, start=1):
            labels, lengths = targets([lessons[i][1] for i in group])
            losses.append(float(train_step(batch_of_lines([lessons[i][0] for i in group]), labels, lengths)))
            if number % 50 == 0 or number == len(groups):
                print(f"\r  epoch {epoch}/{run.epochs}: batch {number}/{len(groups)}, loss {np.mean(losses):.3f}",
                      end="", flush=True)
        scores = {name: exact_share(model, lines) for name, lines in validation.items()}
        history.append({"epoch": epoch, "loss": round(float(np.mean(losses)), 4), **scores})
        print("\n  read exactly: " + ", ".join(f"{name} {value:.4f}" for name, value in scores.items()), flush=True)
        if np.mean(list(scores.values())) > best:
            best, best_weights = float(np.mean(list(scores.values()))), model.get_weights()
    model.set_weights(best_weights)
    return history, best


def line_sources(data: str | None, pendigits: str | None, extra: str | None, workers: int) -> LineSources:
    """The digits a line command draws from, as its --data, --pendigits and --extra name them."""
    hands = tuple(load_hands(Path(extra), workers)) if extra else ()
    return LineSources(load_mnist(data), parse_pendigits(pendigits) if pendigits else [], pendigits, hands, extra)


def validation_lessons(pool: DigitPool, count: int, seed: int, workers: int) -> dict[str, list]:
    """The held-out fields and scenes a run with `seed` is measured on (drawn with seeds of their own)."""
    return {"fields": make_lessons(pool, count, seed + 1, workers, 0.0),
            "scenes": make_lessons(pool, count, seed + 2, workers, 1.0)}


def train(sources: LineSources, run: LineTrainingRun) -> dict:
    """From scratch, or from the weights of the line model at `run.base` (a fine-tune on newer lessons)."""
    import keras

    keras.utils.set_random_seed(run.seed)
    training_pool, validation_pool = pools(sources)
    started = time.perf_counter()
    print(f"drawing {run.count} training lessons and {VALIDATION_LINES} validation lessons of each kind", flush=True)
    lessons = make_lessons(training_pool, run.count, run.seed, run.workers, run.clutter_share, run.first_digits)
    validation = validation_lessons(validation_pool, min(VALIDATION_LINES, run.count), run.seed, run.workers)
    drawing_seconds = time.perf_counter() - started
    model = load_keras_model(run.base) if run.base else build_line_model()
    model.summary(print_fn=lambda line, **_: print(line))
    fit_started = time.perf_counter()
    history, best = fit(model, run, lessons, validation)
    save_model(model, run.out)
    card = line_model_card(model, sources, run, {"history": history, "best": best,
                                                 "drawing_seconds": round(drawing_seconds, 1),
                                                 "training_seconds": round(time.perf_counter() - fit_started, 1)})
    save_card(model_card_path(run.out), card)
    record_int8_ranges(run.out, training_pool, run.seed, run.workers, min(INT8_LESSONS, run.count))
    print(f"wrote {run.out} ({run.out.stat().st_size / 1e6:.2f} MB) and {model_card_path(run.out)}", flush=True)
    return read_model_card(run.out)


def record_int8_ranges(model: Path, pool: DigitPool, seed: int, workers: int, lessons: int = INT8_LESSONS,
                       command: str | None = None) -> None:
    """The activation ranges the model's convolutions run on 8-bit integers in (`networks.int8`), written into its
    card with how they were measured (`command`, or the command that made the model). The float network reads
    lessons drawn as training draws them, from `pool` (the training writers), each as the reader looks at a line:
    at each of its widths and turned half round (`line_views`, `orientation.half_turn_evidence`)."""
    images = [image for image, _ in make_lessons(pool, lessons, seed, workers, CLUTTER_SHARE)]
    looks = [image if width == 1.0 else stretched(image, width) for image in images for width in WIDTHS] + \
        [np.rot90(image, 2) for image in images]
    ranges = activation_ranges(float_graph(model)[0], (batch_of_lines([look]) for look in looks))
    card = read_model_card(model)
    card["int8"] = {"ranges": {name: [low, high] for name, (low, high) in ranges.items()}, "lessons": lessons,
                    "lines": len(looks), "seed": seed, "command": command or card.get("command")}
    save_card(model_card_path(model), card)


def line_model_card(model, sources: LineSources, run: LineTrainingRun, outcome: dict) -> dict:
    last = {key: value for key, value in outcome["history"][-1].items() if key not in ("epoch", "loss")}
    best_epoch = max(outcome["history"], key=lambda row: np.mean([row[key] for key in last]))
    return {
        "model": run.out.name,
        "sha256": model_sha256(run.out),
        "input": f"(N, {LINE_HEIGHT}, W, 1) float32 in [0, 1]: one line of the reader's cleaned ink by its gray "
                 "levels, ink bright",
        "output": "(N, 1, W/4, 11): per 4-pixel column, probabilities of the digits 0-9 and the CTC blank (10)",
        "parameters": int(model.count_params()),
        "accuracy": {f"synthetic_validation_{key}_exact": best_epoch[key] for key in last},
        "history": outcome["history"],
        "seed": run.seed,
        "drawing_seconds": outcome["drawing_seconds"],
        "training_seconds": outcome["training_seconds"],
        "data": {
            "lessons": {"training": run.count, "validation": f"{VALIDATION_LINES} fields and {VALIDATION_LINES} "
                        "lines of scenes", "clutter_share": run.clutter_share, "clutter_lines_per_scene":
                        CLUTTER_LINES, "generator": "digitocr.training.line_lessons", "fields":
                        FieldSettings().__dict__, "first_digits": run.first_digits, "flagged_ones": FLAGGED_ONES,
                        "lowered_flags": LOWERED_FLAGS, "longest_flag": LONGEST_FLAG, "looped_twos": LOOPED_TWOS,
                        "crossed_sevens": CROSSED_SEVENS},
            "mnist": {"source": sources.mnist.source, "md5": sources.mnist.md5, "licence": "CC BY-SA 3.0",
                      "training_digits": "the first 55,000 training images",
                      "validation_digits": "the last 5,000 training images"},
            "pendigits": {"source": sources.pendigits_path, "licence": "CC BY 4.0",
                          "md5": md5_of(Path(sources.pendigits_path)) if sources.pendigits_path else None,
                          "held_out_writers": sorted(HELD_OUT_WRITERS), "share_of_digits": PEN_SHARE},
            "hands": {"source": sources.extra_path, "share_of_digits": HAND_SHARE if sources.hands else 0.0,
                      "sets": {hand.name: int((~hand.held_out).sum()) for hand in sources.hands}},
        },
        "training": {"batch_size": BATCH_SIZE, "epochs": run.epochs, "optimizer": "Adam, cosine learning rate",
                     "learning_rate": run.learning_rate, "loss": "CTC",
                     "started_from": model_reference(run.base) if run.base else "random weights"},
        "command": "python -m digitocr.train_lines " + " ".join(sys.argv[1:]),
    }


@errors_in_one_line
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitocr.train_lines", description=__doc__.splitlines()[0])
    add_training_data_options(parser)
    parser.add_argument("--out", default=str(DEFAULT_LINE_MODEL_PATH.name), help="where to write the model")
    parser.add_argument("--lines", type=whole_number(1), default=TRAINING_LINES, help="training lessons")
    parser.add_argument("--clutter", type=probability, default=CLUTTER_SHARE, help="share of lessons drawn from scenes")
    parser.add_argument("--epochs", type=whole_number(1), default=MAX_EPOCHS)
    parser.add_argument("--workers", type=whole_number(1), default=multiprocessing.cpu_count(),
                        help="processes drawing lessons")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--base", help="a line model to fine-tune from instead of random weights")
    parser.add_argument("--learning-rate", type=positive_number, default=LEARNING_RATE,
                        help="the cosine schedule's start")
    parser.add_argument("--first-digits", choices=sorted(FIRST_DIGITS), default="uniform",
                        help="fields' first digits as the digit pool gives them, or as people's numbers begin "
                             "(Benford's law, a tenth of them zeros)")
    args = parser.parse_args(argv)
    sources = line_sources(args.data, args.pendigits, args.extra, args.workers)
    train(sources, LineTrainingRun(Path(args.out), args.lines, args.epochs, args.seed, args.workers,
                                   Path(args.base) if args.base else None, args.learning_rate, args.clutter,
                                   args.first_digits))
    return 0


if __name__ == "__main__":
    sys.exit(main())
