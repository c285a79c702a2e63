"""Where the classifier's training digits come from, and how each epoch's samples are drawn from them.

Five streams, drawn afresh every epoch:

- MNIST as published (lightly shifted, rotated and elastically bent), so
  anyone can evaluate the classifier on raw MNIST;
- digit masks passed through the reader's own normalisation after random
  affine and elastic distortion, stroke width changes, neighbour pieces,
  coarse-scan resampling and stretching to fill a square box (as Semeion's
  scans are): MNIST's (its 1s sometimes flagged, 7s crossed, 9s hooked), and
  the extra hands of `hands` (European pens on paper, screen drawings);
- digits drawn from the real pen strokes of pendigits at varied sizes and
  stroke widths, some 2s in school cursive (`pen_styles`; writers in
  HELD_OUT_WRITERS are kept for validation only);
- marks that are not digits (commas, dashes, rule bits, cell corners,
  letters, scribbles, and two whole digits touching in one box) with a
  uniform target: the classifier learns to answer them with a flat
  distribution, which the reader reads as "not a digit" (outlier exposure);
- where the run was given them, pieces the reader's own pipeline cut from
  scenes by the training writers, with the digit each one is, or a uniform
  target for the clutter it cut beside them (`reader_cuts`).
"""

from dataclasses import astuple, dataclass

import cv2
import numpy as np

from ..image.normalize import to_model_input
from ..networks.classifier import FIELD_SIZE, NUM_CLASSES
from . import augment, pen_styles
from .hands import Hand
from .pendigits import PenDigit, render_digit

VALIDATION_SIZE = 5000  # last MNIST training images, never trained on
HELD_OUT_WRITERS = frozenset(range(21, 31))  # pendigits writers kept for validation
NON_DIGIT_PROBE_SEED = 99  # the fixed set of made-up non-digits the reject rate is measured on
NOT_A_DIGIT = -1  # the label of a piece the reader cut that is none of its scene's digits


@dataclass(frozen=True)
class EpochCounts:
    """How many samples each stream gives an epoch."""

    mnist_raw: int = 36000
    mnist_normalised: int = 20000
    pendigits: int = 10000
    hands: int = 10000  # the extra hands, in proportion to their sizes
    non_digits: int = 4000
    reader_cuts: int = 15000  # pieces the reader's pipeline cut from scenes, where the pools hold them

    def limited(self, most: int | None) -> "EpochCounts":
        """At most `most` samples a stream (a quick smoke run); all of them where `most` is None."""
        return EpochCounts(*(min(most, count) for count in astuple(self))) if most else self


@dataclass(frozen=True)
class ReaderCuts:
    """Pieces the reader's pipeline cut (`reader_cuts`), as the classifier takes them, (N, 28, 28) uint8 (ink 255),
    their digits (NOT_A_DIGIT for clutter), and how many scenes gave them."""

    pieces: np.ndarray
    labels: np.ndarray
    scenes: int
    scenes_aligned: int


@dataclass(frozen=True)
class DigitPools:
    """The training digits an epoch's samples are drawn from."""

    mnist_images: np.ndarray  # (N, 28, 28) uint8, as published
    mnist_labels: np.ndarray
    mnist_masks: list[np.ndarray]  # the same digits as binary masks at twice the size (`mnist_mask`)
    pen_digits: list[PenDigit]
    hands: tuple[Hand, ...] = ()  # their training part is drawn from
    reader_cuts: ReaderCuts | None = None  # pieces cut by the reader's pipeline, with their digits


def mnist_mask(image: np.ndarray) -> np.ndarray:
    """An MNIST image as a binary mask at twice the size, so its outline stays smooth."""
    large = cv2.resize(image, (2 * FIELD_SIZE, 2 * FIELD_SIZE), interpolation=cv2.INTER_LINEAR)
    return (large >= 100).astype(np.uint8)


