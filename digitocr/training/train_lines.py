"""Train the line recognizer: `python -m digitocr.train_lines --data MNIST_DIR --pendigits FILE`.

Sections in order: settings, data, model, training, evaluation, saving.
The recognizer reads a whole line of the reader's cleaned ink, scaled to 32
rows, and answers every 4-pixel column with probabilities over the ten
digits and a blank; it is trained with CTC, so it needs no cut between
digits. Its lessons are synthetic number fields (`line_synth`) drawn from
MNIST training digits and the pen strokes of pendigits writers 1-20, passed
through the reader's pipeline. Validation fields are drawn from the MNIST
validation digits and writers 21-30, never trained on.
"""

import argparse
import json
import multiprocessing
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..networks.ctc import BLANK, greedy_decode
from ..networks.line_recognizer import DEFAULT_LINE_MODEL_PATH, LINE_HEIGHT, batch_of_lines
from ..networks.model_files import load_keras_model, model_reference, model_sha256, save_model
from . import augment
from .line_synth import FieldSettings, training_line
from .mnist import MnistData, load_mnist
from .pendigits import PenDigit, parse_pendigits
from .digit_data import HELD_OUT_WRITERS, VALIDATION_SIZE, cropped, mnist_mask, pen_input
from .train import SEED, cosine_rate, md5_of

TRAINING_LINES = 150000
VALIDATION_LINES = 2000
BATCH_SIZE = 64
MAX_EPOCHS = 14
LEARNING_RATE = 1e-3
PEN_SHARE = 0.3  # of the digits in a field, drawn from pen strokes; the rest from MNIST
FLAGGED_ONES = 0.5  # of the 1s, given a flag as much of Europe writes them...
LOWERED_FLAGS = 0.3  # ...half of those leaving the stem up to this share of its height below its tip
LONGEST_FLAG = 1.5  # of the stem's height: a lead-in stroke from the line up to the stem's tip, as on cheques
LOOPED_TWOS = 0.3  # of the 2s, given a loop at the base as much of Latin America writes them


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


class DigitPool:
    """Where a field's digits come from: MNIST masks and pen digits, 1s sometimes flagged, 2s sometimes looped."""

    def __init__(self, masks: list[np.ndarray], labels: np.ndarray, pens: list[PenDigit]):
        self.masks, self.labels, self.pens = masks, labels, pens

    def __call__(self, rng: np.random.Generator) -> tuple[np.ndarray, int]:
        if self.pens and rng.random() < PEN_SHARE:
            digit = self.pens[int(rng.integers(len(self.pens)))]
            mask, label = pen_input(digit, rng), digit.label
        else:
            index = int(rng.integers(len(self.masks)))
            mask, label = self.masks[index], int(self.labels[index])
        if label == 1 and rng.random() < FLAGGED_ONES:
            mask = augment.flagged_one(cropped(mask), rng, LOWERED_FLAGS, LONGEST_FLAG)
        elif label == 2 and rng.random() < LOOPED_TWOS:
            mask = augment.looped_two(cropped(mask), rng)
        return mask, label


_POOL: DigitPool | None = None  # the digits a forked worker draws from, set before forking


def _make_lines(task: tuple[int, int]) -> list[tuple[np.ndarray, str]]:
    count, seed = task
    rng = np.random.default_rng(seed)
    made = []
    while len(made) < count:
        sample = training_line(_POOL, rng)
        if sample is not None:
            made.append((sample[0].image, sample[1]))
    return made


def make_lines(pool: DigitPool, count: int, seed: int, workers: int) -> list[tuple[np.ndarray, str]]:
    """`count` fields through the pipeline, made in forked workers that share the digit pool."""
    global _POOL
    _POOL = pool
    chunk = 500
    tasks = [(min(chunk, count - start), seed * 100003 + start) for start in range(0, count, chunk)]
    made = []
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as workers_pool:
        for lines in workers_pool.imap(_make_lines, tasks):
            made += lines
            print(f"\r  {len(made)}/{count} lines", end="", flush=True)
    print(flush=True)
    return made


