"""Train the sign judge: `python -m digitocr.training.train_signs --data MNIST_DIR --pendigits FILE`.

A sign beside a number ('$120', '35%') is read by both readers as a digit of
its shape. The judge learns to tell such a mark from a digit as the reader
meets both: at the ends of the lines it reads. Numbers by the training
writers (MNIST's first 55,000 training digits, pendigits writers 1-20) are
drawn with a sign before or after them, written by hand ('$', '€', '£', '#',
'%', '+', '=') or printed, as in the stress suite's `hand_signs` and
`printed_signs` (`scenes.mark_beside`), and every upright scene kind is
drawn as well, for digits beside every kind of clutter, and numbers whose
last digits are written small (`small_digits_after`): a judge that met only
full-height digits learned that a mark smaller than the line's is a sign,
and took the small zeros of a round sum for one. Each image is read
by the reader without the judge; where the reading is the number with one
more digit at an end, or two, that digit is a sign, and every other digit of
the line is a digit; a reading otherwise wrong is left out, as its marks
have no place to be labelled from. Each mark is taken as the judge sees it
(`lines.mark_field`), and a fifth of the images is held out.

The lessons hold far more signs than the fields a clerk keys in: about one
end mark in twelve, and the signs weigh three times a digit. A mark is taken
for a sign where, among end marks of which REAL_SIGN_SHARE are signs, it is
more likely a sign than a digit: where its log-odds, less its lessons' prior
log-odds and plus those of REAL_SIGN_SHARE, reach zero (`sign_from`, in the
card). From the lessons' own prior on (0.95), the dev cells lost 9 readings
and the cheques 2 (leading '1's, small trailing zeros, taken for signs): the
judge is surer of a real cell's mark than of a drawn one. Writes
`SignJudge.keras` and its card.
"""

import argparse
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..arguments import add_training_data_options, errors_in_one_line, whole_number
from ..image.lines import LineImage
from ..networks.classifier import DigitClassifier
from ..networks.line_recognizer import LINE_HEIGHT, LineRecognizer
from ..networks.model_files import model_card_path, model_sha256, save_card, save_model
from ..networks.onnx_net import OnnxNet
from ..networks.orientation import OrientationNet
from ..networks.sign_judge import DEFAULT_SIGN_JUDGE_PATH, SIGN_CLASSES, SignJudge
from ..reader import Models, Reader
from ..reader.confidence import ConfidenceModel
from ..reader.number_finder import NumberFinder
from ..reader.orientation import TurnEvidence
from ..reader.prepare import prepare
from ..reader.signs import end_marks, mark_fields
from ..reader.steps import finish
from ..reader.word_groups import WordGroupJudge
from ..results import Box, Digit
from . import distractors
from .mnist import load_mnist
from .pendigits import parse_pendigits
from .scenes import (DIGIT_HEIGHT, MAKERS, SMALL_TAIL_HEIGHT, UPRIGHT_KINDS, Page, Writer, canvas_export,
                     digit_height, framed, group_of, in_the_same_pen, mark_beside, on_page, render_page)
from .train import cosine_rate
from .train_lines import LineSources, pools

SEED = 1357
SIGN_SCENES = 12000  # numbers with a sign beside them: a sign is read as one more digit in about a quarter of them
SMALL_END_SCENES = 6000  # numbers whose last digits are written smaller, as cents and round sums often are
SMALL_END = (0.4, 0.85)  # the small digits' height, of the first digits'
OTHER_PER_KIND = 320  # scenes of each upright kind, for digits beside every kind of clutter
HAND_SHARE = 0.7  # of the signs, written by hand; the rest printed
HELD_OUT_SHARE = 0.2
EPOCHS = 30
LEARNING_RATE = 2e-3
BATCH_SIZE = 128
REAL_SIGN_SHARE = 0.001  # of the marks at the ends of the lines of the fields read: one number in five hundred
# written with a sign beside it (a '$' before an amount, a '%' after a rate)
SIGN, DIGIT = 1, 0
TRAINING_WRITERS = "MNIST's first 55,000 training images and pendigits writers 1-20"


class NoSigns:
    """Stands in for a judge of signs or slashes while lessons are drawn: it finds none, so the reading keeps every
    mark."""

    sign_from = 1.0

    def sign_chances(self, marks: np.ndarray) -> np.ndarray:
        return np.zeros(len(marks), np.float32)


