"""Train the slash judge: `python -m digitocr.training.train_slashes --data MNIST_DIR --pendigits FILE`.

A date written '12/03/24' is read by both readers as '12103124'. The reader
asks the judge only where a line reads in a date's shape
(`dates.slash_places`), so its lessons are that question, by the training
writers (MNIST's first 55,000 training digits, pendigits writers 1-20):
dates whose day and month of two digits each and year of two or four are
parted by slashes written by hand (`distractors.hand_sign('/')`),
and as many numbers of the same shape whose third and sixth digits are the
writer's own '1's, spaced as digits are. Each image is read by the reader
without the judge; where it reads the date's digits with a '1' for each
slash, the two marks are slashes, and where it reads the number right, the
two '1's are digits; any other reading is left out. Each mark is taken as
the judge sees it (`lines.mark_field`), and a fifth of the images is held
out. The network and its training are the sign judge's
(`train_signs.build_sign_judge`); a mark is taken for a slash where, among
date-shaped readings of which REAL_DATE_SHARE are dates, it is more likely a
slash than a '1' (`slash_from`, kept in the card as `sign_from`). Writes
`SlashJudge.keras` and its card.
"""

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..arguments import errors_in_one_line, whole_number
from ..networks.line_recognizer import LINE_HEIGHT
from ..networks.sign_judge import DEFAULT_SLASH_JUDGE_PATH, SignJudge
from ..reader import Reader
from ..reader.dates import slash_fields
from . import distractors
from .mnist import load_mnist
from .pendigits import parse_pendigits
from .scenes import Page, Writer, digit_height, group_of, parted_groups, render_page
from .train_lines import LineSources, pools
from .train_signs import (HELD_OUT_SHARE, TRAINING_WRITERS, drawn_marks, fitted_judge, judge_options, lesson_reader,
                          one_line_read, operating_point, saved_judge, sign_from)

SEED = 2468
DATE_SCENES = 4000  # dates parted by slashes written by hand
NUMBER_SCENES = 4000  # numbers of a date's shape whose '1's are digits
WIDEST_SLASH_GAP = 0.4  # of the digits' height, between a slash and the digits either side
WIDEST_DIGIT_GAP = 0.25  # ...and between a '1' and its neighbours, as a number's digits are spaced
LESSON_SLASHES = (2, 5)  # where a day and a month of two digits each leave the slashes, read as '1's
REAL_DATE_SHARE = 0.5  # of the lines read as a date with '1's for its slashes: as many dates as numbers, for a
# reader that knows no more of the field it reads
SLASH, DIGIT = 1, 0


def a_one(writer: Writer, height: float, rng: np.random.Generator) -> np.ndarray:
    """A '1' by `writer`, `height` pixels tall, as a one-digit number of theirs."""
    def ones(draw_rng: np.random.Generator) -> tuple[np.ndarray, int]:
        while True:
            mask, label = writer.digits(draw_rng)
            if label == 1:
                return mask, label
    return group_of(replace(writer, digits=ones), height, rng, 1)[0]


def date_shaped(writer: Writer, rng: np.random.Generator, slashes: bool) -> Page:
    """A day, a month and a year of two digits or four (`scenes.parted_groups`), parted by slashes written by hand,
    or by '1's written as digits; its text is as the reader reads it, with a '1' between the parts either way."""
    height = digit_height(rng)
    plain = replace(writer, settings=replace(writer.settings, separator_probability=0.0))

    def partings(count: int) -> list[np.ndarray]:
        return [distractors.hand_sign("/", int(height), rng) if slashes else a_one(plain, height, rng)
                for _ in range(count)]

    page = parted_groups(writer, height, rng, (2, 2, 4 if rng.random() < 0.5 else 2), partings,
                         WIDEST_SLASH_GAP if slashes else WIDEST_DIGIT_GAP)
    box, digits = page.numbers[0]
    page.numbers[0] = (box, "1".join([digits[:2], digits[2:4], digits[4:]]))
    return page


def labelled_marks(reader: Reader, pixels: np.ndarray, truth: str) -> np.ndarray | None:
    """The two marks where the one line the reader reads in the image has a date's slashes, as the judge sees
    them; None where it reads other than `truth`."""
    read = one_line_read(reader, pixels)
    if read is None or "".join(str(d.label) for d in read[0]) != truth:
        return None
    digits, line, line_box = read
    return slash_fields(digits, LESSON_SLASHES, line, line_box)