def distorted_input(mask: np.ndarray, rng: np.random.Generator, settings: augment.AugmentSettings,
                    neighbour: np.ndarray | None = None, label: int | None = None) -> np.ndarray:
    """One mask through random distortion, then the reader's normalisation; `label` picks the hand styles drawn
    into it (a flagged '1', a looped '2', ...), None none."""
    if label == 1 and mask.any() and rng.random() < settings.flag_probability:
        mask = augment.flagged_one(cropped(mask), rng)
    elif label == 2 and mask.any() and rng.random() < settings.loop_probability:
        mask = augment.looped_two(cropped(mask), rng, *settings.loop_radii)
        if rng.random() < settings.curl_probability:
            mask = augment.curled_start(cropped(mask), rng)
    elif label == 7 and mask.any() and rng.random() < settings.cross_probability:
        mask = augment.crossed_seven(cropped(mask), rng)
    elif label == 9 and mask.any():
        style = rng.random()
        if style < settings.hook_probability:
            mask = augment.hooked_nine(cropped(mask), rng)
        elif style < settings.hook_probability + settings.stem_left_probability:
            mask = augment.stem_left_nine(cropped(mask))
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


def pen_validation(pen_digits: list[PenDigit]) -> tuple[np.ndarray, np.ndarray]:
    """Held-out writers' digits at fixed sizes and pen widths, through the reader's normalisation."""
    inputs, labels = [], []
    for index, digit in enumerate(pen_digits):
        height = (32, 64, 120)[index % 3]
        stroke = max(1, height // (12, 8, 14)[index % 3])
        inputs.append(to_model_input((render_digit(digit, height, stroke) >= 128).astype(np.uint8)))
        labels.append(digit.label)
    return np.stack(inputs)[..., None], np.array(labels)


def epoch_samples(pools: DigitPools, rng: np.random.Generator, settings: augment.AugmentSettings,
                  counts: EpochCounts) -> tuple[np.ndarray, np.ndarray]:
    """Fresh random samples for one epoch: (inputs (N, 28, 28, 1), targets (N, 10)); a non-digit's is uniform."""
    streams = [mnist_raw_samples(pools, rng, settings, counts.mnist_raw),
               mnist_normalised_samples(pools, rng, settings, counts.mnist_normalised),
               pen_samples(pools, rng, settings, counts.pendigits),
               hand_samples(pools, rng, settings, counts.hands),
               non_digit_samples(pools, rng, settings, counts.non_digits),
               reader_cut_samples(pools, rng, counts.reader_cuts)]
    inputs = [sample for stream_inputs, _ in streams for sample in stream_inputs]
    targets = np.concatenate([stream_targets for _, stream_targets in streams])
    order = rng.permutation(len(inputs))
    return np.stack(inputs)[order][..., None], targets[order]


Stream = tuple[list[np.ndarray], np.ndarray]  # 28x28 inputs and their (N, 10) targets


def mnist_raw_samples(pools: DigitPools, rng: np.random.Generator, settings: augment.AugmentSettings,
                      count: int) -> Stream:
    picks = rng.integers(0, len(pools.mnist_images), count)
    return [shifted_raw(pools.mnist_images[i], rng, settings) for i in picks], one_hot(pools.mnist_labels[picks])


def mnist_normalised_samples(pools: DigitPools, rng: np.random.Generator, settings: augment.AugmentSettings,
                             count: int) -> Stream:
    masks = pools.mnist_masks
    picks, neighbours = rng.integers(0, len(masks), count), rng.integers(0, len(masks), count)
    return ([distorted_input(masks[i], rng, settings, masks[j], int(pools.mnist_labels[i]))
             for i, j in zip(picks, neighbours)], one_hot(pools.mnist_labels[picks]))


def reader_cut_samples(pools: DigitPools, rng: np.random.Generator, count: int) -> Stream:
    """Pieces as the pipeline cut them, each at most once an epoch; already what the classifier sees, so not
    distorted further."""
    cuts = pools.reader_cuts
    if cuts is None or not count or not len(cuts.labels):
        return [], np.zeros((0, NUM_CLASSES), np.float32)
    picks = rng.choice(len(cuts.labels), min(count, len(cuts.labels)), replace=False)
    labels = cuts.labels[picks]
    targets = np.full((len(picks), NUM_CLASSES), 1.0 / NUM_CLASSES, np.float32)
    digits = labels != NOT_A_DIGIT
    targets[digits] = one_hot(labels[digits])
    return list(cuts.pieces[picks].astype(np.float32) / 255.0), targets


def pen_samples(pools: DigitPools, rng: np.random.Generator, settings: augment.AugmentSettings,
                count: int) -> Stream:
    if not pools.pen_digits or not count:
        return [], np.zeros((0, NUM_CLASSES), np.float32)
    picks = rng.integers(0, len(pools.pen_digits), count)
    masks = pools.mnist_masks
    return ([pen_sample(pools.pen_digits[i], rng, settings, masks[rng.integers(len(masks))]) for i in picks],
            one_hot(np.array([pools.pen_digits[i].label for i in picks], np.int64)))


def pen_sample(digit: PenDigit, rng: np.random.Generator, settings: augment.AugmentSettings,
               neighbour: np.ndarray) -> np.ndarray:
    """A pen digit through distortion and normalisation; a '2' drawn in school cursive at `cursive_two_probability`
    (its loop and curl drawn into the pen's path, so no shape-glued loop is added to it)."""
    if digit.label == 2 and rng.random() < settings.cursive_two_probability:
        styled = pen_styles.cursive_two(digit, rng, settings.curl_probability)
        return distorted_input(pen_input(styled, rng), rng, settings, neighbour)
    return distorted_input(pen_input(digit, rng), rng, settings, neighbour, digit.label)


def hand_samples(pools: DigitPools, rng: np.random.Generator, settings: augment.AugmentSettings,
                 count: int) -> Stream:
    """The extra hands' training digits, distorted but given no flags, bars or hooks: they are written as their
    writers write them."""
    parts = [hand.part(held_out=False) for hand in pools.hands]
    masks = [mask for part_masks, _ in parts for mask in part_masks]
    if not masks or not count:
        return [], np.zeros((0, NUM_CLASSES), np.float32)
    labels = np.concatenate([part_labels for _, part_labels in parts])
    picks = rng.integers(0, len(masks), count)
    neighbours = pools.mnist_masks
    return ([distorted_input(masks[i], rng, settings, neighbours[rng.integers(len(neighbours))]) for i in picks],
            one_hot(labels[picks]))


def non_digit_samples(pools: DigitPools, rng: np.random.Generator, settings: augment.AugmentSettings,
                      count: int) -> Stream:
    """Made-up marks, a quarter of them two whole digits touching in one box, each with a uniform target."""
    inputs = []
    for index in range(count):
        if index < count // 4:
            left, right = (cropped(pools.mnist_masks[i]) for i in rng.integers(0, len(pools.mnist_masks), 2))
            mark = augment.touching_pair(left, right, rng)
        else:
            mark = augment.non_digit_mask(rng)
        inputs.append(augment.degrade(to_model_input(augment.random_affine(mark, rng, settings)), rng, settings))
    return inputs, np.full((count, NUM_CLASSES), 1.0 / NUM_CLASSES, np.float32)


def hand_validation(hand: Hand) -> tuple[np.ndarray, np.ndarray]:
    """A hand's held-out digits through the reader's normalisation, undistorted."""
    masks, labels = hand.part(held_out=True)
    return np.stack([to_model_input(mask) for mask in masks])[..., None], labels


def non_digit_probe(count: int = 2000) -> np.ndarray:
    """A fixed set of made-up non-digits, through the normalisation, on which the reject rate is measured."""
    rng = np.random.default_rng(NON_DIGIT_PROBE_SEED)
    settings = augment.AugmentSettings()
    return np.stack([to_model_input(augment.random_affine(augment.non_digit_mask(rng), rng, settings))
                     for _ in range(count)])[..., None]