def lesson_reader(signs: SignJudge | NoSigns) -> Reader:
    """What a judge's lessons are read by: the reader as it is, a network a thread, with `signs` for its sign judge
    and no slash judge."""
    return Reader(models=Models(DigitClassifier.load(threads=1), LineRecognizer.load(threads=1), ConfidenceModel.load(),
                                NumberFinder.load(), OrientationNet.load(threads=1), WordGroupJudge.load(),
                                TurnEvidence.load(), signs, NoSigns()))


def sign_beside(writer: Writer, rng: np.random.Generator) -> Page:
    """A number with a sign before or after it, written by hand or printed, a little apart."""
    height = digit_height(rng)
    page = framed(writer, height, rng)
    sign = distractors.hand_sign(str(rng.choice(distractors.HAND_SIGNS_BESIDE)), int(height), rng) \
        if rng.random() < HAND_SHARE else distractors.printed_sign(int(height), rng, between=False)
    return mark_beside(page, sign, rng, rng.random() < 0.35, (0.05, 0.5))


def small_digits_after(writer: Writer, rng: np.random.Generator) -> Page:
    """A number whose last one to three digits are written smaller (`SMALL_END` of the first digits' height) in the
    same pen, anywhere from the line's foot to its top: digits a person reads as the number's, however small, which
    a judge that knew only full-height digits beside smaller signs would take for signs by their size."""
    height = digit_height(rng, (SMALL_TAIL_HEIGHT, DIGIT_HEIGHT[1]))
    pen = replace(writer, settings=replace(writer.settings, separator_probability=0.0, bold_probability=0.0))
    head, head_text = group_of(pen, height, rng, int(rng.integers(1, 5)))
    tail, tail_text = group_of(pen, height, rng, int(rng.integers(1, 4)))
    tail = in_the_same_pen(tail, rng.uniform(*SMALL_END))
    row = Page.blank(max(head.shape[0], tail.shape[0]), head.shape[1] + tail.shape[1])
    row = row.widened(right=int(height * rng.uniform(0.0, 0.35)))
    row.paste(head, 0, row.ink.shape[0] - head.shape[0])
    row.paste(tail, row.ink.shape[1] - tail.shape[1], int(rng.uniform(0, 1) * (row.ink.shape[0] - tail.shape[0])))
    return on_page(row.ink, head_text + tail_text, height, rng)


def labels_of(reading_text: str, truth: str) -> list[int] | None:
    """Per digit read, SIGN or DIGIT, where the reading is the number with a sign read at either end or both;
    None where it is otherwise wrong."""
    digits = [DIGIT] * len(truth)
    if reading_text == truth:
        return digits
    extra = len(reading_text) - len(truth)
    if extra == 1 and reading_text[1:] == truth:
        return [SIGN] + digits
    if extra == 1 and reading_text[:-1] == truth:
        return digits + [SIGN]
    if extra == 2 and reading_text[1:-1] == truth:
        return [SIGN] + digits + [SIGN]
    return None


def one_line_read(reader: Reader, pixels: np.ndarray) -> tuple[list[Digit], LineImage, Box] | None:
    """The digits of the one line the reader reads in the image, with the line image they were read in (the one
    whose band holds them all) and its place in the image's pixels; None where it reads other than one line."""
    prepared = prepare(pixels, reader.settings)
    answers = reader.answers([prepared])[0]
    reading = finish(prepared, answers, reader.settings, reader.models, False)
    if len(reading.lines) != 1:
        return None
    digits = list(reading.lines[0].digits)
    for line in answers.lines:
        line_box = prepared.analysis.box_in_original(*line.box)
        if all(line_box.x <= d.box.x and d.box.x + d.box.width <= line_box.x + line_box.width for d in digits):
            return digits, line, line_box
    return None


def labelled_marks(reader: Reader, pixels: np.ndarray, truth: str) -> tuple[np.ndarray, np.ndarray] | None:
    """The marks at the ends of the one line the reader reads in the image (as the judge sees them), and whether
    each is a sign; None where it reads other than one line of the number and its signs."""
    read = one_line_read(reader, pixels)
    labels = labels_of("".join(str(d.label) for d in read[0]), truth) if read and truth else None
    if labels is None or len(labels) < 2:
        return None
    digits, line, line_box = read
    return mark_fields(digits, line, line_box), np.array([labels[index] for index in end_marks(digits)])


