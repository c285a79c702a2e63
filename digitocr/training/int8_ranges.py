"""Measure a line model's activation ranges, so its convolutions run on 8-bit integers (`networks.int8`).

`python -m digitocr.training.int8_ranges --model LineReader.keras --data ... --pendigits ... --extra ...`

Training and averaging a line model measure them already (`train_lines.record_int8_ranges`); this command measures
them for a model made before, or again. The least and greatest value each quantized tensor takes go into the
model's card, which the reader then loads the network with; the model file itself is unchanged, and so is its
checksum.
"""

import argparse
import multiprocessing
import sys
from pathlib import Path

from ..arguments import add_training_data_options, errors_in_one_line
from ..networks.line_recognizer import DEFAULT_LINE_MODEL_PATH
from ..networks.model_files import model_card_path, verify_checksum
from .train import SEED
from .train_lines import INT8_LESSONS, line_sources, pools, record_int8_ranges


@errors_in_one_line
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitocr.training.int8_ranges",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(DEFAULT_LINE_MODEL_PATH), help="the line model whose card to write")
    add_training_data_options(parser)
    parser.add_argument("--lessons", type=int, default=INT8_LESSONS, help="lessons to measure the ranges on")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count(), help="processes drawing lessons")
    args = parser.parse_args(argv)
    model = Path(args.model)
    verify_checksum(model)
    training_pool = pools(line_sources(args.data, args.pendigits, args.extra, args.workers))[0]
    record_int8_ranges(model, training_pool, args.seed, args.workers, args.lessons,
                       " ".join([parser.prog] + (sys.argv[1:] if argv is None else argv)))
    print(f"activation ranges measured on {args.lessons} lessons written to {model_card_path(model)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
