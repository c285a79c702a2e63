"""Average line models' weights: `python -m digitocr.training.average_lines --out FILE MODEL...`.

Why an average reads real cells better than any of its fine-tunes: see
`weight_average`. The card records each ingredient (its checksum and the
command that made it, and an average's own ingredients), the average's own
reading of the training command's held-out validation lessons, and the
activation ranges its convolutions run on 8-bit integers in.
"""

import multiprocessing
import sys
from pathlib import Path

from ..arguments import errors_in_one_line
from .train import SEED
from .train_lines import VALIDATION_LINES, exact_share, line_sources, pools, record_int8_ranges, validation_lessons
from .weight_average import averaging_parser, write_average


@errors_in_one_line
def main(argv: list[str] | None = None) -> int:
    parser = averaging_parser("average_lines", __doc__, "line models")
    parser.add_argument("--seed", type=int, default=SEED, help="the training command's seed: its validation lessons")
    parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count(), help="processes drawing lessons")
    args = parser.parse_args(argv)
    average = write_average([Path(path) for path in args.models], Path(args.out))
    training_pool, validation_pool = pools(line_sources(args.data, args.pendigits, args.extra, args.workers))
    validation = validation_lessons(validation_pool, VALIDATION_LINES, args.seed, args.workers)
    accuracy = {f"synthetic_validation_{name}_exact": exact_share(average.model, lessons)
                for name, lessons in validation.items()}
    average.write_card(("input", "output"), {}, accuracy, parser.prog)
    record_int8_ranges(Path(args.out), training_pool, args.seed, args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
