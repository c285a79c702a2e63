"""Fit the models that judge the networks' answers: `python -m digitocr.training.calibrate --data MNIST_DIR
--pendigits FILE`.

First the number finder (`number_finding`): which lines are the number,
learned from scenes by the training writers; it is written to
`NumberFinder.json`. Then, with that finder in place, the word-group judge
(`reader.word_groups`): which group at a line's end is the number's, learned
from more scenes by the training writers; it is written to `WordGroups.json`.
Then the field confidence, with both in place; `--confidence-only` fits
it alone, with the shipped finder and judge (neither depends on it), and
`--shipped-word-groups` keeps the shipped judge: its lessons hold under a
hundred groups that are clutter among some 2,100, too few for a refit to
be steady (the last set aside 44% of 16 held out, the shipped one 68% of 22).
The readings it learns from are those the reader makes, of images no
network learned from: number fields (`line_synth`) and scenes of every kind
of clutter and turn (`scenes`), all written by held-out writers only
(MNIST's validation digits, pendigits writers 21-30), with seeds of their
own, not the stress suite's, and small scans of one digit, which the
reader reads by the classifier alone (`holds_one_digit`). Each image is read
twice, with the line recognizer and by contours alone (`--contours-only`),
each time as given and, where its digits' shapes say it may be turned (or
it reads as nothing, or only a guess), turned that way, as the reader does
(`orientation`); every reading is
recorded with the features it is judged by (`reader.confidence.judged_rows`)
and whether it is exactly the image's text. The confidence model, a few
small networks averaged (`reader.confidence.ConfidenceModel`), is fitted on
four fifths of the images (twice: which reading the reader keeps depends on
the model); the last fifth measures it, for each way of reading: how
closely the confidence of the readings the reader keeps matches how often
they are right (reliability and its expected calibration error), and, at
each review setting, the share of fields accepted and the error among them.
Writes `FieldConfidence.json` with the model and those figures.
"""

import argparse
import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..arguments import add_training_data_options, errors_in_one_line
from ..networks.classifier import DigitClassifier
from ..networks.line_recognizer import LineRecognizer
from ..networks.model_files import model_sha256, save_card
from ..networks.orientation import OrientationNet
from ..networks.sign_judge import SignJudge
from ..reader import Models, Reader
from ..reader.confidence import (DEFAULT_CONFIDENCE_PATH, FEATURES, ConfidenceModel, ImageEvidence, LineEvidence,
                                 LogisticModel, judged_rows, probability)
from ..reader.number_finder import DEFAULT_FINDER_PATH, KEEP_FROM, NumberFinder
from ..reader.orientation import TurnEvidence, WayUp, keeps_turned, turns_to_try
from ..reader.prepare import Prepared, prepare
from ..reader.steps import Answers, finish
from ..reader.word_groups import DEFAULT_GROUPS_PATH, WordGroupJudge
from ..results import Reading
from ..settings import ReaderSettings
from .digit_data import HELD_OUT_WRITERS, cropped
from .line_lessons import DigitPool
from .line_synth import compose_number, render_field
from .mnist import load_mnist
from .number_finding import NOISE_PICTURES, KeepingRecorder, finder_lessons, group_lessons, training_images
from .pendigits import parse_pendigits
from .scenes import KINDS, Writer, make_scene, scaled
from .train_lines import LineSources, pools

SEED = 4321
FIELDS = 3000
SCENES_PER_KIND = 150
SCANS = 600
GROUP_SCENES = 400  # scenes of each kind for the word-group judge: few lines fall apart into groups
SCAN_SIDES = (16, 32)  # pixels: a scan of one digit, as postal codes' and forms' digit scans are stored
FIT_SHARE = 0.8
FITS = 2  # which readings the reader keeps depends on the model being fitted
RIDGE = 1e-2  # keeps the fit finite where a feature separates the classes perfectly
HIDDEN_UNITS = 16  # tanh units of each of the confidence model's networks
NETWORKS = 4  # networks fitted from different starting weights, their answers averaged
NETWORK_STEPS = 3000  # full-batch Adam steps for each network
NETWORK_RATE = 0.01  # Adam's step size
NETWORK_RIDGE = 1e-3  # weight decay on each network's weights
SETTINGS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99)
MOST_ERROR = 0.01  # the suggested review setting is the lowest whose accepted fields are at most this often wrong
READING_WAYS = (ReaderSettings(), ReaderSettings(read_lines=False))  # the reader's, and `--contours-only`'s


