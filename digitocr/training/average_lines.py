"""Average line models' weights: `python -m digitocr.training.average_lines --out FILE MODEL...`.

Why an average reads real cells better than any of its fine-tunes: see
`weight_average`. The card records each ingredient (its checksum and the
command that made it, and an average's own ingredients) and the average's own
reading of the training command's held-out validation lessons.
"""

import json
import multiprocessing
import sys
from pathlib import Path

from ..networks.model_files import model_card_path, model_sha256
from .train import SEED
from .train_lines import VALIDATION_LINES, exact_share, line_sources, pools, validation_lessons
from .weight_average import averaging_parser, write_average


def main(argv: list[str] | None = None) -> int:
    parser = averaging_parser("average_lines", __doc__, "line models")
    parser.add_argument("--seed", type=int, default=SEED, help="the training command's seed: its validation lessons")
    parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count(), help="processes drawing lessons")
    args = parser.parse_args(argv)
    out = Path(args.out)
    model, ingredients, first_card = write_average([Path(path) for path in args.models], out)
    validation_pool = pools(line_sources(args.data, args.pendigits, args.extra, args.workers))[1]
    validation = validation_lessons(validation_pool, VALIDATION_LINES, args.seed, args.workers)
    card = {key: first_card[key] for key in ("input", "output") if key in first_card}
    card = {"model": out.name, "sha256": model_sha256(out), **card, "parameters": int(model.count_params()),
            "accuracy": {f"synthetic_validation_{name}_exact": exact_share(model, lessons)
                         for name, lessons in validation.items()},
            "weight_average_of": ingredients,
            "data": first_card.get("data"),
            "command": "python -m digitocr.training.average_lines " + " ".join(sys.argv[1:])}
    model_card_path(out).write_text(json.dumps(card, indent=2, default=str) + "\n")
    print(f"wrote {out} and {model_card_path(out)}: " + ", ".join(f"{key} {value:.4f}"
                                                                    for key, value in card["accuracy"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
