"""Fit how an image's blobs and lines together say which way up it is: `python -m digitocr.training.fit_turns
--data MNIST_DIR --pendigits FILE`.

The orientation network answers for each blob, and the line recognizer for
each line read turned half round (`reader.orientation`). Added up as
independent witnesses they are far surer than they are right: an image's
blobs share one hand and one camera, and a page of specks leans a little
one way in every speck. `TurnEvidence` weighs them with three numbers: how
much the blobs' mean answer counts, the power of their number it grows
with, and how much the lines' evidence counts. The weights are those under
which the true turn of scenes of every kind, upright and turned, by
held-out writers (MNIST's validation digits, pendigits writers 21-30; seeds
of its own, not the stress suite's), is likeliest over the share of turned
scenes they were drawn with: the largest mean log-likelihood on a grid,
then on finer grids around the best. Four fifths of the scenes fit them;
the last fifth measures the fit beside the blobs added up as independent:
the mean log-loss of the true turn, and how many upright scenes and turned
ones the reader would read turned (`orientation.TRY_FROM`, over the real
prior). Writes `TurnEvidence.json`.
"""

import argparse
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..arguments import add_training_data_options, errors_in_one_line
from ..networks.classifier import DigitClassifier
from ..networks.line_recognizer import LineRecognizer
from ..networks.model_files import model_sha256, save_card
from ..networks.orientation import OrientationNet
from ..networks.sign_judge import SignJudge
from ..reader import Models, Reader
from ..reader.confidence import ConfidenceModel
from ..reader.number_finder import NumberFinder
from ..reader.orientation import (DEFAULT_TURN_EVIDENCE_PATH, INDEPENDENT, TRY_FROM, TurnEvidence, prior_chances,
                                  summed_log_answers)
from ..reader.prepare import prepare
from ..reader.word_groups import WordGroupJudge
from .calibrate import FIT_SHARE
from .line_lessons import DigitPool
from .mnist import load_mnist
from .pendigits import parse_pendigits
from .scenes import KINDS, TURNED_QUARTERS, Writer, make_scene
from .train_lines import LineSources, pools

SEED = 8642
SCENES_PER_KIND = 150
SCALES = np.linspace(0.1, 3.0, 30)  # the first grid of each weight
GROWTHS = np.linspace(0.0, 1.2, 25)
HALF_TURN_WEIGHTS = np.linspace(0.0, 2.0, 21)
REFINEMENTS = 2  # finer grids around the best, each a tenth of the last one's spacing


@dataclass(frozen=True)
class Evidence:
    """What the networks said of each of N scenes, and which way up it is."""

    summed: np.ndarray  # (N, 4): the blobs' `summed_log_answers`
    blobs: np.ndarray  # (N,): how many blobs were judged
    half_turns: np.ndarray  # (N,): the lines' half-turn evidence
    truths: np.ndarray  # (N,): the quarter turns anticlockwise that bring the scene upright

    def __len__(self) -> int:
        return len(self.truths)

    def part(self, rows: np.ndarray) -> "Evidence":
        return Evidence(self.summed[rows], self.blobs[rows], self.half_turns[rows], self.truths[rows])

    def chances(self, weights: TurnEvidence, prior: np.ndarray) -> np.ndarray:
        """Each scene's chance of each turn (N, 4) under the weights and the prior."""
        logs = np.log(prior) + weights.weighed(self.summed, self.blobs, self.half_turns)
        logs -= logs.max(axis=1, keepdims=True)
        chances = np.exp(logs)
        return chances / chances.sum(axis=1, keepdims=True)

    def log_loss(self, weights: TurnEvidence, prior: np.ndarray) -> float:
        """The mean negative log-likelihood of the true turns."""
        chances = self.chances(weights, prior)[np.arange(len(self)), self.truths]
        return float(-np.log(np.maximum(chances, 1e-300)).mean())


def scene_evidence(reader: Reader, pool: DigitPool, seed: int, per_kind: int) -> Evidence:
    """Scenes of every kind by the pool's writers, each prepared and answered as the reader does (which needs no
    way of weighing the answers: the reader's own, which may be missing or being replaced, is not asked)."""
    summed, blobs, half_turns, truths = [], [], [], []
    for number, kind in enumerate(KINDS):
        rng = np.random.default_rng([seed, number])
        for _ in range(per_kind):
            prepared = prepare(make_scene(kind, Writer(pool), rng).pixels, reader.settings)
            answers = reader.answers([prepared])[0]
            summed.append(summed_log_answers(answers.turns))
            blobs.append(len(answers.turns))
            half_turns.append(answers.half_turn)
            truths.append((4 - TURNED_QUARTERS.get(kind, 0)) % 4)  # the quarter turns that undo its turn
        print(f"  {kind}: {per_kind} scenes answered", flush=True)
    return Evidence(np.array(summed), np.array(blobs, np.float64), np.array(half_turns), np.array(truths))