def batches(lines: list[tuple[np.ndarray, str]], rng: np.random.Generator) -> list[list[int]]:
    """Batches of lines of similar width (little padding), in random order."""
    order = sorted(range(len(lines)), key=lambda i: lines[i][0].shape[1] + rng.uniform(0, 8))
    groups = [order[start:start + BATCH_SIZE] for start in range(0, len(order), BATCH_SIZE)]
    return [groups[i] for i in rng.permutation(len(groups))]


def targets(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    longest = max(len(text) for text in texts)
    labels = np.zeros((len(texts), longest), np.int32)
    for row, text in enumerate(texts):
        labels[row, :len(text)] = [int(c) for c in text]
    return labels, np.array([len(text) for text in texts], np.int32)


def read_lines(model, images: list[np.ndarray]) -> list[str]:
    texts = []
    for start in range(0, len(images), 256):
        chunk = images[start:start + 256]
        output = np.asarray(model(batch_of_lines(chunk), training=False))[:, 0]
        texts += [greedy_decode(output[i, :-(-image.shape[1] // 4)]).text for i, image in enumerate(chunk)]
    return texts


def exact_share(model, lines: list[tuple[np.ndarray, str]]) -> float:
    read = read_lines(model, [image for image, _ in lines])
    return float(np.mean([text == truth for text, (_, truth) in zip(read, lines)]))


@dataclass(frozen=True)
class LineTrainingRun:
    """What one run of the line recognizer's training command is asked for."""

    out: Path
    count: int = TRAINING_LINES  # synthetic training fields
    epochs: int = MAX_EPOCHS
    seed: int = SEED
    workers: int = 1  # processes drawing fields
    base: Path | None = None  # the line model to fine-tune from, instead of random weights
    learning_rate: float = LEARNING_RATE


def train(mnist: MnistData, pens: list[PenDigit], pendigits_source: str, run: LineTrainingRun) -> dict:
    """From scratch, or from the weights of the line model at `run.base` (a fine-tune on newer fields)."""
    import keras
    import tensorflow as tf

    out, count, epochs, seed, workers, base, learning_rate = (run.out, run.count, run.epochs, run.seed, run.workers,
                                                              run.base, run.learning_rate)
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    train_images, train_labels = mnist.train_images[:-VALIDATION_SIZE], mnist.train_labels[:-VALIDATION_SIZE]
    val_images, val_labels = mnist.train_images[-VALIDATION_SIZE:], mnist.train_labels[-VALIDATION_SIZE:]
    training_pool = DigitPool([mnist_mask(i) for i in train_images], train_labels,
                              [d for d in pens if d.writer not in HELD_OUT_WRITERS])
    validation_pool = DigitPool([mnist_mask(i) for i in val_images], val_labels,
                                [d for d in pens if d.writer in HELD_OUT_WRITERS])
    started = time.perf_counter()
    print(f"drawing {count} training fields and {VALIDATION_LINES} validation fields", flush=True)
    lines = make_lines(training_pool, count, seed, workers)
    validation = make_lines(validation_pool, min(VALIDATION_LINES, count), seed + 1, workers)
    drawing_seconds = time.perf_counter() - started

    model = build_line_model()
    started_from = "random weights"
    if base:
        model.set_weights(load_keras_model(base).get_weights())
        started_from = model_reference(base)
    model.summary(print_fn=lambda line, **_: print(line))
    optimizer = keras.optimizers.Adam(learning_rate)

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

    history, best, best_weights = [], -1.0, None
    fit_started = time.perf_counter()
    for epoch in range(1, epochs + 1):
        optimizer.learning_rate.assign(cosine_rate(learning_rate, epoch, epochs))
        losses = []
        groups = batches(lines, rng)
        for number, group in enumerate(groups, start=1):
            labels, lengths = targets([lines[i][1] for i in group])
            losses.append(float(train_step(batch_of_lines([lines[i][0] for i in group]), labels, lengths)))
            if number % 50 == 0 or number == len(groups):
                print(f"\r  epoch {epoch}/{epochs}: batch {number}/{len(groups)}, loss {np.mean(losses):.3f}",
                      end="", flush=True)
        score = exact_share(model, validation)
        history.append({"epoch": epoch, "loss": round(float(np.mean(losses)), 4), "validation_exact": score})
        print(f"\n  validation fields read exactly: {score:.4f}", flush=True)
        if score > best:
            best, best_weights = score, model.get_weights()
    model.set_weights(best_weights)
    save_model(model, out)
    card = {
        "model": out.name,
        "sha256": model_sha256(out),
        "input": f"(N, {LINE_HEIGHT}, W, 1) float32 in [0, 1]: one line of the reader's cleaned ink, ink bright",
        "output": "(N, 1, W/4, 11): per 4-pixel column, probabilities of the digits 0-9 and the CTC blank (10)",
        "parameters": int(model.count_params()),
        "accuracy": {"synthetic_validation_fields_exact": best},
        "history": history,
        "seed": seed,
        "drawing_seconds": round(drawing_seconds, 1),
        "training_seconds": round(time.perf_counter() - fit_started, 1),
        "data": {
            "fields": {"training": count, "validation": len(validation), "generator": "digitocr.line_synth",
                       "settings": FieldSettings().__dict__, "flagged_ones": FLAGGED_ONES,
                       "lowered_flags": LOWERED_FLAGS, "longest_flag": LONGEST_FLAG, "looped_twos": LOOPED_TWOS},
            "mnist": {"source": mnist.source, "md5": mnist.md5, "licence": "CC BY-SA 3.0",
                      "training_digits": "the first 55,000 training images",
                      "validation_digits": "the last 5,000 training images"},
            "pendigits": {"source": pendigits_source, "licence": "CC BY 4.0",
                          "md5": md5_of(Path(pendigits_source)) if pendigits_source else None,
                          "held_out_writers": sorted(HELD_OUT_WRITERS), "share_of_digits": PEN_SHARE},
        },
        "training": {"batch_size": BATCH_SIZE, "epochs": epochs, "optimizer": "Adam, cosine learning rate",
                     "learning_rate": learning_rate, "loss": "CTC", "started_from": started_from},
        "command": "python -m digitocr.train_lines " + " ".join(sys.argv[1:]),
    }
    out.with_suffix(".json").write_text(json.dumps(card, indent=2, default=str) + "\n")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB) and {out.with_suffix('.json')}", flush=True)
    return card


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitocr.train_lines", description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="MNIST: a folder of IDX files or an mnist.npz (default: Keras' download)")
    parser.add_argument("--pendigits", help="pendigits-orig.tra, pen strokes to draw digits from")
    parser.add_argument("--out", default=str(DEFAULT_LINE_MODEL_PATH.name), help="where to write the model")
    parser.add_argument("--lines", type=int, default=TRAINING_LINES, help="synthetic training fields")
    parser.add_argument("--epochs", type=int, default=MAX_EPOCHS)
    parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count(), help="processes drawing fields")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--base", help="a line model to fine-tune from instead of random weights")
    parser.add_argument("--learning-rate", type=float, default=LEARNING_RATE, help="the cosine schedule's start")
    args = parser.parse_args(argv)
    mnist = load_mnist(args.data)
    pens = parse_pendigits(args.pendigits) if args.pendigits else []
    train(mnist, pens, args.pendigits, LineTrainingRun(Path(args.out), args.lines, args.epochs, args.seed, args.workers,
                                                        Path(args.base) if args.base else None, args.learning_rate))
    return 0


if __name__ == "__main__":
    sys.exit(main())
