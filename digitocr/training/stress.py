"""The stress suite: scenes of every kind of clutter, drawn from held-out writers only, read and scored per kind.

It is how digitocr works on reading what a person reads at a glance without
tuning to the dev images: each KIND of `scenes` (a word in cursive beside the
number, a register's cut-off rows, a column of digits, a page turned, ...)
is drawn PER_KIND times from MNIST's validation digits and pendigits writers
21-30, none of which any network learned from, with a fixed seed, so every
run reads the same images. `python -m digitocr.evaluate --stress` prints the
exact-match rate per kind and writes it into docs/accuracy.md.
"""

from collections import Counter
from dataclasses import dataclass

import numpy as np

from ..reader import Reader
from . import augment
from .digit_data import HELD_OUT_WRITERS, VALIDATION_SIZE, mnist_mask
from .mnist import MnistData
from .pendigits import PenDigit
from .scenes import STRESS_KINDS, UNTRAINED_KINDS, Scene, Writer, make_scene
from .line_lessons import DigitPool

STRESS_SEED = 2026
PER_KIND = 100


@dataclass(frozen=True)
class KindScore:
    kind: str
    right: int
    total: int
    misses: tuple[tuple[str, str], ...]  # (true text, read text), the first few

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 0.0


JOINED_LATER = ("printed_signs", "coloured_ink", "hand_signs", "small_tail")  # kinds added after the untrained...
STREAMS = tuple(kind for kind in STRESS_KINDS if kind not in JOINED_LATER) + JOINED_LATER  # ...ones, in turn, numbered
# after them, each kind's generator seeded by its number here, so a kind joining the suite leaves every other kind's
# scenes as they were


def held_out_pool(mnist: MnistData, pens: list[PenDigit]) -> DigitPool:
    """MNIST's validation digits and the held-out pendigits writers, flags no longer than the stem."""
    return DigitPool([mnist_mask(image) for image in mnist.train_images[-VALIDATION_SIZE:]],
                     mnist.train_labels[-VALIDATION_SIZE:], [d for d in pens if d.writer in HELD_OUT_WRITERS],
                     longest_flag=augment.FLAG_LENGTH[1])


def stress_scenes(pool: DigitPool, per_kind: int = PER_KIND, seed: int = STRESS_SEED) -> list[Scene]:
    """The same scenes for the same seed: each kind drawn from a generator of its own."""
    scenes = []
    for kind in STRESS_KINDS:
        rng = np.random.default_rng([seed, STREAMS.index(kind)])
        scenes += [make_scene(kind, Writer(pool), rng) for _ in range(per_kind)]
    return scenes


def score(reader: Reader, scenes: list[Scene], workers: int = 1) -> list[KindScore]:
    """Exact matches per kind: every digit right and the lines as written, nothing more."""
    right, total, misses = Counter(), Counter(), {}
    outcomes = reader.read_many([scene.pixels for scene in scenes], workers=workers)
    for scene, outcome in zip(scenes, outcomes):
        read = outcome.reading.text if outcome.reading else f"error: {outcome.error}"
        total[scene.kind] += 1
        right[scene.kind] += read == scene.text
        if read != scene.text and len(misses.setdefault(scene.kind, [])) < 5:
            misses[scene.kind].append((scene.text, read))
    return [KindScore(kind, right[kind], total[kind], tuple(misses.get(kind, ())))
            for kind in STRESS_KINDS if total[kind]]


def stress_table(scores: list[KindScore]) -> list[str]:
    lines = ["| kind | scenes | exact % | misses (true -> read) |", "|---|---|---|---|"]
    for kind in scores:
        shown = "; ".join(f"{true!r} -> {read!r}" for true, read in kind.misses[:3])
        name = f"{kind.kind} (never trained on)" if kind.kind in UNTRAINED_KINDS else kind.kind
        lines.append(f"| {name} | {kind.total} | {100 * kind.share:.1f} | {shown} |".replace("\\n", "/"))
    overall = sum(k.right for k in scores) / max(1, sum(k.total for k in scores))
    lines.append(f"| all | {sum(k.total for k in scores)} | {100 * overall:.1f} | |")
    return lines