def draw_share(share: tuple[str, str | None, int, int, int, int]) -> tuple[np.ndarray, np.ndarray, int]:
    """One worker's share of the lessons: (MNIST, pendigits, seed, sign scenes, scenes per upright kind, numbers
    ending small) to the marks, their labels and how many images gave some."""
    data, pendigits, seed, sign_scenes, per_kind, small_end_scenes = share
    training_pool, _ = pools(LineSources(load_mnist(data), parse_pendigits(pendigits) if pendigits else []))
    reader = lesson_reader(NoSigns())
    plan = [(sign_beside, sign_scenes)] + [(MAKERS[kind], per_kind) for kind in UPRIGHT_KINDS] + \
        [(small_digits_after, small_end_scenes)]
    marks, labels, images = [], [], 0
    for number, (maker, count) in enumerate(plan):
        rng = np.random.default_rng([seed, number])
        for _ in range(count):
            page = maker(Writer(training_pool), rng)
            pixels = canvas_export(page, rng) if page.drawn else render_page(page, rng)
            truth = "\n".join(text for _, text in page.in_order())
            if "\n" in truth:
                continue
            found = labelled_marks(reader, pixels, truth)
            if found is not None:
                marks.append(found[0])
                labels.append(found[1])
                images += 1
    return np.concatenate(marks), np.concatenate(labels), images


def build_sign_judge():
    """Plain 3x3 convolutions halving the field three times, and global pooling: a mark's shape and how it stands
    against its line's band are coarse, and the judge looks at two marks a line."""
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input(shape=(LINE_HEIGHT, LINE_HEIGHT, 1)),
        layers.Conv2D(16, 3, padding="same"), layers.ReLU(), layers.MaxPooling2D(2),  # 16x16x16
        layers.Conv2D(32, 3, padding="same"), layers.ReLU(), layers.MaxPooling2D(2),  # 8x8x32
        layers.Conv2D(48, 3, padding="same"), layers.ReLU(), layers.MaxPooling2D(2),  # 4x4x48
        layers.Conv2D(64, 3, padding="same"), layers.ReLU(),
        layers.GlobalAveragePooling2D(),
        layers.Dense(SIGN_CLASSES, activation="softmax"),
    ], name="sign_judge")


def shifted(marks: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each mark moved up to two columns either way: where a box ends, the field's edge falls a column or two off."""
    return np.stack([np.roll(mark, int(shift), axis=1) for mark, shift in zip(marks, rng.integers(-2, 3, len(marks)))])


def sign_from(signs: int, digits: int, sign_weight: float, real_share: float = REAL_SIGN_SHARE) -> float:
    """The judge's chance from which a mark is more likely a sign than a digit where `real_share` of the marks are
    signs, for a judge that learned from `signs` and `digits` marks, each sign weighing `sign_weight`."""
    learned_odds = sign_weight * signs / digits
    threshold_odds = learned_odds / (real_share / (1 - real_share))
    return threshold_odds / (1 + threshold_odds)


def operating_point(chances: np.ndarray, labels: np.ndarray, threshold: float) -> dict:
    """What calling a mark a sign from `threshold` on does to the held-out marks."""
    digits, signs = chances[labels == DIGIT], chances[labels == SIGN]
    return {"sign_from": threshold, "held_out_signs": int(len(signs)), "held_out_digits": int(len(digits)),
            "signs_caught": float(np.mean(signs >= threshold)),
            "digits_called_signs": float(np.mean(digits >= threshold))}


def drawn_marks(draw: Callable[[tuple], tuple[np.ndarray, np.ndarray, int]], shares: list[tuple],
                workers: int) -> tuple[np.ndarray, np.ndarray, int]:
    """The workers' shares of a judge's lessons, drawn side by side by `draw`: the marks as (N, 32, 32, 1), their
    labels, and how many images gave some."""
    with ProcessPoolExecutor(workers) as pool:
        drawn = list(pool.map(draw, shares))
    return (np.concatenate([found[0] for found in drawn])[..., None].astype(np.float32),
            np.concatenate([found[1] for found in drawn]), sum(found[2] for found in drawn))


def fitted_judge(lessons: tuple[np.ndarray, np.ndarray, int], weights: dict | None, epochs: int, seed: int,
                 rng: np.random.Generator, report: Callable[[int, np.ndarray], dict]):
    """A judge's network (`build_sign_judge`) taught the first `cut` of the `lessons` (marks, labels, cut); after
    each epoch its chances for the rest go to `report`, whose last answer comes back with the network."""
    import keras

    marks, labels, cut = lessons
    keras.utils.set_random_seed(seed)
    model = build_sign_judge()
    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="sparse_categorical_crossentropy")
    for epoch in range(1, epochs + 1):
        model.optimizer.learning_rate.assign(cosine_rate(LEARNING_RATE, epoch, epochs))
        model.fit(shifted(marks[:cut], rng), labels[:cut], batch_size=BATCH_SIZE, epochs=1, verbose=0,
                  class_weight=weights)
        point = report(epoch, model.predict(marks[cut:], verbose=0)[:, SIGN])
    return model, point


