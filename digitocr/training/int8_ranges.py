"""Measure a line model's activation ranges, so its convolutions run on 8-bit integers (`networks.int8`).

`python -m digitocr.training.int8_ranges --model LineReader.keras --data ... --pendigits ... --extra ...`

The float network reads lessons drawn as its training drew them (number
fields and scenes among clutter, from the training writers only), each as
the reader looks at a line: at its own width, a fifth narrower and wider,
and turned half round (`line_views`, `orientation.half_turn_evidence`). The
least and greatest value each quantized tensor takes (`int8`) go into the
model's card, which the reader then loads the network with; the model file
itself is unchanged, and so is its checksum.
"""

import argparse
import json
import multiprocessing
import sys
from pathlib import Path

import numpy as np

from ..networks.int8 import activation_ranges
from ..networks.line_recognizer import DEFAULT_LINE_MODEL_PATH, batch_of_lines
from ..networks.model_files import model_card_path, read_model_card, verify_checksum
from ..networks.onnx_net import float_graph
from ..reader.line_views import WIDTHS, stretched
from .line_lessons import make_lessons
from .train import SEED
from .train_lines import CLUTTER_SHARE, line_sources, pools

LESSONS = 400  # lessons read, each at every width and turned: 1,600 lines


def looks(images: list[np.ndarray]) -> list[np.ndarray]:
    """Each line as the reader gives it to the network: at each of its widths, and turned half round."""
    return [stretched(image, width) if width != 1.0 else image for image in images for width in WIDTHS] + \
        [np.rot90(image, 2) for image in images]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitocr.training.int8_ranges",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(DEFAULT_LINE_MODEL_PATH), help="the line model whose card to write")
    parser.add_argument("--data", help="MNIST: a folder of IDX files or an mnist.npz (default: Keras' download)")
    parser.add_argument("--pendigits", help="pendigits-orig.tra, pen strokes to draw digits from")
    parser.add_argument("--extra", help="the folder of swiss16.npz and hwd1000.tar.xz: more hands to draw from")
    parser.add_argument("--lessons", type=int, default=LESSONS, help="lessons to measure the ranges on")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count(), help="processes drawing lessons")
    args = parser.parse_args(argv)
    model = Path(args.model)
    verify_checksum(model)
    training_pool = pools(line_sources(args.data, args.pendigits, args.extra, args.workers))[0]
    lessons = make_lessons(training_pool, args.lessons, args.seed, args.workers, CLUTTER_SHARE)
    lines = looks([image for image, _ in lessons])
    ranges = activation_ranges(float_graph(model)[0], (batch_of_lines([line]) for line in lines))
    card = read_model_card(model)
    card["int8"] = {"ranges": {name: [low, high] for name, (low, high) in ranges.items()}, "lessons": args.lessons,
                    "lines": len(lines), "seed": args.seed, "command": " ".join([parser.prog] + (sys.argv[1:] if argv is None else argv))}
    model_card_path(model).write_text(json.dumps(card, indent=2, default=str) + "\n")
    print(f"{len(ranges)} activation ranges over {len(lines)} lines written to {model_card_path(model)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
