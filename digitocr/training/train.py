"""Train the digit classifier: `python -m digitocr.train --data MNIST_DIR --pendigits FILE --extra DIR [--teacher T]`.

Sections in order: settings, data, model, training, evaluation, saving.
The model takes what MNIST is, (N, 28, 28, 1) float32 in [0, 1], ink bright on
dark, and returns 10 class probabilities; a flat answer means "not a digit".
Its samples are drawn afresh every epoch from MNIST, pendigits' pen strokes,
the extra hands of `--extra` and made-up non-digits (see `digit_data`). With
`--teacher` (given once per member), each digit's target is half its label
and half the teachers' mean answer on the same augmented sample
(distillation); the shipped classifier is the `separable` network taught by
an ensemble of `vgg` networks this same command trained.
"""

import argparse
import hashlib
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from ..arguments import add_training_data_options, errors_in_one_line, existing_folder, positive_number, whole_number
from ..image.normalize import to_model_input
from ..networks.classifier import DEFAULT_MODEL_PATH, DigitClassifier
from ..networks.model_files import (load_keras_model, model_card_path, model_reference, model_sha256, save_card,
                                    save_model)
from ..networks.onnx_net import OnnxNet
from ..settings import ReaderSettings
from . import augment
from .architectures import ARCHITECTURES, build_model
from .digit_data import (HELD_OUT_WRITERS, NOT_A_DIGIT, VALIDATION_SIZE, DigitPools, EpochCounts, ReaderCuts,
                         hand_validation, mnist_mask, non_digit_probe, pen_validation)
from .distillation import DISTILL_WEIGHT, RUNTIMES, Teacher, distilled_targets
from .epoch_drawing import EpochDrawer
from .finetune import finetune
from .hands import HAND_NAMES, Hand, load_hands, training_parts
from .line_lessons import DigitPool
from .mnist import MnistData, load_mnist
from .pendigits import PenDigit, parse_pendigits
from .reader_cuts import reader_cuts

SEED = 1234
BATCH_SIZE = 128
MAX_EPOCHS = 30
PATIENCE = 6
MIN_EPOCHS_SHARE = 0.75  # the cosine schedule's low learning rates come in its last quarter; no early stop before
LEARNING_RATE = 1e-3


@dataclass(frozen=True)
class TrainingRun:
    """What one run of the training command is asked for."""

    out: Path
    architecture: str = "separable"
    max_epochs: int = MAX_EPOCHS
    limit: int | None = None  # at most this many samples per stream: a quick smoke run
    seed: int = SEED
    base: Path | None = None  # the classifier to go on from, instead of random weights
    learning_rate: float = LEARNING_RATE
    teachers: tuple[Path, ...] = ()  # classifiers whose mean answer the run learns from
    distill_weight: float = DISTILL_WEIGHT
    reader_cut_scenes: int = 0  # scenes of each one-line kind the pipeline cuts into pieces to learn from
    draw_processes: int = 1  # processes drawing each epoch's samples while the network learns
    teacher_runtime: str = "onnx"  # what the teachers answer through: ONNX Runtime, or Keras on its device
    minutes: float | None = None  # a time budget the cosine schedule runs over; no epoch starts that would overrun it
    passes: int = 1  # times the network learns each drawn epoch before the next is drawn


@dataclass(frozen=True)
class Sources:
    """The training data and where it was read from, for the card."""

    mnist: MnistData
    pen_digits: list[PenDigit] = field(default_factory=list)
    pendigits_path: str | None = None
    hands: list[Hand] = field(default_factory=list)
    extra_path: str | None = None
    learned_hands: tuple[str, ...] | None = None  # the hands whose training parts are learned from; None: all

    def learns_from(self, hand: Hand) -> bool:
        """Whether the hand's training part is learned from; every hand's held-out part is validated on, so a run
        without a hand measures what that hand adds."""
        return self.learned_hands is None or hand.name in self.learned_hands


def accuracy(model, inputs: np.ndarray, labels: np.ndarray) -> float:
    probabilities = model.predict(inputs, batch_size=1024, verbose=0)
    return float((probabilities.argmax(axis=1) == labels).mean())


