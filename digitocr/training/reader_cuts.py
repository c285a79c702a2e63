"""Digits as the reader's own pipeline cuts them out of scenes by the training writers, labelled by their place.

The classifier's other samples are digits normalised one at a time; in
reading it gets pieces the pipeline cut from a photographed page: thickened
or broken where blur and the threshold met the stroke, a rule's remnant or an
underline's end still attached, a loop filled where the ink ran. These
samples close that gap. Each one-line scene kind (`scenes`), and drawings
on a browser's canvas (one digit as often as several), are made by the
training writers and cut by the pipeline; where the pieces the classifier
keeps as digits are exactly as many as the digits written, the n-th piece,
left to right, is the n-th digit, and it is learned with that label; every
piece it left out as not a digit is then none of the digits (a rule's
remnant, a tick, a word's end) and is learned as not a digit, so learning
the pipeline's digits does not teach the classifier to name its clutter. A
scene whose count differs (a digit split in two, two run together, a mark
taken for a digit) is left out whole: its pieces have no place to be read
from.
"""

import numpy as np

from ..networks.classifier import DigitClassifier
from ..reader.cuts import classified_blobs
from ..reader.prepare import prepare
from ..settings import ReaderSettings
from .digit_data import NOT_A_DIGIT, ReaderCuts
from .line_lessons import DigitPool
from .pendigits import PenDigit, bounds, draw_strokes
from .samples import pen_number
from .scenes import KINDS, UPRIGHT_KINDS, Writer, make_scene

ONE_LINE_KINDS = tuple(kind for kind in UPRIGHT_KINDS if kind not in ("digit_column", "several_lines"))
CANVAS = {True: (400, 400), False: (900, 300)}  # (width, height) of a canvas holding one digit, and several
MOST_CANVAS_DIGITS = 6


def aligned_pieces(pixels: np.ndarray, text: str, classifier: DigitClassifier,
                   settings: ReaderSettings) -> tuple[np.ndarray, list[int]] | None:
    """The pieces the classifier keeps as digits, left to right, with the written digits in the same order, then
    those it left out, labelled NOT_A_DIGIT; None where the kept ones are not one line of as many as the digits."""
    prepared = prepare(pixels, settings)
    analysis = prepared.analysis
    if prepared.tiny_scan or not len(analysis.model_inputs):
        return None
    draft = classified_blobs(prepared, classifier.predict(analysis.model_inputs), settings)
    kept = [index for options, choice in draft.choices for index in options[choice] if index not in draft.rejected]
    if len(draft.lines) != 1 or len(kept) != len(text):
        return None
    left_out = list(draft.rejected)
    labels = [int(character) for character in text] + [NOT_A_DIGIT] * len(left_out)
    return analysis.model_inputs[kept + left_out], labels


def canvas_drawing(pens: list[PenDigit], rng: np.random.Generator) -> tuple[np.ndarray, str]:
    """A canvas drawing as the app exports one (RGBA, black strokes on transparency) of one writer's digits, and
    their text."""
    writer = pens[int(rng.integers(len(pens)))].writer
    own = [digit for digit in pens if digit.writer == writer]
    count = 1 if rng.random() < 0.5 else int(rng.integers(2, MOST_CANVAS_DIGITS + 1))
    digits = [own[int(rng.integers(len(own)))] for _ in range(count)]
    width, height = CANVAS[count == 1]
    digit_height = height * rng.uniform(0.3, 0.75)
    stroke, gap = max(3, int(digit_height * rng.uniform(0.04, 0.1))), rng.uniform(0.1, 0.5)
    right = bounds(pen_number(digits, digit_height, stroke, gap)[-1])[2]
    digit_height *= min(1.0, (width - 40) / right)
    placed = pen_number(digits, digit_height, stroke, gap)
    x = rng.uniform(10, max(11.0, width - bounds(placed[-1])[2] - 10))
    y = rng.uniform(10, max(11.0, height - digit_height - 10))
    canvas = np.zeros((height, width, 4), np.uint8)
    for strokes in placed:
        draw_strokes(canvas, tuple(stroke_points + (x, y) for stroke_points in strokes), stroke, (0, 0, 0, 255))
    return canvas, "".join(str(digit.label) for digit in digits)


def reader_cuts(pool: DigitPool, classifier: DigitClassifier, scenes_per_kind: int, seed: int,
                settings: ReaderSettings = ReaderSettings()) -> ReaderCuts:
    """Every one-line kind's scenes, and as many canvas drawings, by the pool's writers, through the pipeline,
    aligned with their digits."""
    pieces, labels, aligned = [], [], 0

    def cut(pixels: np.ndarray, text: str) -> None:
        nonlocal aligned
        found = aligned_pieces(pixels, text, classifier, settings)
        if found is not None:
            aligned += 1
            pieces.append(found[0])
            labels.extend(found[1])

    for kind in ONE_LINE_KINDS:
        rng = np.random.default_rng([seed, KINDS.index(kind)])
        for _ in range(scenes_per_kind):
            scene = make_scene(kind, Writer(pool), rng)
            cut(scene.pixels, scene.text)
        print(f"  {kind}: {aligned} scenes aligned so far, {len(labels)} pieces", flush=True)
    rng = np.random.default_rng([seed, len(KINDS)])
    for _ in range(scenes_per_kind if pool.pens else 0):
        cut(*canvas_drawing(pool.pens, rng))
    print(f"  canvas drawings: {aligned} scenes aligned in all, {len(labels)} pieces", flush=True)
    stacked = np.concatenate(pieces) if pieces else np.zeros((0, 28, 28), np.float32)
    return ReaderCuts((stacked * 255).round().astype(np.uint8), np.array(labels, np.int64),
                      scenes_per_kind * (len(ONE_LINE_KINDS) + bool(pool.pens)), aligned)