class EvidenceRecorder:
    """Stands in for the reader's confidence model: keeps the lines and image evidence it was last asked about (a
    reading asks about each line, then about all of them) and answers one half."""

    def __init__(self):
        self.last: list[LineEvidence] = []
        self.image = ImageEvidence()

    def probability(self, lines: list[LineEvidence], image: ImageEvidence = ImageEvidence()) -> float:
        self.last, self.image = [line for line in lines if line.digits], image
        return 0.5


@dataclass(frozen=True)
class Candidate:
    """One reading of an image, as given or turned: the rows of features it is judged by (`judged_rows`: the whole
    reading's first, which the model is fitted on; None where nothing was read), whether it is exactly the image's
    text, and its text, which the reader's choice of way up weighs (`keeps_turned`)."""

    rows: np.ndarray | None
    exact: bool
    text: str = ""


@dataclass(frozen=True)
class Example:
    candidates: tuple[Candidate, ...]  # as given, then turned at each turn tried, where its shapes and lines say so
    given_guessed: bool = False  # the reading as given is of the likeliest line, none looking like the number
    ways: tuple[WayUp, ...] = ()  # the turns tried, in the order the reader tries them


def example_of(models: Models, pixels: np.ndarray, truth: str, settings: ReaderSettings) -> Example:
    """The image read as given and, where its digits' shapes and lines say it may be turned, turned that way (or,
    where it read as nothing or only a guess, at each turn), as the reader does (`orientation`); which reading the
    reader keeps depends on the confidence model being fitted."""
    recorder = EvidenceRecorder()
    reader = Reader(settings=settings, models=replace(models, confidence=recorder))

    def candidate(prepared: Prepared, answers: Answers) -> tuple[Candidate, Reading]:
        reading = finish(prepared, answers, reader.settings, reader.models, False)
        rows = judged_rows(recorder.last, recorder.image) if recorder.last else None
        return Candidate(rows, reading.text == truth, reading.text), reading

    first = prepare(pixels, reader.settings)
    answers = reader.answers([first])[0]
    given, reading = candidate(first, answers)
    ways = turns_to_try(models.turn_evidence, answers.turns, answers.half_turn,
                        read_in_doubt=not reading.lines or reading.guessed)
    turned = tuple(candidate(*reader.turned(first, way.turns, reader.settings))[0] for way in ways)
    return Example((given, *turned), reading.guessed, ways)


def digit_scan(pool: DigitPool, rng: np.random.Generator) -> tuple[np.ndarray, str]:
    """One digit scanned small: its ink fitted in a square of SCAN_SIDES with a margin, in grey or thresholded
    to black and white as many scanners store it."""
    mask, label = pool(rng)
    ink = cropped(mask)
    side = int(rng.integers(*SCAN_SIDES, endpoint=True))
    ink = scaled(ink, side * rng.uniform(0.7, 0.95) / max(ink.shape))
    page = np.zeros((side, side), np.float32)
    top, left = (side - ink.shape[0]) // 2, (side - ink.shape[1]) // 2
    page[top:top + ink.shape[0], left:left + ink.shape[1]] = ink
    if rng.random() < 0.5:
        page = (page > rng.uniform(0.3, 0.6)).astype(np.float32)
    grey = np.clip(255 * (1 - page * rng.uniform(0.7, 1.0)) + rng.normal(0, 4, page.shape), 0, 255).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=2), str(label)


def labelled_images(pool: DigitPool, seed: int, fields: int, per_kind: int,
                    scans: int = SCANS) -> list[tuple[np.ndarray, str]]:
    """Number fields, scenes of every kind and scans of one digit, by held-out writers, in a fixed random order."""
    rng = np.random.default_rng(seed)
    images = []
    for _ in range(fields):
        mask, text = compose_number(pool, rng)
        images.append((render_field(mask, rng), text))
    scan_rng = np.random.default_rng([seed, len(KINDS)])
    images += [digit_scan(pool, scan_rng) for _ in range(scans)]
    for number, kind in enumerate(KINDS):
        kind_rng = np.random.default_rng([seed, number])
        images += [(scene.pixels, scene.text) for scene in
                   (make_scene(kind, Writer(pool), kind_rng) for _ in range(per_kind))]
    return [images[i] for i in rng.permutation(len(images))]


def reading_confidence(candidate: Candidate, model: ConfidenceModel) -> float:
    """As the reader judges it (`ConfidenceModel.probability`): by its least sure row."""
    if candidate.rows is None:
        return 0.0
    return float(model.answers(candidate.rows).min())


