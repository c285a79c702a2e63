"""Fit the field confidence: `python -m digitocr.training.calibrate --data MNIST_DIR --pendigits FILE`.

Draws synthetic number fields (`line_synth`, as the line recognizer learns
from) of held-out writers only, MNIST's validation digits and pendigits
writers 21-30, reads each with the shipped reader, and records each line's
evidence (`reader.confidence.line_features`) and whether the field was read
exactly. A logistic model is fitted on four fifths of the fields; the last
fifth measures it: how closely the confidence matches how often readings are
right (a reliability table and its expected calibration error), and, at each
review setting, the share of fields accepted and the error among them.
Writes `FieldConfidence.json` with the model and those figures.
"""

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..networks.classifier import DigitClassifier
from ..networks.line_recognizer import LineRecognizer
from ..networks.model_files import model_sha256
from ..reader import Models, Reader
from ..reader.confidence import DEFAULT_CONFIDENCE_PATH, FEATURES, LineEvidence, line_features, probability
from .digit_data import HELD_OUT_WRITERS, VALIDATION_SIZE, mnist_mask
from .line_synth import compose_number, render_field
from .mnist import load_mnist
from .pendigits import parse_pendigits
from .train_lines import DigitPool

SEED = 4321
FIELDS = 6000
FIT_SHARE = 0.8
RIDGE = 1e-2  # keeps the fit finite where a feature separates the classes perfectly
SETTINGS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99)
MOST_ERROR = 0.01  # the suggested review setting is the lowest whose accepted fields are at most this often wrong


class EvidenceRecorder:
    """Stands in for the reader's confidence model and keeps every line's features instead."""

    def __init__(self):
        self.features: list[np.ndarray] = []

    def line_probability(self, evidence: LineEvidence) -> float:
        self.features.append(line_features(evidence))
        return 0.5


def read_fields(models: Models, pool: DigitPool, count: int, seed: int) -> list[tuple[list[np.ndarray], bool]]:
    """Per synthetic field, its lines' features and whether it was read exactly."""
    recorder = EvidenceRecorder()
    reader = Reader(models=replace(models, confidence=recorder))
    rng = np.random.default_rng(seed)
    fields = []
    for number in range(count):
        mask, text = compose_number(pool, rng)
        recorder.features = []
        reading = reader.read(render_field(mask, rng))
        fields.append((recorder.features, reading.text == text))
        if (number + 1) % 500 == 0:
            print(f"  {number + 1}/{count} fields read, {np.mean([right for _, right in fields]):.1%} exactly",
                  flush=True)
    return fields


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


def field_confidences(fields: list[tuple[list[np.ndarray], bool]], weights: np.ndarray, bias: float) -> np.ndarray:
    """As the reader gives them: the product of the lines', nothing found never sure."""
    return np.array([float(np.prod(probability(weights, bias, np.array(lines)))) if lines else 0.0
                     for lines, _ in fields])


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


def calibrate(models: Models, pool: DigitPool, count: int, seed: int) -> dict:
    fields = read_fields(models, pool, count, seed)
    cut = int(FIT_SHARE * len(fields))
    single = [(lines[0], right) for lines, right in fields[:cut] if len(lines) == 1]
    weights, bias = fit_logistic(np.array([f for f, _ in single]), np.array([r for _, r in single], np.float64))
    held_out = fields[cut:]
    figures = measured(field_confidences(held_out, weights, bias), np.array([r for _, r in held_out]))
    suggested = next((p["review_below"] for p in figures["operating_points"]
                      if p["error_among_accepted"] <= MOST_ERROR), SETTINGS[-1])
    return {"weights": dict(zip(FEATURES, weights.tolist())), "bias": bias, "suggested_review_below": suggested,
            "fitted_on_lines": len(single), "held_out": figures}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitocr.training.calibrate",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="MNIST: a folder of IDX files or an mnist.npz (default: Keras' download)")
    parser.add_argument("--pendigits", help="pendigits-orig.tra, pen strokes of the held-out writers")
    parser.add_argument("--fields", type=int, default=FIELDS, help="synthetic fields to draw")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", default=DEFAULT_CONFIDENCE_PATH.name, help="where to write the model")
    args = parser.parse_args(argv)
    mnist = load_mnist(args.data)
    pens = [d for d in parse_pendigits(args.pendigits) if d.writer in HELD_OUT_WRITERS] if args.pendigits else []
    pool = DigitPool([mnist_mask(i) for i in mnist.train_images[-VALIDATION_SIZE:]],
                     mnist.train_labels[-VALIDATION_SIZE:], pens)
    classifier, line_recognizer = DigitClassifier.load(), LineRecognizer.load()
    model = calibrate(Models(classifier, line_recognizer, EvidenceRecorder()), pool, args.fields, args.seed)
    model |= {"seed": args.seed, "command": "python -m digitocr.training.calibrate " + " ".join(sys.argv[1:]),
              "writers": "MNIST validation digits (the last 5,000 training images) and pendigits writers "
                         f"{min(HELD_OUT_WRITERS)}-{max(HELD_OUT_WRITERS)}, never trained on",
              "models": {"classifier": model_sha256(classifier.path),
                         "line_recognizer": model_sha256(line_recognizer.path)}}
    Path(args.out).write_text(json.dumps(model, indent=2) + "\n")
    held = model["held_out"]
    print(f"wrote {args.out}: held-out fields {held['fields']}, read exactly {held['right']:.1%}, expected "
          f"calibration error {held['expected_calibration_error']:.3f}, suggested review setting "
          f"{model['suggested_review_below']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