def md5_of(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def cosine_rate(start: float, epoch: int, epochs: int) -> float:
    """The learning rate of an epoch (counted from 1) on a cosine schedule from `start` down towards zero."""
    return cosine_at(start, (epoch - 1) / epochs)


def cosine_at(start: float, progress: float) -> float:
    """The cosine schedule's learning rate once `progress` (0 to 1) of the run is done."""
    return float(start * 0.5 * (1 + np.cos(np.pi * min(progress, 1.0))))


def training_pools(sources: Sources, limit: int | None) -> DigitPools:
    """MNIST's first 55,000 training images, pendigits' training writers and the hands' training parts."""
    images, labels = sources.mnist.train_images[:-VALIDATION_SIZE], sources.mnist.train_labels[:-VALIDATION_SIZE]
    if limit:
        images, labels = images[:limit], labels[:limit]
    pens = [digit for digit in sources.pen_digits if digit.writer not in HELD_OUT_WRITERS]
    return DigitPools(images, labels, [mnist_mask(image) for image in images], pens,
                      tuple(hand for hand in sources.hands if sources.learns_from(hand)))


def cut_by_the_reader(pools: DigitPools, run: TrainingRun) -> ReaderCuts:
    """Pieces the pipeline cuts from scenes written with the training digits, kept and put in order by the
    classifier the run starts from (the shipped one where it starts from random weights)."""
    writers = DigitPool(pools.mnist_masks, pools.mnist_labels, pools.pen_digits, hands=training_parts(pools.hands))
    scenes = min(run.reader_cut_scenes, run.limit or run.reader_cut_scenes)
    print(f"cutting {scenes} scenes of each one-line kind with the reader's pipeline", flush=True)
    return reader_cuts(writers, DigitClassifier.load(run.base or DEFAULT_MODEL_PATH), scenes, run.seed)


def validation_sets(sources: Sources, limit: int | None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """What the best epoch is chosen on: MNIST's last 5,000 training images as published, the held-out pendigits
    writers and the hands' held-out digits through the normalisation. MNIST's test set is never used to choose."""
    images = sources.mnist.train_images[-VALIDATION_SIZE:][:limit or None]
    sets = {"mnist_validation": (images.astype(np.float32)[..., None] / 255.0,
                                 sources.mnist.train_labels[-VALIDATION_SIZE:][:limit or None])}
    held_out_pens = [digit for digit in sources.pen_digits if digit.writer in HELD_OUT_WRITERS][:limit or None]
    if held_out_pens:
        sets["pendigits_held_out"] = pen_validation(held_out_pens)
    for hand in sources.hands:
        if hand.held_out.any():
            sets[f"{hand.name}_held_out"] = hand_validation(hand)
    return sets


def starting_model(run: TrainingRun):
    """A fresh network of the run's architecture, or `run.base` itself (its own architecture) to carry on from;
    and which."""
    import keras

    model = load_keras_model(run.base) if run.base else build_model(run.architecture)
    started_from = model_reference(run.base) if run.base else "random weights"
    model.summary(print_fn=lambda line, **_: print(line))
    model.compile(optimizer=keras.optimizers.Adam(run.learning_rate), loss="categorical_crossentropy")
    return model, started_from


def fit(model, run: TrainingRun, drawer: EpochDrawer, validation: dict, teacher: Teacher | None) -> tuple[list, int]:
    """Epochs on a cosine schedule, each on fresh samples; the weights of the best epoch (mean validation accuracy)
    are kept. With `run.minutes` the schedule runs over the time budget instead of the epochs, so a run on a lent
    machine anneals fully however fast it turns out to be. With `run.passes` above one each drawn epoch is learned
    that many times over (data echoing): where a GPU learns an epoch in a tenth of the time its processes take to
    draw the next, the network would otherwise wait. Returns each epoch's scores and the best epoch."""
    min_epochs = int(np.ceil(MIN_EPOCHS_SHARE * run.max_epochs))
    budget = 60 * run.minutes if run.minutes else None
    best_score, best_weights, best_epoch, stale, history = -1.0, None, 0, 0, []
    started, last_epoch_seconds = time.perf_counter(), 0.0
    for epoch in range(1, run.max_epochs + 1):
        elapsed = time.perf_counter() - started
        if budget and epoch > 1 and elapsed + last_epoch_seconds > budget:
            print(f"stopping: another epoch would overrun the {run.minutes:g} minutes", flush=True)
            break
        rate = cosine_at(run.learning_rate, elapsed / budget) if budget else cosine_rate(run.learning_rate, epoch,
                                                                                         run.max_epochs)
        inputs, targets = drawer.next_epoch(another_follows=epoch < run.max_epochs)
        if teacher is not None:
            targets = distilled_targets(targets, teacher.answers(inputs), run.distill_weight)
        model.optimizer.learning_rate.assign(rate)
        print(f"epoch {epoch}/{run.max_epochs}: {len(inputs)} samples, learning rate {rate:.2e}"
              + (f", {run.passes} passes" if run.passes > 1 else ""), flush=True)
        model.fit(inputs, targets, batch_size=BATCH_SIZE, epochs=run.passes, verbose=1 if sys.stdout.isatty() else 2)
        scores = {name: accuracy(model, *data) for name, data in validation.items()}
        history.append({"epoch": epoch, "learning_rate": rate, **scores})
        print("  " + ", ".join(f"{name} {value:.4f}" for name, value in scores.items()), flush=True)
        done = time.perf_counter() - started
        last_epoch_seconds = done - elapsed
        score = float(np.mean(list(scores.values())))
        if score > best_score:
            best_score, best_weights, best_epoch, stale = score, model.get_weights(), epoch, 0
        else:
            stale += 1
            late = done >= MIN_EPOCHS_SHARE * budget if budget else epoch >= min_epochs
            if stale >= PATIENCE and late:
                print(f"stopping early: no gain for {PATIENCE} epochs", flush=True)
                break
    model.set_weights(best_weights)
    return history, best_epoch


def final_accuracy(model, mnist: MnistData, validation: dict, limit: int | None) -> dict[str, float]:
    """MNIST's test set (as published and through the reader's normalisation; its first `limit` images in a smoke
    run), the held-out sets, and the share of made-up non-digits the reader would call "not a digit"."""
    tests, labels = mnist.test_images[:limit or None], mnist.test_labels[:limit or None]
    test_normalised = np.stack([to_model_input(mnist_mask(image)) for image in tests])[..., None]
    results = {"mnist_test": accuracy(model, tests.astype(np.float32)[..., None] / 255.0, labels),
               "mnist_test_through_normalisation": accuracy(model, test_normalised, labels)}
    results |= {name: accuracy(model, *data) for name, data in validation.items() if name != "mnist_validation"}
    flat = model.predict(non_digit_probe(), batch_size=1024, verbose=0).max(axis=1) < ReaderSettings().reject_below
    results["non_digits_rejected"] = float(flat.mean())
    return results


def train(sources: Sources, run: TrainingRun) -> dict:
    """From random weights, or from the classifier at `run.base`; taught by `run.teachers` where given."""
    import keras

    pools, validation = training_pools(sources, run.limit), validation_sets(sources, run.limit)
    if run.reader_cut_scenes:
        pools = replace(pools, reader_cuts=cut_by_the_reader(pools, run))
    print(f"training from {len(pools.mnist_images)} MNIST images, {len(pools.pen_digits)} pen digits and "
          + (", ".join(f"{(~hand.held_out).sum()} {hand.name}" for hand in pools.hands) or "no extra hands")
          + (f", {len(pools.reader_cuts.labels)} pieces cut by the reader" if pools.reader_cuts else "")
          + "; validation: " + ", ".join(f"{len(labels)} {name}" for name, (_, labels) in validation.items()),
          flush=True)
    counts = EpochCounts().limited(run.limit)
    with EpochDrawer(pools, counts, run.seed, run.draw_processes) as drawer:
        keras.utils.set_random_seed(run.seed)  # after the drawers fork: on JAX it starts the device's threads
        teacher = Teacher.load(list(run.teachers), run.teacher_runtime) if run.teachers else None
        if teacher is not None:
            teacher.require_trained(*validation["mnist_validation"])
        model, started_from = starting_model(run)
        started = time.perf_counter()
        history, best_epoch = fit(model, run, drawer, validation, teacher)
    seconds = time.perf_counter() - started
    results = final_accuracy(model, sources.mnist, validation, run.limit)
    print("test: " + ", ".join(f"{name} {value:.4f}" for name, value in results.items()), flush=True)
    save_model(model, run.out)
    card = model_card(model, sources, run, pools.reader_cuts, {
        "accuracy": results, "history": history, "best_epoch": best_epoch, "training_seconds": round(seconds, 1),
        "started_from": started_from, "teacher": teacher.description() if teacher else None})
    save_card(model_card_path(run.out), card)
    print(f"wrote {run.out} ({run.out.stat().st_size / 1e6:.2f} MB, {card['multiply_adds']:,} multiply-adds a digit) "
          f"and {model_card_path(run.out)}", flush=True)
    return card


def model_card(model, sources: Sources, run: TrainingRun, cuts: ReaderCuts | None, outcome: dict) -> dict:
    """How the model was made and how it reads: what the card beside it records."""
    import keras

    counts = EpochCounts().limited(run.limit)
    if cuts is None:
        counts = replace(counts, reader_cuts=0)
    return {
        "model": run.out.name,
        "sha256": model_sha256(run.out),
        "input": "(N, 28, 28, 1) float32 in [0, 1], ink bright on a dark field",
        "output": "10 softmax probabilities for the digits 0-9; a flat answer means 'not a digit'",
        "architecture": f"that of {run.base.name}" if run.base else run.architecture,
        "parameters": int(model.count_params()),
        "multiply_adds": OnnxNet.from_archive(run.out).multiply_adds,
        "file_bytes": run.out.stat().st_size,
        "accuracy": outcome["accuracy"],
        "epochs_run": len(outcome["history"]),
        "best_epoch": outcome["best_epoch"],
        "history": outcome["history"],
        "seed": run.seed,
        "training_seconds": outcome["training_seconds"],
        "teacher": outcome["teacher"],
        "data": data_facts(sources, counts, run.limit) | ({"reader_cuts": {
            "scenes": cuts.scenes, "scenes_aligned": cuts.scenes_aligned, "pieces": len(cuts.labels),
            "not_digits": int((cuts.labels == NOT_A_DIGIT).sum())}} if cuts else {}),
        "augmentation": asdict(augment.AugmentSettings()),
        "training": {"batch_size": BATCH_SIZE, "max_epochs": run.max_epochs, "minutes": run.minutes,
                     "patience": PATIENCE,
                     "min_epochs": int(np.ceil(MIN_EPOCHS_SHARE * run.max_epochs)),
                     "optimizer": "Adam, cosine learning rate", "learning_rate": run.learning_rate,
                     "keras_backend": keras.backend.backend(), "draw_processes": run.draw_processes,
                     "passes": run.passes,
                     "teacher_runtime": run.teacher_runtime if run.teachers else None,
                     "loss": "categorical cross-entropy, uniform target for non-digits" +
                             (f"; digits' targets {run.distill_weight:.0%} the teacher's mean answer where its "
                              "answer is the label" if run.teachers else ""),
                     "started_from": outcome["started_from"]},
        "command": "python -m digitocr.train " + " ".join(sys.argv[1:]),
    }


def data_facts(sources: Sources, counts: EpochCounts, limit: int | None) -> dict:
    mnist = sources.mnist
    return {
        "mnist": {"source": mnist.source, "md5": mnist.md5, "licence": "CC BY-SA 3.0",
                  "train_images": int(len(mnist.train_images) - VALIDATION_SIZE), "validation_images": VALIDATION_SIZE,
                  "test_images": int(len(mnist.test_images[:limit or None]))},
        "pendigits": {"source": sources.pendigits_path, "licence": "CC BY 4.0",
                      "md5": md5_of(Path(sources.pendigits_path)) if sources.pendigits_path else None,
                      "held_out_writers": sorted(HELD_OUT_WRITERS)},
        "hands": {"source": sources.extra_path,
                  "sets": {hand.name: {"train": int((~hand.held_out).sum()) if sources.learns_from(hand) else 0,
                                       "held_out": int(hand.held_out.sum())} for hand in sources.hands}},
        "samples_per_epoch": asdict(counts),
    }


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m digitocr.train", description=__doc__.splitlines()[0])
    add_training_data_options(parser)
    parser.add_argument("--learn-hands", metavar="NAMES", help="which of the extra hands to learn from, by name "
                        f"({', '.join(HAND_NAMES)}; comma-separated, none for ''; default all): the others are only "
                        "validated on, to measure what each adds")
    parser.add_argument("--out", default="DigitClassifier.keras", help="where to write the model (and its .json card)")
    parser.add_argument("--architecture", choices=ARCHITECTURES, default="separable")
    parser.add_argument("--teacher", action="append", default=[], help="a classifier to learn from (once per member)")
    parser.add_argument("--teacher-runtime", choices=RUNTIMES, default="onnx",
                        help="what the teachers answer through: ONNX Runtime (default, the fastest on a CPU) or Keras "
                             "on its backend's device (a GPU, with KERAS_BACKEND=torch where TensorFlow sees none)")
    parser.add_argument("--epochs", type=whole_number(1), default=MAX_EPOCHS,
                        help="most epochs; early stopping may end sooner")
    parser.add_argument("--minutes", type=positive_number,
                        help="a time budget: the cosine schedule runs over these minutes instead of the epochs, and no "
                             "epoch starts that would overrun them (for a lent machine whose speed is not known ahead; "
                             "the card records each epoch's learning rate)")
    parser.add_argument("--limit", type=whole_number(1),
                        help="use at most this many samples per stream (a quick smoke run)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--workers", type=whole_number(1), default=2, help="processes reading the extra hands' images")
    parser.add_argument("--finetune", type=existing_folder, metavar="DIR",
                        help="fine-tune on your own digits: a folder with labels.csv")
    parser.add_argument("--base", help="the model to start from: with --finetune, default the shipped one;"
                        " without, the whole recipe goes on from its weights instead of random ones")
    parser.add_argument("--learning-rate", type=positive_number, default=LEARNING_RATE,
                        help="the cosine schedule's start")
    parser.add_argument("--draw-processes", type=whole_number(1), default=1, metavar="N",
                        help="processes drawing each epoch's samples while the network learns from the one before "
                             "(default 1: drawn in turn; more pays where a GPU learns faster than one core draws)")
    parser.add_argument("--passes", type=whole_number(1), default=1, metavar="N",
                        help="learn each drawn epoch N times before the next is drawn (default 1; more pays where the "
                             "network learns an epoch much faster than the processes draw one, as on a GPU)")
    parser.add_argument("--reader-cuts", type=whole_number(0), default=0, metavar="SCENES",
                        help="also learn from the pieces the reader's pipeline cuts from this many scenes of each "
                             "one-line kind by the training writers (default none)")
    return parser


@errors_in_one_line
def main(argv: list[str] | None = None) -> int:
    arguments = parser()
    args = arguments.parse_args(argv)
    learned = None if args.learn_hands is None else tuple(name for name in args.learn_hands.split(",") if name)
    if learned and not set(learned) <= set(HAND_NAMES):
        arguments.error(f"--learn-hands names {', '.join(sorted(set(learned) - set(HAND_NAMES)))}; the extra hands "
                        f"are {', '.join(HAND_NAMES)}")
    if args.finetune and args.out == arguments.get_default("out"):
        arguments.error("--finetune needs --out: the shipped model is never overwritten")
    run_command(args, learned)
    return 0


def run_command(args: argparse.Namespace, learned: tuple[str, ...] | None) -> None:
    """A fine-tune on the user's own digits, or the whole recipe, as the arguments ask."""
    mnist = load_mnist(args.data)
    if args.finetune:
        finetune(Path(args.finetune), Path(args.base) if args.base else DEFAULT_MODEL_PATH, Path(args.out), mnist,
                 args.seed)
        return
    pen_digits = parse_pendigits(args.pendigits) if args.pendigits else []
    hands = load_hands(Path(args.extra), args.workers, args.limit) if args.extra else []
    sources = Sources(mnist, pen_digits, args.pendigits, hands, args.extra, learned)
    run = TrainingRun(Path(args.out), args.architecture, args.epochs, args.limit, args.seed,
                      Path(args.base) if args.base else None, args.learning_rate, tuple(map(Path, args.teacher)),
                      reader_cut_scenes=args.reader_cuts, draw_processes=args.draw_processes,
                      teacher_runtime=args.teacher_runtime, minutes=args.minutes, passes=args.passes)
    train(sources, run)


if __name__ == "__main__":
    sys.exit(main())