def kept(example: Example, model: ConfidenceModel) -> tuple[Candidate, float]:
    """The reading the reader keeps under this model (the turned one where `keeps_turned`), and its confidence."""
    upright, *turned = example.candidates
    given = None if upright.rows is None else reading_confidence(upright, model)
    for candidate, way in zip(turned, example.ways):
        turned_confidence = reading_confidence(candidate, model)
        if keeps_turned(turned_confidence, given, example.given_guessed, way, upright.text, candidate.text):
            return candidate, turned_confidence
    return upright, given or 0.0


def fit_logistic(features: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, float]:
    """Weights and bias maximising the likelihood (Newton's method), with a small ridge on the weights."""
    design = np.hstack([features, np.ones((len(features), 1))])
    coefficients = np.zeros(design.shape[1])
    ridge = np.diag([RIDGE] * features.shape[1] + [0.0])
    for _ in range(100):
        predicted = probability(coefficients[:-1], coefficients[-1], features)
        gradient = design.T @ (predicted - right) + ridge @ coefficients
        hessian = design.T @ (design * (predicted * (1 - predicted))[:, None]) + ridge
        step = np.linalg.solve(hessian, gradient)
        coefficients -= step
        if np.abs(step).max() < 1e-9:
            break
    return coefficients[:-1], float(coefficients[-1])


def fit_network(standardised: np.ndarray, right: np.ndarray, seed: int) -> list[np.ndarray]:
    """One network minimising the log-loss with weight decay, by full-batch Adam from seeded random weights: its
    hidden weights (features, units) and bias, output weights (units) and bias (1)."""
    rng = np.random.default_rng(seed)
    count, inputs = standardised.shape
    params = [rng.normal(0, 1 / np.sqrt(inputs), (inputs, HIDDEN_UNITS)), np.zeros(HIDDEN_UNITS),
              rng.normal(0, 1 / np.sqrt(HIDDEN_UNITS), HIDDEN_UNITS), np.zeros(1)]
    first, second = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]
    for step in range(1, NETWORK_STEPS + 1):
        hidden_weights, hidden_bias, output_weights, output_bias = params
        hidden = np.tanh(standardised @ hidden_weights + hidden_bias)
        error = (1.0 / (1.0 + np.exp(-(hidden @ output_weights + output_bias))) - right) / count
        back = np.outer(error, output_weights) * (1 - hidden * hidden)
        gradients = (standardised.T @ back + NETWORK_RIDGE * hidden_weights, back.sum(axis=0),
                     hidden.T @ error + NETWORK_RIDGE * output_weights, np.array([error.sum()]))
        for index, gradient in enumerate(gradients):
            first[index] = 0.9 * first[index] + 0.1 * gradient
            second[index] = 0.999 * second[index] + 0.001 * gradient * gradient
            params[index] = params[index] - NETWORK_RATE * (first[index] / (1 - 0.9 ** step)) / (
                np.sqrt(second[index] / (1 - 0.999 ** step)) + 1e-8)
    return params


def fit_confidence(features: np.ndarray, right: np.ndarray) -> ConfidenceModel:
    """NETWORKS networks on the standardised features, each from its own seeded start."""
    mean, scale = features.mean(axis=0), features.std(axis=0) + 1e-6
    return ConfidenceModel.of_networks(mean, scale, [fit_network((features - mean) / scale, right, seed)
                                                     for seed in range(NETWORKS)])


def fit(examples: list[Example]) -> ConfidenceModel:
    """Fitted on the readings the reader keeps: first on every reading, then on those the reader keeps under that
    fit; a reading of nothing is never sure and not fitted."""
    model = None
    for _ in range(FITS):
        readings = [c for example in examples
                    for c in (example.candidates if model is None else (kept(example, model)[0],))
                    if c.rows is not None]
        model = fit_confidence(np.vstack([c.rows[0] for c in readings]),
                               np.array([c.exact for c in readings], np.float64))
    return model


def measured(confidences: np.ndarray, right: np.ndarray) -> dict:
    """Reliability per tenth of confidence, its expected calibration error, and accepted share and error per
    review setting."""
    bins = np.minimum((confidences * 10).astype(int), 9)
    table = [{"from": b / 10, "fields": int((bins == b).sum()), "confidence": float(confidences[bins == b].mean()),
              "right": float(right[bins == b].mean())} for b in range(10) if (bins == b).any()]
    error = sum(row["fields"] * abs(row["confidence"] - row["right"]) for row in table) / len(confidences)
    points = [{"review_below": setting, "accepted": float((confidences >= setting).mean()),
               "error_among_accepted": float(1 - right[confidences >= setting].mean())
               if (confidences >= setting).any() else 0.0} for setting in SETTINGS]
    return {"fields": int(len(confidences)), "right": float(right.mean()), "expected_calibration_error": error,
            "reliability": table, "operating_points": points}