def fit_weights(evidence: Evidence) -> TurnEvidence:
    """The weights of the largest likelihood of the true turns, over the share of each turn in `evidence`: the best
    point of a grid, then of finer grids centred on it."""
    prior = drawn_prior(evidence)
    axes = [SCALES, GROWTHS, HALF_TURN_WEIGHTS]
    best = None
    for _ in range(REFINEMENTS + 1):
        candidates = (TurnEvidence(*point) for point in itertools.product(*axes))
        best = min(candidates, key=lambda weights: evidence.log_loss(weights, prior))
        axes = [np.clip(centre + (axis[1] - axis[0]) * np.linspace(-1, 1, 21), 0.0, None)
                for centre, axis in zip((best.scale, best.growth, best.half_turn_weight), axes)]
    return best


def drawn_prior(evidence: Evidence) -> np.ndarray:
    """Each turn's share of the scenes, each counted once more, so that none is impossible."""
    counts = np.bincount(evidence.truths, minlength=4) + 1
    return counts / counts.sum()


def measured(evidence: Evidence, weights: TurnEvidence) -> dict:
    """The log-loss of the true turns, and how many upright and turned scenes would be read turned the right way,
    over the real prior."""
    chances = evidence.chances(weights, prior_chances())
    turn = 1 + chances[:, 1:].argmax(axis=1)
    tried = chances[np.arange(len(evidence)), turn] >= TRY_FROM
    upright = evidence.truths == 0
    return {"log_loss": round(evidence.log_loss(weights, drawn_prior(evidence)), 4),
            "upright_scenes": int(upright.sum()), "upright_read_turned": int((tried & upright).sum()),
            "turned_scenes": int((~upright).sum()),
            "turned_read_the_right_way": int((tried & ~upright & (turn == evidence.truths)).sum())}


@errors_in_one_line
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitocr.training.fit_turns", description=__doc__.splitlines()[0])
    add_training_data_options(parser, extra=False)
    parser.add_argument("--scenes", type=int, default=SCENES_PER_KIND, help="scenes of each kind to draw")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", default=".", help="the folder to write TurnEvidence.json")
    args = parser.parse_args(argv)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    _, held_out_pool = pools(LineSources(load_mnist(args.data), parse_pendigits(args.pendigits)
                                         if args.pendigits else []))
    reader = Reader(models=Models(DigitClassifier.load(), LineRecognizer.load(), ConfidenceModel.load(),
                                  NumberFinder.load(), OrientationNet.load(), WordGroupJudge.load(), INDEPENDENT,
                                  SignJudge.load(), SignJudge.load_slash_judge()))
    evidence = scene_evidence(reader, held_out_pool, args.seed, args.scenes)
    order = np.random.default_rng(args.seed).permutation(len(evidence))
    cut = int(FIT_SHARE * len(evidence))
    fitting, held_out = evidence.part(order[:cut]), evidence.part(order[cut:])
    weights = fit_weights(fitting)
    card = {"weights": {"scale": round(float(weights.scale), 4), "growth": round(float(weights.growth), 4),
                        "half_turn_weight": round(float(weights.half_turn_weight), 4)},
            "fitted_on_scenes": len(fitting),
            "held_out": {"fitted": measured(held_out, weights), "added_up_as_independent": measured(held_out,
                                                                                                  INDEPENDENT)},
            "seed": args.seed, "command": "python -m digitocr.training.fit_turns " + " ".join(sys.argv[1:]),
            "models": {"orientation": model_sha256(reader.models.orientation.path),
                       "line_recognizer": model_sha256(reader.line_recognizer.path)},
            "writers": "MNIST validation digits (the last 5,000 training images) and pendigits writers 21-30, never "
                       "trained on"}
    save_card(Path(args.out, DEFAULT_TURN_EVIDENCE_PATH.name), card)
    print(f"wrote {DEFAULT_TURN_EVIDENCE_PATH.name}: {card['weights']}, held out {card['held_out']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
