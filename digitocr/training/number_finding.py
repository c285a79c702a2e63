"""Fitting the number finder: which lines of a reading are the number, learned from scenes whose number is known.

Number fields (borders, rules, patterns), pictures of noise alone and scenes
of every upright kind of clutter are drawn from the training writers (never
the held-out ones the stress suite and the field confidence use), read by
the reader with a finder that keeps every line, and each line it kept is labelled by where it lies: on
one of the number's lines, or not. A logistic model (`calibrate.fit_logistic`)
is fitted on the lines' features (`reader.number_finder.line_features`). The
word-group judge learns the same way from the groups at the ends of the lines
the fitted finder keeps (`reader.word_groups.group_features`).
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from ..reader import Models, Reader
from ..reader.number_finder import FEATURES, LineContext, line_features
from ..reader.prepare import prepare
from ..reader.steps import finish
from ..reader.word_groups import FEATURES as GROUP_FEATURES
from ..reader.word_groups import EndGroup, group_features
from ..results import Box, Digit
from .line_lessons import DigitPool
from .line_synth import compose_number, rendered_field
from .scenes import PHOTO_SIZE, UPRIGHT_KINDS, Writer, make_scene

ON_THE_NUMBER = 0.5  # a line with this share of its box on one of the number's lines is part of it
NOISE_PICTURES = 60  # images of noise alone, whose lines the finder must learn to set aside; each gives many lines


class KeepingRecorder:
    """Stands in for a judge of what is the number (the number finder, the word-group judge): keeps everything it is
    asked about (each with its `digits`), and keeps it."""

    def __init__(self):
        self.asked: list[LineContext | EndGroup] = []

    def part_of_number(self, asked: LineContext | EndGroup) -> float:
        self.asked.append(asked)
        return 1.0


@dataclass(frozen=True)
class LabelledImage:
    pixels: np.ndarray
    number_lines: tuple[Box, ...]  # where the number's lines lie


def noise_picture(rng: np.random.Generator) -> np.ndarray:
    """Noise alone, grey, coloured or Gaussian, as a sensor in the dark or a textured surface gives: no number. Its
    sides run up to a phone's photo's: the larger the picture, the more lines of specks it holds, and a finder taught
    on small ones only took a page of dozens of such lines for a column of digits, one a line."""
    height, width = (int(side) for side in rng.integers(80, max(PHOTO_SIZE), size=2))
    kind = int(rng.integers(3))
    if kind == 0:
        return rng.integers(0, 256, (height, width), np.uint8)
    if kind == 1:
        return rng.integers(0, 256, (height, width, 3), np.uint8)
    return np.clip(rng.normal(128, rng.uniform(10, 60), (height, width)), 0, 255).astype(np.uint8)


def training_images(pool: DigitPool, seed: int, fields: int, per_kind: int,
                    noise_pictures: int = NOISE_PICTURES) -> list[LabelledImage]:
    """Number fields, pictures of noise alone and upright scenes of every kind, with the boxes of the number's
    lines, in a fixed random order (so the fifth `calibrate` holds out has some of each)."""
    rng = np.random.default_rng(seed)
    images = []
    for _ in range(fields):
        mask, _ = compose_number(pool, rng)
        pixels, (x, y, width, height) = rendered_field(mask, rng)
        images.append(LabelledImage(pixels, (Box(x, y, width, height),)))
    images += [LabelledImage(noise_picture(rng), ()) for _ in range(noise_pictures)]
    for number, kind in enumerate(UPRIGHT_KINDS):
        kind_rng = np.random.default_rng([seed, number])
        for _ in range(per_kind):
            scene = make_scene(kind, Writer(pool), kind_rng)
            images.append(LabelledImage(scene.pixels, tuple(Box(*box) for box, _ in scene.lines)))
    return [images[i] for i in rng.permutation(len(images))]


def on_the_number(digits: tuple[Digit, ...], number_lines: tuple[Box, ...]) -> bool:
    box = Box.enclosing([digit.box for digit in digits])
    area = max(1, box.width * box.height)
    return any(box.shared_area(number) >= ON_THE_NUMBER * area for number in number_lines)


def lessons(models: Models, images: list[LabelledImage], judge: str, features_of: Callable[[object], np.ndarray],
            width: int, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Everything the judge named `judge` (a field of `Models`, `what` it is) is asked about in the images: its
    features, and whether it is part of the number."""
    recorder = KeepingRecorder()
    reader = Reader(models=replace(models, **{judge: recorder}))
    found, labels = [], []
    for number, image in enumerate(images, start=1):
        recorder.asked = []
        prepared = prepare(image.pixels, reader.settings)
        finish(prepared, reader.answers([prepared])[0], reader.settings, reader.models, False)
        found += [features_of(asked) for asked in recorder.asked]
        labels += [on_the_number(asked.digits, image.number_lines) for asked in recorder.asked]
        if number % 500 == 0:
            print(f"  {number}/{len(images)} images read for {what}", flush=True)
    return np.array(found).reshape(-1, width), np.array(labels, np.float64)


def finder_lessons(models: Models, images: list[LabelledImage]) -> tuple[np.ndarray, np.ndarray]:
    """Every line the readers keep in the images."""
    return lessons(models, images, "finder", line_features, len(FEATURES), "the number finder")


def group_lessons(models: Models, images: list[LabelledImage]) -> tuple[np.ndarray, np.ndarray]:
    """Every end group of the lines the number finder keeps in the images."""
    return lessons(models, images, "word_groups", group_features, len(GROUP_FEATURES), "the word-group judge")