def saved_judge(model, out: Path, facts: dict, started: float, command: str) -> dict:
    """`model` written to `out` with its card: its own `facts`, and what every judge's card says of its file and
    training."""
    save_model(model, out)
    card = {"model": out.name, "sha256": model_sha256(out)} | facts | {
        "parameters": int(model.count_params()), "multiply_adds": OnnxNet.from_archive(out).multiply_adds,
        "file_bytes": out.stat().st_size, "learning_rate": LEARNING_RATE, "batch_size": BATCH_SIZE,
        "training_seconds": round(time.perf_counter() - started, 1), "command": " ".join([command, *sys.argv[1:]])}
    save_card(model_card_path(out), card)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB) and {model_card_path(out)}: {facts['held_out']}",
          flush=True)
    return card


def train(shares: list[tuple], workers: int, out: Path, epochs: int, seed: int) -> dict:
    started = time.perf_counter()
    marks, labels, images = drawn_marks(draw_share, shares, workers)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(labels))
    marks, labels = marks[order], labels[order]
    cut = int((1 - HELD_OUT_SHARE) * len(labels))
    print(f"{len(labels)} marks from {images} images, {int(labels.sum())} of them signs; {len(labels) - cut} held out",
          flush=True)
    signs = max(1, int(labels[:cut].sum()))
    weights = {DIGIT: 1.0, SIGN: float(np.sqrt((cut - signs) / signs))}  # halfway to balanced, in log terms
    threshold = sign_from(signs, cut - signs, weights[SIGN])

    def report(epoch: int, chances: np.ndarray) -> dict:
        point = operating_point(chances, labels[cut:], threshold)
        print(f"epoch {epoch}: from {threshold:.4f} catches {point['signs_caught']:.3f} of the held-out "
              f"signs, calls {point['digits_called_signs']:.4f} of the digits signs", flush=True)
        return point

    model, point = fitted_judge((marks, labels, cut), weights, epochs, seed, rng, report)
    facts = {"input": f"(N, {LINE_HEIGHT}, {LINE_HEIGHT}, 1) float32 in [0, 1]: a mark at a line's end, the columns "
                      "of its line's image it spans (`lines.mark_field`), ink bright",
             "output": "2 softmax probabilities: a digit, a sign beside the number",
             "sign_from": threshold, "real_sign_share": REAL_SIGN_SHARE, "held_out": point, "epochs": epochs,
             "class_weights": weights, "seed": seed,
             "data": {"marks": int(len(labels)), "signs": int(labels.sum()), "held_out_share": HELD_OUT_SHARE,
                      "images": {"sign_scenes": sum(share[3] for share in shares),
                                 "scenes_per_upright_kind": sum(share[4] for share in shares),
                                 "small_end_scenes": sum(share[5] for share in shares)},
                      "writers": TRAINING_WRITERS}}
    return saved_judge(model, out, facts, started, "python -m digitocr.training.train_signs")


def judge_options(parser: argparse.ArgumentParser, out: Path, seed: int, scene_options: Callable[[], None]):
    """A judge's training command's options: the data, where to write it, its own scenes' counts (`scene_options`
    adds them), epochs, seed and workers."""
    add_training_data_options(parser, extra=False)
    parser.add_argument("--out", default=str(out.name), help="where to write the model")
    scene_options()
    parser.add_argument("--epochs", type=whole_number(1), default=EPOCHS)
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument("--workers", type=whole_number(1), default=2, help="processes drawing and reading the images")


@errors_in_one_line
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitocr.training.train_signs",
                                     description=__doc__.splitlines()[0])

    def scene_options():
        parser.add_argument("--sign-scenes", type=whole_number(1), default=SIGN_SCENES,
                            help="numbers drawn with a sign beside them")
        parser.add_argument("--scenes", type=whole_number(0), default=OTHER_PER_KIND,
                            help="scenes drawn of each upright kind")
        parser.add_argument("--small-end-scenes", type=whole_number(0), default=SMALL_END_SCENES,
                            help="numbers drawn with their last digits written small")

    judge_options(parser, DEFAULT_SIGN_JUDGE_PATH, SEED, scene_options)
    args = parser.parse_args(argv)
    shares = [(args.data, args.pendigits, args.seed + worker, args.sign_scenes // args.workers,
               args.scenes // args.workers, args.small_end_scenes // args.workers) for worker in range(args.workers)]
    train(shares, args.workers, Path(args.out), args.epochs, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
