"""Average classifiers' weights: `python -m digitocr.training.average_classifiers --out FILE MODEL...`.

Why an average of fine-tunes reads real ink better than any one of them: see
`weight_average`. The card records each ingredient (its checksum and the
command that made it) and the average's own accuracy on the training
command's held-out sets, MNIST's test set and the made-up non-digits, as the
training command's card does.
"""

import sys
from pathlib import Path

from ..arguments import errors_in_one_line
from ..networks.onnx_net import OnnxNet
from .hands import load_hands
from .mnist import load_mnist
from .pendigits import parse_pendigits
from .train import Sources, final_accuracy, validation_sets
from .weight_average import averaging_parser, write_average


@errors_in_one_line
def main(argv: list[str] | None = None) -> int:
    parser = averaging_parser("average_classifiers", __doc__, "classifiers")
    parser.add_argument("--workers", type=int, default=2, help="processes reading the extra hands' images")
    args = parser.parse_args(argv)
    out = Path(args.out)
    average = write_average([Path(path) for path in args.models], out)
    sources = Sources(load_mnist(args.data), parse_pendigits(args.pendigits) if args.pendigits else [],
                      args.pendigits, load_hands(Path(args.extra), args.workers) if args.extra else [], args.extra)
    average.write_card(("input", "output", "architecture"),
                       {"multiply_adds": OnnxNet.from_archive(out).multiply_adds, "file_bytes": out.stat().st_size},
                       final_accuracy(average.model, sources.mnist, validation_sets(sources, None), None), parser.prog)
    return 0


if __name__ == "__main__":
    sys.exit(main())
