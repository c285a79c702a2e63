"""Command line: `python -m digitocr read [--json] [--model PATH] PATH|FOLDER|GLOB ...`."""

import argparse
import glob
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from ..errors import DigitOcrError
from ..reader import Reader
from ..settings import ReaderSettings

PARALLEL_FROM = 16  # images; fewer are read in this process, as starting workers would cost more than it saves
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff", ".gif"}


def expand_inputs(arguments: list[str]) -> Iterator[str]:
    """Each argument as given; a folder becomes its images in name order, a glob pattern its matches."""
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            yield from (str(p) for p in sorted(path.iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES)
        elif not path.exists() and glob.has_magic(argument):
            yield from sorted(glob.glob(argument))
        else:
            yield argument


def _progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // max(1, total)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def read_command(args: argparse.Namespace) -> int:
    settings = ReaderSettings(threshold_method=args.threshold, read_lines=not args.contours_only)
    try:
        reader = Reader(args.model, settings)
    except DigitOcrError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    paths = list(expand_inputs(args.paths))
    show_progress = not args.json and sys.stderr.isatty() and len(paths) > 1
    workers = args.workers or (os.cpu_count() or 1 if len(paths) >= PARALLEL_FROM else 1)
    failures = 0
    for done, outcome in enumerate(reader.read_many(paths, workers=workers), start=1):
        if outcome.error is not None:
            failures += 1
            message = str(outcome.error)
            if args.json:
                print(json.dumps({"path": outcome.source, "error": message}), flush=True)
            else:
                print(f"{outcome.source}: error: {message}", file=sys.stderr, flush=True)
        elif args.json:
            print(json.dumps({"path": outcome.source, **outcome.reading.to_dict()}), flush=True)
        else:
            text = outcome.reading.written.replace("\n", " / ") or " ".join(("(no digits found)",
                                                                             *outcome.reading.notes[:-1]))
            print(f"{outcome.source}: {text}", flush=True)
        if show_progress:
            _progress(done, len(paths))
    return 1 if failures else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m digitocr", description="Read handwritten numbers in images.")
    commands = parser.add_subparsers(dest="command", required=True)
    read = commands.add_parser("read", help="read the number in each image")
    read.add_argument("paths", nargs="+", help="image files, folders of images, or glob patterns")
    read.add_argument("--json", action="store_true", help="one JSON object per input, in order")
    read.add_argument("--model", help="a .keras model to use instead of the shipped DigitClassifier.keras")
    read.add_argument("--threshold", choices=["auto", "otsu", "adaptive"], default="auto",
                      help="threshold method (default: auto)")
    read.add_argument("--contours-only", action="store_true",
                      help="read digit by digit only, without the line recognizer's reading of whole lines")
    read.add_argument("--workers", type=int, default=0,
                      help=f"processes reading images (default: one per CPU from {PARALLEL_FROM} images)")
    read.set_defaults(handler=read_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)
