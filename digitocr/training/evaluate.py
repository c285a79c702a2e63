"""Accuracy report: `python -m digitocr.evaluate --mnist DIR [--dev DIR] [--stress --pendigits FILE] [--out docs]`.

Writes `accuracy.md` with MNIST test accuracy (raw and through the reader's
normalisation), per-class accuracy, a confusion matrix image; with `--dev`,
the dev-set table from `shared/tools/score.py`, the canvas figures for the
pendigits writers held out of training, the field confidence on each set
(the share of readings accepted at the review setting and the error among
them, and a picture of that trade over every setting) and the most
frequent remaining error kinds with example files; with `--stress`, the
stress suite's exact-match rate per kind (`stress`); and always, held-out
digits read as small scans of one digit (`digit_scans`) and the tuned
constants the reading path's decisions rest on (`rule_count`). Sections not
measured in this run are kept from the report already there when it names
the same model. Dev images are named, never copied.
"""

import argparse
import csv
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

from ..arguments import errors_in_one_line, existing_file, existing_folder, existing_path
from ..image.normalize import to_model_input
from ..networks.classifier import DEFAULT_MODEL_PATH, DigitClassifier
from ..reader.line_choice import edits
from .mnist import MnistData, load_mnist
from ..reader import Reader
from ..settings import ReaderSettings
from . import stress
from .calibrate import MOST_ERROR
from .digit_scans import FORMS
from .report_sections import HEADING, Report, merged
from .rule_count import constants_table, reading_path_constants
from .digit_data import HELD_OUT_WRITERS, VALIDATION_SIZE, mnist_mask
from .pendigits import parse_pendigits


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray) -> np.ndarray:
    matrix = np.zeros((10, 10), np.int64)
    np.add.at(matrix, (labels, predictions), 1)
    return matrix