def draw_share(share: tuple[str, str | None, int, int, int]) -> tuple[np.ndarray, np.ndarray, int]:
    """One worker's share of the lessons: (MNIST, pendigits, seed, dates, numbers) to the marks, their labels and
    how many images gave some."""
    data, pendigits, seed, dates, numbers = share
    training_pool, _ = pools(LineSources(load_mnist(data), parse_pendigits(pendigits) if pendigits else []))
    reader = lesson_reader(SignJudge.load(threads=1))
    marks, labels, images = [], [], 0
    for number, (label, count) in enumerate([(SLASH, dates), (DIGIT, numbers)]):
        rng = np.random.default_rng([seed, number])
        for _ in range(count):
            page = date_shaped(Writer(training_pool), rng, label == SLASH)
            found = labelled_marks(reader, render_page(page, rng), page.numbers[0][1])
            if found is not None:
                marks.append(found)
                labels.append(np.full(len(found), label))
                images += 1
    return np.concatenate(marks), np.concatenate(labels), images


def train(shares: list[tuple], workers: int, out: Path, epochs: int, seed: int) -> dict:
    started = time.perf_counter()
    marks, labels, images = drawn_marks(draw_share, shares, workers)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(labels) // 2)  # a line's two marks stay together, held out or learned
    order = np.stack([2 * order, 2 * order + 1], 1).ravel()
    marks, labels = marks[order], labels[order]
    cut = 2 * int((1 - HELD_OUT_SHARE) * len(labels) / 2)
    print(f"{len(labels)} marks from {images} images, {int(labels.sum())} of them slashes; {len(labels) - cut} held "
          "out", flush=True)
    slashes = max(1, int(labels[:cut].sum()))
    threshold = sign_from(slashes, cut - slashes, 1.0, REAL_DATE_SHARE)

    def report(epoch: int, chances: np.ndarray) -> dict:
        point = held_out_dates(chances, labels[cut:], threshold)
        print(f"epoch {epoch}: from {threshold:.4f} finds {point['dates_found']:.3f} of the held-out dates, "
              f"{point['numbers_called_dates']:.4f} of the numbers dates", flush=True)
        return point

    model, point = fitted_judge((marks, labels, cut), None, epochs, seed, rng, report)
    facts = {"input": f"(N, {LINE_HEIGHT}, {LINE_HEIGHT}, 1) float32 in [0, 1]: a '1' read where a date has a "
                      "slash, the columns of its line's image it spans (`lines.mark_field`), ink bright",
             "output": "2 softmax probabilities: a digit, a date's slash",
             "sign_from": threshold, "real_date_share": REAL_DATE_SHARE, "held_out": point, "epochs": epochs,
             "seed": seed,
             "data": {"marks": int(len(labels)), "slashes": int(labels.sum()), "held_out_share": HELD_OUT_SHARE,
                      "images": {"dates": sum(share[3] for share in shares),
                                 "numbers": sum(share[4] for share in shares)},
                      "writers": TRAINING_WRITERS}}
    return saved_judge(model, out, facts, started, "python -m digitocr.training.train_slashes")


def held_out_dates(chances: np.ndarray, labels: np.ndarray, threshold: float) -> dict:
    """What taking a line's two marks for slashes where both reach `threshold` does to the held-out lines, and to
    their marks one by one (`train_signs.operating_point`)."""
    lesser, is_date = np.minimum(chances[0::2], chances[1::2]), labels[0::2] == SLASH
    return operating_point(chances, labels, threshold) | {
        "held_out_dates": int(is_date.sum()), "held_out_numbers": int((~is_date).sum()),
        "dates_found": float(np.mean(lesser[is_date] >= threshold)),
        "numbers_called_dates": float(np.mean(lesser[~is_date] >= threshold))}


@errors_in_one_line
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitocr.training.train_slashes",
                                     description=__doc__.splitlines()[0])

    def scene_options():
        parser.add_argument("--dates", type=whole_number(1), default=DATE_SCENES, help="dates drawn parted by slashes")
        parser.add_argument("--numbers", type=whole_number(1), default=NUMBER_SCENES,
                            help="numbers drawn in a date's shape with '1's for its slashes")

    judge_options(parser, DEFAULT_SLASH_JUDGE_PATH, SEED, scene_options)
    args = parser.parse_args(argv)
    shares = [(args.data, args.pendigits, args.seed + worker, args.dates // args.workers,
               args.numbers // args.workers) for worker in range(args.workers)]
    train(shares, args.workers, Path(args.out), args.epochs, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
