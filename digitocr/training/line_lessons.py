"""The line recognizer's lessons: lines of ink as the reader's own pipeline cuts them, each with its digits.

Two kinds of lesson, drawn afresh from a `DigitPool`:

- number fields (`line_synth`): a number alone in a cell or on a cheque,
  touching, overlapping or spaced, with separators, small cents, cursive
  zeros, broad pens, borders, rules and printed patterns;
- scenes (`scenes`): a number among the clutter of real pages. Every line the
  pipeline finds is a lesson: the line holding the number is labelled with
  its digits (whatever clutter shares it), and a line of clutter alone (a
  word, a cross, a cut-off row, noise) is labelled with nothing, so the
  recognizer learns to leave clutter out.

Lessons are drawn in forked workers that share the pool, as the pool of
digit masks is large.
"""

import multiprocessing

import numpy as np

from ..image.lines import recognizer_lines
from ..image.pipeline import analyse
from ..results import Box
from ..settings import ReaderSettings
from . import augment
from .digit_data import cropped, pen_input
from .line_synth import FieldSettings, training_line
from .pendigits import PenDigit
from .scenes import LESSON_KINDS, UPRIGHT_KINDS, Scene, Writer, first_digit_of, make_scene

PEN_SHARE = 0.3  # of the digits, drawn from pen strokes...
HAND_SHARE = 0.15  # ...and from the extra hands (European pens, screen drawings); the rest from MNIST
FLAGGED_ONES = 0.5  # of MNIST's and the pens' 1s, given a flag as much of Europe writes them...
LOWERED_FLAGS = 0.3  # ...half of those leaving the stem up to this share of its height below its tip
LONGEST_FLAG = 1.5  # of the stem's height: a lead-in stroke from the line up to the stem's tip, as on cheques
LOOPED_TWOS = 0.3  # of the 2s, given a loop at the base as much of Latin America writes them
CROSSED_SEVENS = 0.3  # of the 7s, given a bar across the stem
CLUTTER_LINES = 2  # lines of clutter alone taken from one scene at most, so noise does not crowd out numbers
COVERED = 0.8  # a found line whose box holds this share of a number line's box is that line's lesson
TOUCHED = 0.1  # a found line sharing less than this share of its box with every number line is clutter
BENFORD_ZEROS = 0.1  # of the first digits of fields drawn as people's numbers begin, zeros ('0,50'); the rest...
FIRST_DIGITS = {  # ...by Benford's law, a '1' six times as often as a '9'; or as the pool gives them, uniformly
    "uniform": None,
    "benford": np.array([BENFORD_ZEROS] + [(1 - BENFORD_ZEROS) * np.log10(1 + 1 / d) for d in range(1, 10)])}


class DigitPool:
    """Where a lesson's digits come from: MNIST masks, pen digits and the extra hands' masks; MNIST's and the pens'
    1s sometimes flagged (up to `longest_flag` of the stem), 2s looped and 7s crossed."""

    def __init__(self, masks: list[np.ndarray], labels: np.ndarray, pens: list[PenDigit],
                 longest_flag: float = LONGEST_FLAG, hands: tuple[list[np.ndarray], np.ndarray] = ([], np.zeros(0))):
        self.masks, self.labels, self.pens, self.longest_flag = masks, labels, pens, longest_flag
        self.hand_masks, self.hand_labels = hands

    def __call__(self, rng: np.random.Generator) -> tuple[np.ndarray, int]:
        draw = rng.random()
        if self.hand_masks and draw < HAND_SHARE:
            index = int(rng.integers(len(self.hand_masks)))
            return self.hand_masks[index], int(self.hand_labels[index])
        if self.pens and draw < HAND_SHARE + PEN_SHARE:
            digit = self.pens[int(rng.integers(len(self.pens)))]
            mask, label = pen_input(digit, rng), digit.label
        else:
            index = int(rng.integers(len(self.masks)))
            mask, label = self.masks[index], int(self.labels[index])
        if label == 1 and rng.random() < FLAGGED_ONES:
            mask = augment.flagged_one(cropped(mask), rng, LOWERED_FLAGS, self.longest_flag)
        elif label == 2 and rng.random() < LOOPED_TWOS:
            mask = augment.looped_two(cropped(mask), rng)
        elif label == 7 and rng.random() < CROSSED_SEVENS:
            mask = augment.crossed_seven(cropped(mask), rng)
        return mask, label