def calibrate(models: Models, images: list[tuple[np.ndarray, str]]) -> dict:
    """Every image read both ways the reader reads (READING_WAYS), so that one model is calibrated for either: a
    contour reading of several digits, which no line recognizer confirms, is far less often right than a scan of
    one digit, though both are the classifier's alone."""
    by_way: tuple[list[Example], ...] = tuple([] for _ in READING_WAYS)
    for number, (pixels, truth) in enumerate(images, start=1):
        for examples, settings in zip(by_way, READING_WAYS):
            examples.append(example_of(models, pixels, truth, settings))
        if number % 500 == 0:
            print(f"  {number}/{len(images)} images read", flush=True)
    cut = int(FIT_SHARE * len(images))
    model = fit([example for examples in by_way for example in examples[:cut]])
    figures, contours_only = (held_out_figures(examples[cut:], model) for examples in by_way)
    suggested = next((p["review_below"] for p in figures["operating_points"]
                      if p["error_among_accepted"] <= MOST_ERROR), SETTINGS[-1])
    return model_card(model) | {"suggested_review_below": suggested, "fitted_on_images": cut, "held_out": figures,
                                "held_out_contours_only": contours_only}


def model_card(model: ConfidenceModel) -> dict:
    """The model as `ConfidenceModel.load` reads it: its networks one by one."""
    networks, units = model.output_weights.shape
    return {"features": list(FEATURES), "mean": model.mean.tolist(), "scale": model.scale.tolist(),
            "networks": [{"hidden_weights": model.hidden_weights[:, n * units:(n + 1) * units].tolist(),
                          "hidden_bias": model.hidden_bias[n * units:(n + 1) * units].tolist(),
                          "output_weights": model.output_weights[n].tolist(),
                          "output_bias": float(model.output_bias[n])} for n in range(networks)]}


def held_out_figures(examples: list[Example], model: ConfidenceModel) -> dict:
    """`measured` over the readings the reader keeps of images the fit did not see."""
    final = [kept(example, model) for example in examples]
    return measured(np.array([confidence for _, confidence in final]), np.array([c.exact for c, _ in final]))


class TooFewLessons(ValueError):
    """The lessons drawn to fit a judge hold one class only, so there is nothing to tell apart."""


def share(chosen: np.ndarray) -> float | None:
    """The share of True in `chosen`; None where it is empty, as a card's JSON can say (NaN is not JSON)."""
    return float(chosen.mean()) if len(chosen) else None


def fit_judge(kind: type[LogisticModel], lessons_of: Callable[[list], tuple[np.ndarray, np.ndarray]], images: list,
              unit: str) -> tuple[LogisticModel, dict]:
    """A judge of what is the number (a `kind`), fitted on four fifths of the images' `unit`s (lines, groups), and its
    card: how it sorts the last fifth's."""
    cut = int(FIT_SHARE * len(images))
    features, labels = lessons_of(images[:cut])
    if len(np.unique(labels)) < 2:
        raise TooFewLessons(f"the {len(labels)} {unit}s drawn to fit the {kind.__name__} are all "
                            f"{'part of the number' if len(labels) and labels[0] > 0.5 else 'clutter'}: draw more "
                            "(--scenes, --group-scenes)")
    weights, bias = fit_logistic(features, labels)
    held_features, held_labels = lessons_of(images[cut:])
    kept = probability(weights, bias, held_features) >= KEEP_FROM
    number = held_labels > 0.5
    figures = {f"{unit}s": int(len(held_labels)), f"number_{unit}s": int(number.sum()),
               f"number_{unit}s_kept": share(kept[number]), f"other_{unit}s_set_aside": share(~kept[~number])}
    return kind(weights, bias), {"weights": dict(zip(kind.FEATURES, weights.tolist())), "bias": bias,
                                 f"fitted_on_{unit}s": int(len(labels)), "held_out": figures}


