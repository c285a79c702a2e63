"""Command line: `digitocr read [--json | --csv] PATH|FOLDER|GLOB ...`, `digitocr serve`, `digitocr batch IN OUT`.

`python -m digitocr` is the same command. `serve` and `batch` need the
`serve` and `ray` extras; their modules are imported only when used.
"""

import argparse
import contextlib
import csv
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator

from ..arguments import add_review_option, whole_number
from ..errors import DigitOcrError
from ..networks.classifier import checked_model_file
from ..reader import Reader
from ..reader.reader import dealt_to_workers, read_in_workers
from ..results import ROW_COLUMNS, Outcome, csv_cells
from ..settings import ReaderSettings
from .batch import add_batch_command
from .inputs import expand_inputs
from .service import add_serve_command

STANDARD_INPUT = "-"  # the path that names standard input, as in most commands: `cat cell.png | digitocr read -`
INTERRUPTED = 130  # the exit status of a command stopped by Ctrl-C, as shells give it
PARALLEL_FROM = 16  # images; fewer are read in this process, as starting workers would cost more than it saves


def _progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // max(1, total)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


class HeldInterrupts:
    """Ctrl-C while a result is written and counted is taken once it is: no line is cut short, and the count of
    results written is exact. (Python runs signal handlers in the main thread; blocking the signal there would not
    do, as the process's other threads would take it.)"""

    def __init__(self):
        self.holding = self.pending = False

    def handle(self, *_) -> None:
        if not self.holding:
            raise KeyboardInterrupt
        self.pending = True

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        self.holding = True
        try:
            yield
        finally:
            self.holding = False
        if self.pending:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def installed(self) -> Iterator["HeldInterrupts"]:
        """Handling Ctrl-C while the block runs, where it can (signals are set in the main thread alone)."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = signal.signal(signal.SIGINT, self.handle)
        try:
            yield self
        finally:
            signal.signal(signal.SIGINT, previous)


def plain_line(name: str, outcome: Outcome) -> str:
    """What a person reads: the number as written, lines joined by ' / ', or why there is none."""
    reading = outcome.reading
    text = reading.written.replace("\n", " / ") or " ".join(("(no digits found)", *reading.notes_beside_nothing_found))
    return (f"{name}: {text}" + (" (needs review)" if reading.lines and reading.needs_review else "")
            + (f" (page 1 of {reading.pages} read)" if reading.pages > 1 else ""))


def outcomes_of(sources: list, model: str | None, settings: ReaderSettings, workers: int) -> Iterator[Outcome]:
    """The sources' outcomes, in order: read by worker processes where there are `workers` and images enough to
    share, each worker loading the models itself, so this process loads none (a folder of twenty cells took 0.78-0.86
    s with it, 0.66-0.71 s without); else by a reader in this process. A classifier file that is missing or fails
    its checksum is a ModelError at once either way."""
    if dealt_to_workers(workers, len(sources)):
        return read_in_workers(sources, settings, workers, checked_model_file(model))
    return Reader(model, settings).read_many(sources)


def read_command(args: argparse.Namespace) -> int:
    settings = ReaderSettings(threshold_method=args.threshold, ink=args.ink, read_lines=not args.contours_only,
                              review_below=args.review_below)
    paths = list(expand_inputs(args.paths))
    show_progress = not (args.json or args.csv) and sys.stderr.isatty() and len(paths) > 1
    workers = args.workers or (os.cpu_count() or 1 if len(paths) >= PARALLEL_FROM else 1)
    sources = [sys.stdin.buffer if path == STANDARD_INPUT else path for path in paths]  # read within the size limit
    rows = csv.DictWriter(sys.stdout, ROW_COLUMNS) if args.csv else None
    failures = written = 0
    try:
        outcomes = outcomes_of(sources, args.model, settings, workers)
        if rows:
            rows.writeheader()
        with HeldInterrupts().installed() as interrupts:
            for name, outcome in zip(paths, outcomes):
                failures += outcome.error is not None
                with interrupts.held():
                    if rows:
                        rows.writerow(csv_cells(outcome.to_row(name)))
                    elif args.json:
                        print(json.dumps(outcome.to_dict(name)), flush=True)
                    elif outcome.error is not None:
                        print(f"{name}: error: {outcome.error}", file=sys.stderr, flush=True)
                    else:
                        print(plain_line(name, outcome), flush=True)
                    written += 1
                if show_progress:
                    _progress(written, len(paths))
    except KeyboardInterrupt:
        sys.stdout.flush()
        print(("\n" if show_progress else "") + f"interrupted: {written} of {len(paths)} images read" +
              ("; their results are complete" if written else ""), file=sys.stderr)
        return INTERRUPTED
    except DigitOcrError as error:  # a model file that cannot be loaded: here at once, or by the workers on first use
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 1 if failures else 0


def add_read_command(commands) -> None:
    read = commands.add_parser("read", help="read the number in each image")
    read.add_argument("paths", nargs="+", help="image files, folders of images, or glob patterns; - reads one image "
                                               "from standard input")
    output = read.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="one JSON object per input, in order")
    output.add_argument("--csv", action="store_true", help="one CSV row per input, in order, after a header")
    read.add_argument("--model", help="a .keras model to use instead of the shipped DigitClassifier.keras")
    read.add_argument("--threshold", choices=["auto", "otsu", "adaptive"], default="auto",
                      help="threshold method (default: auto)")
    read.add_argument("--ink", choices=["auto", "dark", "light"], default="auto",
                      help="dark ink on light paper, light ink on a dark field, or told from each image (default)")
    read.add_argument("--contours-only", action="store_true",
                      help="read digit by digit only, without the line recognizer's reading of whole lines")
    add_review_option(read)
    read.add_argument("--workers", type=whole_number(1),
                      help=f"processes reading images (default: one per CPU from {PARALLEL_FROM} images)")
    read.set_defaults(handler=read_command)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="digitocr", description="Read handwritten numbers in images.")
    commands = parser.add_subparsers(dest="command", required=True)
    add_read_command(commands)
    add_serve_command(commands)
    add_batch_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)