def _area(box: tuple[int, int, int, int]) -> int:
    return max(1, box[2] * box[3])


def _shared(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> int:
    return Box(*a).shared_area(Box(*b))


def number_line_of(box: tuple[int, int, int, int], scene: Scene) -> str | None:
    """The digits of the number line a found line holds whole, '' for a line of clutter alone, None where the
    pipeline split or merged the number's lines (no fair lesson)."""
    touched = [(true, text) for true, text in scene.lines
               if _shared(box, true) >= TOUCHED * min(_area(box), _area(true))]
    if not touched:
        return ""
    covered = [text for true, text in touched if _shared(box, true) >= COVERED * _area(true)]
    return covered[0] if len(touched) == 1 and len(covered) == 1 else None


def scene_lessons(scene: Scene, rng: np.random.Generator) -> list[tuple[np.ndarray, str]]:
    """Every line the pipeline finds in a scene, labelled; a few of its lines of clutter alone."""
    analysis = analyse(scene.pixels, (scene.pixels.shape[1], scene.pixels.shape[0]), 1.0, ReaderSettings())
    numbers, clutter = [], []
    for line in recognizer_lines(analysis):
        box = analysis.box_in_original(*line.box)
        text = number_line_of((box.x, box.y, box.width, box.height), scene)
        if text is not None:
            (clutter if text == "" else numbers).append((line.image, text))
    picks = rng.permutation(len(clutter))[:CLUTTER_LINES]
    return numbers + [clutter[i] for i in picks]


def lessons(pool: DigitPool, rng: np.random.Generator, clutter_share: float,
            first_digits: np.ndarray | None = None) -> list[tuple[np.ndarray, str]]:
    """One field's lesson, its first digit drawn by `first_digits`' chances where given, or one scene's (a clutter
    kind drawn at random, its number written as fields are)."""
    if rng.random() < clutter_share:
        kind = str(rng.choice(UPRIGHT_KINDS + LESSON_KINDS))
        return scene_lessons(make_scene(kind, Writer(pool, FieldSettings()), rng), rng)
    source = pool if first_digits is None else first_digit_of(pool, int(rng.choice(10, p=first_digits)))
    sample = training_line(source, rng)
    return [] if sample is None else [(sample[0].image, sample[1])]


_POOL: DigitPool | None = None  # the digits a forked worker draws from, set before forking
_CLUTTER = 0.0  # the share of scenes among a worker's lessons, set before forking
_FIRST_DIGITS: np.ndarray | None = None  # the chances of a field's first digit, set before forking


def _make_lessons(task: tuple[int, int]) -> list[tuple[np.ndarray, str]]:
    count, seed = task
    rng = np.random.default_rng(seed)
    made: list[tuple[np.ndarray, str]] = []
    while len(made) < count:
        made += lessons(_POOL, rng, _CLUTTER, _FIRST_DIGITS)
    return made[:count]


def make_lessons(pool: DigitPool, count: int, seed: int, workers: int, clutter_share: float,
                 first_digits: str = "uniform") -> list[tuple[np.ndarray, str]]:
    """`count` lessons, `clutter_share` of the draws being scenes, fields' first digits drawn as `first_digits`
    names (FIRST_DIGITS), made in forked workers sharing the pool."""
    global _POOL, _CLUTTER, _FIRST_DIGITS
    _POOL, _CLUTTER, _FIRST_DIGITS = pool, clutter_share, FIRST_DIGITS[first_digits]
    chunk = 500
    tasks = [(min(chunk, count - start), seed * 100003 + start) for start in range(0, count, chunk)]
    made = []
    with multiprocessing.get_context("fork").Pool(workers) as workers_pool:
        for lines in workers_pool.imap(_make_lessons, tasks):
            made += lines
            print(f"\r  {len(made)}/{count} lines", end="", flush=True)
    print(flush=True)
    return made