def confusion_image(matrix: np.ndarray, cell: int = 44) -> np.ndarray:
    """Rows are true digits, columns predictions; off-diagonal counts shaded red."""
    size = cell * 11
    image = np.full((size, size, 3), 255, np.uint8)
    errors = matrix.copy()
    np.fill_diagonal(errors, 0)
    worst = max(1, errors.max())
    for row in range(10):
        for column in range(10):
            top, left = (row + 1) * cell, (column + 1) * cell
            count = int(matrix[row, column])
            if row != column and count:
                shade = int(235 - 200 * count / worst)
                cv2.rectangle(image, (left, top), (left + cell - 1, top + cell - 1), (255, shade, shade), -1)
            elif row == column:
                cv2.rectangle(image, (left, top), (left + cell - 1, top + cell - 1), (215, 240, 215), -1)
            if count:
                cv2.putText(image, str(count), (left + 4, top + cell // 2 + 5), cv2.FONT_HERSHEY_SIMPLEX, 0.38,
                            (0, 0, 0), 1, cv2.LINE_AA)
    for index in range(10):
        cv2.putText(image, str(index), ((index + 1) * cell + cell // 3, cell - 12), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                    (0, 0, 0), 1, cv2.LINE_AA)
        cv2.putText(image, str(index), (cell // 3, (index + 1) * cell + cell // 2 + 6), cv2.FONT_HERSHEY_SIMPLEX,
                    0.6, (0, 0, 0), 1, cv2.LINE_AA)
    return image


def edit_operations(read: str, label: str) -> list[str]:
    """The edits that turn the reading into the label: 'b read as a' substitutions, 'missed b', 'extra a'."""
    names = {"change": lambda i, j: f"{label[j]} read as {read[i]}", "drop": lambda i, j: f"extra {read[i]}",
             "add": lambda i, j: f"missed {label[j]}"}
    return [names[kind](i, j) for kind, i, j in edits(read, label)]


def score_dev(dev: Path, model: Path | None, misses_path: Path, contours_only: bool = False) -> dict:
    score_tool = dev.parent.parent / "tools" / "score.py"
    reader = f"{sys.executable} -m digitocr read" + (f" --model {model}" if model else "") + \
        (" --contours-only" if contours_only else "")
    result = subprocess.run([sys.executable, str(score_tool), str(dev), "--reader", reader, "--json",
                             "--errors", str(misses_path)], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def held_out_canvas(dev: Path, misses: list[dict]) -> dict[str, tuple[int, int]]:
    """Exact matches over the canvas images drawn by pendigits writers kept out of training."""
    missed = {row["filename"] for row in misses}
    counts: dict[str, list[int]] = {}
    with open(dev / "labels.csv", newline="") as stream:
        for row in csv.DictReader(stream):
            folder = row["filename"].split("/")[0]
            source = row.get("source", "")
            if folder.startswith("canvas") and source.startswith("pendigits writer"):
                if int(source.split()[-1]) in HELD_OUT_WRITERS:
                    total = counts.setdefault(folder, [0, 0])
                    total[0] += row["filename"] not in missed
                    total[1] += 1
    return {folder: (right, total) for folder, (right, total) in counts.items()}


CURVE_SETTINGS = [round(0.01 * step, 2) for step in range(0, 100)]  # review settings the confidence curve runs over
CURVE_SIZE = (640, 420)  # pixels


def mnist_section(classifier: DigitClassifier, mnist: MnistData, model_name: str, out: Path) -> list[str]:
    raw = classifier.predict(mnist.test_images.astype(np.float32) / 255.0).argmax(axis=1)
    normalised = classifier.predict(np.stack([to_model_input(mnist_mask(i)) for i in mnist.test_images])).argmax(1)
    matrix = confusion_matrix(mnist.test_labels, raw)
    cv2.imwrite(str(out / "mnist_confusion.png"), cv2.cvtColor(confusion_image(matrix), cv2.COLOR_RGB2BGR))
    lines = ["# Accuracy", "", f"Model: `{model_name}` ({classifier.multiply_adds:,} multiply-adds a digit). "
             "Made by `python -m digitocr.evaluate`; figures from this machine.", "", "## MNIST test set", "",
             f"- As published (28x28, raw): **{100 * (raw == mnist.test_labels).mean():.2f}%** of 10,000",
             f"- Through the reader's normalisation: {100 * (normalised == mnist.test_labels).mean():.2f}%", "",
             "| digit | " + " | ".join(str(d) for d in range(10)) + " |", "|---" * 11 + "|",
             "| accuracy % | " + " | ".join(f"{100 * matrix[d, d] / matrix[d].sum():.2f}" for d in range(10)) + " |",
             "", "![MNIST confusion matrix: rows true, columns read](mnist_confusion.png)", ""]
    print("\n".join(lines[6:8]))
    return lines


def dev_section(dev: Path, model: Path | None, out: Path) -> list[str]:
    misses_path = out / "dev_misses.csv"
    contours = score_dev(dev, model, misses_path, contours_only=True)
    summary = score_dev(dev, model, misses_path)
    with open(misses_path, newline="") as stream:
        misses = list(csv.DictReader(stream))
    misses_path.unlink()
    lines = ["## Dev sets (`shared/tools/score.py`, digits exact match)", "",
             "The reader as shipped, and with `--contours-only` (no line recognizer) for comparison.", "",
             "| set | n | exact % | CER % | failed | exact %, contours only |", "|---|---|---|---|---|---|"]
    lines += [f"| {name} | {row['n']} | {row['exact_pct']:.2f} | {row['cer_pct']:.2f} | {row['failed']} | "
              f"{contours[name]['exact_pct']:.2f} |" for name, row in summary.items()]
    lines += ["", f"Reader wall time: {summary['ALL']['ms_per_image']} ms per image, start-up included.", ""]
    held = held_out_canvas(dev, misses)
    if held:
        lines += ["Canvas sets, only the pendigits writers held out of training "
                  f"({min(HELD_OUT_WRITERS)}-{max(HELD_OUT_WRITERS)}):", ""]
        lines += [f"- {folder}: {100 * right / total:.2f}% of {total}" for folder, (right, total) in held.items()]
        lines.append("")
    print("\n".join(lines[4:5 + len(summary)]))
    return lines + error_kinds(misses)


def error_kinds(misses: list[dict]) -> list[str]:
    kinds: Counter = Counter()
    examples: dict[str, list[str]] = {}
    for row in misses:
        label = "".join(ch for ch in row["label"] if ch.isdigit())
        for operation in edit_operations(row["read"], label) if not row["error"] else ["reader failed"]:
            kinds[operation] += 1
            if row["filename"] not in examples.setdefault(operation, []):
                examples[operation].append(row["filename"])
    lines = ["## Most frequent remaining errors", "", "| error | count | examples (in shared/data/dev) |",
             "|---|---|---|"]
    return lines + [f"| {kind} | {count} | {', '.join(examples[kind][:3])} |"
                    for kind, count in kinds.most_common(10)] + [""]


def dev_confidences(reader: Reader, dev: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per dev set, each image's field confidence and whether its digits were read exactly."""
    with open(dev / "labels.csv", newline="") as stream:
        rows = [(row["filename"], "".join(ch for ch in row["label"] if ch.isdigit())) for row in csv.DictReader(stream)]
    rows = [(name, label) for name, label in rows if label]
    found: dict[str, list[tuple[float, bool]]] = {}
    for (name, label), outcome in zip(rows, reader.read_many([dev / name for name, _ in rows], workers=2)):
        read = "" if outcome.error else "".join(ch for ch in outcome.reading.text if ch.isdigit())
        found.setdefault(name.split("/")[0], []).append((outcome.reading.confidence if outcome.reading else 0.0,
                                                         read == label))
    return {name: (np.array([c for c, _ in pairs]), np.array([r for _, r in pairs])) for name, pairs in found.items()}


def accepted_and_error(confidences: np.ndarray, right: np.ndarray, setting: float) -> tuple[float, float]:
    accepted = confidences >= setting
    return float(accepted.mean()), float(1 - right[accepted].mean()) if accepted.any() else 0.0


def most_accepted(confidences: np.ndarray, right: np.ndarray, most_error: float) -> float:
    """The largest share of fields any review setting accepts with at most `most_error` of them wrong, each field's
    own confidence tried as the setting: what the confidence's ranking allows, whatever the setting. Where it is
    low, no choice of setting helps, only a confidence that tells right readings from wrong ones better."""
    return max((share for share, error in (accepted_and_error(confidences, right, setting)
                                           for setting in np.unique(confidences)) if error <= most_error), default=0.0)


def confidence_section(reader: Reader, dev: Path, out: Path) -> list[str]:
    sets = dev_confidences(reader, dev)
    setting = reader.settings.review_below
    cv2.imwrite(str(out / "field_confidence.png"), cv2.cvtColor(curve_image(sets), cv2.COLOR_RGB2BGR))
    lines = ["## Field confidence on the dev sets", "",
             f"At the default review setting ({setting}), a reading whose confidence (the calibrated probability "
             "that every digit is right) is lower needs a person's review. The confidence was fitted on synthetic "
             "fields and scenes of held-out writers (`python -m digitocr.training.calibrate`), never on these "
             "images. The last column is the most that any setting (each field's confidence tried as one) accepts "
             f"with at most {100 * MOST_ERROR:.0f}% of the accepted wrong, a bound on what choosing the setting can "
             "do.", "",
             "| set | n | read exactly % | accepted % | error among accepted % | most accepted at "
             f"{100 * MOST_ERROR:.0f}% error, any setting % |", "|---|---|---|---|---|---|"]
    for name, (confidences, right) in sets.items():
        accepted, error = accepted_and_error(confidences, right, setting)
        lines.append(f"| {name} | {len(right)} | {100 * right.mean():.2f} | {100 * accepted:.1f} | "
                     f"{100 * error:.2f} | {100 * most_accepted(confidences, right, MOST_ERROR):.1f} |")
    lines += ["", "![Share of fields accepted against the error among them, as the review setting runs from 0 to "
                  "0.99](field_confidence.png)", ""]
    print("\n".join(lines[6:]))
    return lines


def curve_image(sets: dict[str, tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Accepted share (across) against the error among the accepted (up, to 20%), one curve per set."""
    width, height = CURVE_SIZE
    image = np.full((height, width, 3), 255, np.uint8)
    x0, y0, x1, y1 = 60, height - 50, width - 20, 20  # the plot's corners: bottom left, top right
    cv2.rectangle(image, (x0, y1), (x1, y0), (0, 0, 0), 1)
    for tick in range(0, 101, 20):
        cv2.putText(image, f"{tick}%", (x0 + (x1 - x0) * tick // 100 - 14, y0 + 18), cv2.FONT_HERSHEY_SIMPLEX, 0.4,
                    (0, 0, 0), 1, cv2.LINE_AA)
    for tick in range(0, 21, 5):
        cv2.putText(image, f"{tick}%", (14, y0 - (y0 - y1) * tick // 20 + 4), cv2.FONT_HERSHEY_SIMPLEX, 0.4,
                    (0, 0, 0), 1, cv2.LINE_AA)
    cv2.putText(image, "fields accepted (across) and error among them (up)", (x0, height - 12),
                cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    colours = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189), (255, 127, 14), (23, 190, 207)]
    for index, (name, (confidences, right)) in enumerate(sets.items()):
        points = [accepted_and_error(confidences, right, setting) for setting in CURVE_SETTINGS]
        path = np.array([(x0 + (x1 - x0) * share, y0 - (y0 - y1) * min(error, 0.2) / 0.2) for share, error in points],
                        np.int32)
        colour = colours[index % len(colours)]
        cv2.polylines(image, [path.reshape(-1, 1, 2)], False, colour, 2, cv2.LINE_AA)
        cv2.putText(image, name, (x0 + 10, y1 + 18 + 16 * index), cv2.FONT_HERSHEY_SIMPLEX, 0.45, colour, 1,
                    cv2.LINE_AA)
    return image


def stress_section(reader: Reader, mnist: MnistData, pendigits: str) -> list[str]:
    pool = stress.held_out_pool(mnist, parse_pendigits(pendigits))
    scores = stress.score(reader, stress.stress_scenes(pool), workers=2)
    lines = ["## Stress suite (`python -m digitocr.evaluate --stress`)", "",
             f"{stress.PER_KIND} scenes of each kind, drawn with a fixed seed from held-out writers only (MNIST's "
             "validation digits, pendigits writers 21-30); exact match of every digit and every line.", "",
             *stress.stress_table(scores), ""]
    print("\n".join(lines[4:]))
    return lines


SCANS_PER_FORM = 2000  # MNIST validation digits read in each form of scan


def scans_section(reader: Reader, mnist: MnistData) -> list[str]:
    images = mnist.train_images[-VALIDATION_SIZE:][:SCANS_PER_FORM]
    labels = [str(label) for label in mnist.train_labels[-VALIDATION_SIZE:][:SCANS_PER_FORM]]
    lines = ["## Scans of one digit", "",
             f"The first {SCANS_PER_FORM:,} of MNIST's validation digits (held out), each as its own small image, "
             "read whole; exact match.", "", "| scan | read right % |", "| --- | --- |"]
    for form, make_scan in FORMS.items():
        outcomes = reader.read_many([make_scan(image) for image in images], workers=2)
        right = sum(outcome.reading is not None and outcome.reading.text == label
                    for outcome, label in zip(outcomes, labels))
        lines.append(f"| {form} | {100 * right / len(labels):.2f} |")
    print("\n".join(lines[4:]))
    return lines + [""]


def rules_section() -> list[str]:
    lines = ["## Tuned constants of the reading path", "",
             "Each module-level number of `image/` and `reader/` (a ratio, a margin, a prior) is a setting chosen by "
             "hand; a decision a model takes instead needs none (`training/rule_count`).", "",
             *constants_table(reading_path_constants(Path(__file__).resolve().parents[1])), ""]
    print(lines[-2])
    return lines


@errors_in_one_line
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitocr.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", type=existing_path, required=True, help="MNIST folder of IDX files or mnist.npz")
    parser.add_argument("--dev", type=existing_folder,
                        help="the labelled dev folder (shared/data/dev); skipped when not given")
    parser.add_argument("--stress", action="store_true", help="also run the stress suite (needs --pendigits)")
    parser.add_argument("--pendigits", type=existing_file,
                        help="pendigits-orig.tra, for the stress suite's held-out writers")
    parser.add_argument("--model", help="model to evaluate (default: the shipped one)")
    parser.add_argument("--out", default="docs", help="folder for accuracy.md and its images")
    args = parser.parse_args(argv)
    if args.stress and not args.pendigits:
        parser.error("--stress needs --pendigits")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    reader = Reader(args.model, ReaderSettings())
    mnist = load_mnist(args.mnist)
    lines = mnist_section(reader.classifier, mnist, Path(args.model or DEFAULT_MODEL_PATH).name, out)
    if args.dev:
        lines += dev_section(Path(args.dev), Path(args.model) if args.model else None, out)
        lines += confidence_section(reader, Path(args.dev), out)
    if args.stress:
        lines += stress_section(reader, mnist, args.pendigits)
    lines += scans_section(reader, mnist)
    lines += rules_section()
    write_report(out / "accuracy.md", lines)
    return 0


def write_report(path: Path, lines: list[str]) -> None:
    """Writes the sections just measured, keeping the previous report's others (`report_sections`) and saying so."""
    previous = Report.parse(path.read_text().splitlines()) if path.exists() else Report([], {})
    report, kept = merged(previous, Report.parse(lines))
    path.write_text("\n".join(report.lines()) + "\n")
    print(f"wrote {path}" + (f", keeping its earlier sections: {'; '.join(h[len(HEADING):] for h in kept)}"
                             if kept else ""))


if __name__ == "__main__":
    raise SystemExit(main())