def fit_judges(judging_nothing: Models, training_pool: DigitPool, args: argparse.Namespace,
               facts: dict) -> tuple[NumberFinder, WordGroupJudge]:
    """The number finder, then with it in place the word-group judge (or the shipped one, `--shipped-word-groups`),
    each written to `args.out` with its card."""
    training_writers = {"writers": "MNIST's first 55,000 training images and pendigits writers 1-20"}
    finder, finder_card = fit_judge(NumberFinder, functools.partial(finder_lessons, judging_nothing),
                                    training_images(training_pool, args.seed, args.fields, args.scenes,
                                                    args.noise_pictures), "line")
    finder_card |= facts | training_writers
    save_card(Path(args.out, DEFAULT_FINDER_PATH.name), finder_card)
    print(f"wrote {DEFAULT_FINDER_PATH.name}: {finder_card['held_out']}", flush=True)
    if args.shipped_word_groups:
        return finder, WordGroupJudge.load()
    judging_groups = replace(judging_nothing, finder=finder)
    judge, judge_card = fit_judge(WordGroupJudge, functools.partial(group_lessons, judging_groups),
                                  training_images(training_pool, args.seed + 2, 0, args.group_scenes, 0), "group")
    judge_card |= facts | training_writers
    save_card(Path(args.out, DEFAULT_GROUPS_PATH.name), judge_card)
    print(f"wrote {DEFAULT_GROUPS_PATH.name}: {judge_card['held_out']}", flush=True)
    return finder, judge


@errors_in_one_line
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitocr.training.calibrate",
                                     description=__doc__.splitlines()[0])
    add_training_data_options(parser, extra=False)
    parser.add_argument("--fields", type=int, default=FIELDS, help="number fields to draw for each model")
    parser.add_argument("--scenes", type=int, default=SCENES_PER_KIND, help="scenes of each kind to draw")
    parser.add_argument("--noise-pictures", type=int, default=NOISE_PICTURES,
                        help="pictures of noise alone to draw for the number finder")
    parser.add_argument("--scans", type=int, default=SCANS, help="scans of one digit to draw")
    parser.add_argument("--group-scenes", type=int, default=GROUP_SCENES,
                        help="scenes of each kind to draw for the word-group judge")
    parser.add_argument("--seed", type=int, default=SEED)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--confidence-only", action="store_true",
                       help="fit the field confidence alone, with the shipped number finder and word-group judge "
                            "(which do not depend on it)")
    which.add_argument("--shipped-word-groups", action="store_true",
                       help="fit the number finder and the field confidence, with the shipped word-group judge")
    parser.add_argument("--out", default=".",
                        help="the folder to write NumberFinder.json, WordGroups.json and FieldConfidence.json")
    args = parser.parse_args(argv)
    Path(args.out).mkdir(parents=True, exist_ok=True)  # made before the minutes of reading, not found missing after
    training_pool, held_out_pool = pools(LineSources(load_mnist(args.data), parse_pendigits(args.pendigits)
                                                     if args.pendigits else []))
    classifier, line_recognizer, orientation = DigitClassifier.load(), LineRecognizer.load(), OrientationNet.load()
    turn_evidence, signs, slashes = TurnEvidence.load(), SignJudge.load(), SignJudge.load_slash_judge()
    facts = {"seed": args.seed, "command": "python -m digitocr.training.calibrate " + " ".join(sys.argv[1:]),
             "models": {"classifier": model_sha256(classifier.path),
                        "line_recognizer": model_sha256(line_recognizer.path),
                        "orientation": model_sha256(orientation.path),
                        "turn_evidence": model_sha256(turn_evidence.path), "sign_judge": model_sha256(signs.path),
                        "slash_judge": model_sha256(slashes.path)}}
    if args.confidence_only:
        finder, judge = NumberFinder.load(), WordGroupJudge.load()
        facts["judges"] = {"number_finder": model_sha256(finder.path), "word_groups": model_sha256(judge.path)}
    else:
        try:
            finder, judge = fit_judges(Models(classifier, line_recognizer, EvidenceRecorder(), KeepingRecorder(),
                                              orientation, KeepingRecorder(), turn_evidence, signs, slashes),
                                       training_pool, args, facts)
        except TooFewLessons as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        if args.shipped_word_groups:
            facts["judges"] = {"word_groups": model_sha256(judge.path)}
    model = calibrate(Models(classifier, line_recognizer, EvidenceRecorder(), finder, orientation, judge,
                             turn_evidence, signs, slashes),
                      labelled_images(held_out_pool, args.seed + 1, args.fields, args.scenes, args.scans))
    model |= facts | {"writers": "MNIST validation digits (the last 5,000 training images) and pendigits writers "
                                 f"{min(HELD_OUT_WRITERS)}-{max(HELD_OUT_WRITERS)}, never trained on"}
    save_card(Path(args.out, DEFAULT_CONFIDENCE_PATH.name), model)
    held = model["held_out"]
    print(f"wrote {DEFAULT_CONFIDENCE_PATH.name}: held-out images {held['fields']}, read exactly {held['right']:.1%}, "
          f"expected calibration error {held['expected_calibration_error']:.3f}, suggested review setting "
          f"{model['suggested_review_below']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
