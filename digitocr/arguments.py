"""Argument types and options the commands share (`read`, `serve`, `batch`, the training and evaluation commands), so
each takes and checks them alike."""

import argparse
import functools
import math
import sys
from collections.abc import Callable
from pathlib import Path

from .errors import DigitOcrError
from .settings import ReaderSettings

Main = Callable[[list[str] | None], int]


def number(text: str) -> float:
    """The number `text` says, or the argparse error saying it is none."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None


def probability(text: str) -> float:
    """A number from 0 to 1, for argparse: a sureness (a reading's, to pass without review) or a share."""
    value = number(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1")
    return value


def whole_number(least: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least `least` (a count of workers, threads or repeats), refused where
    the command was given, not deep inside a thread pool or a socket's bind."""
    def parsed(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"{text} is less than {least}")
        return value

    return parsed


def positive_number(text: str) -> float:
    """A number above 0, for argparse: a limit of seconds, megabytes or megapixels (0, a negative or 'nan' would
    refuse every request or none)."""
    value = number(text)
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a number above 0")
    return value


def port(text: str) -> int:
    """A TCP port, 1 to 65535."""
    value = whole_number(1)(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a port (1 to 65535)")
    return value


def existing_file(text: str) -> str:
    """A path to a file that is there: a command that reads data for minutes checks its inputs before it starts."""
    if not Path(text).is_file():
        raise argparse.ArgumentTypeError(f"{text} is {'a folder' if Path(text).is_dir() else 'not there'}; "
                                         "it takes a file")
    return text


def existing_folder(text: str) -> str:
    """A path to a folder that is there (see `existing_file`)."""
    if not Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{text} is {'a file' if Path(text).is_file() else 'not there'}; "
                                         "it takes a folder")
    return text


def existing_path(text: str) -> str:
    """A path to a file or a folder that is there (see `existing_file`)."""
    if not Path(text).exists():
        raise argparse.ArgumentTypeError(f"{text} is not there")
    return text


def add_training_data_options(parser: argparse.ArgumentParser, extra: bool = True) -> None:
    """--data, --pendigits and (with `extra`) --extra: where the training commands read the digits they learn from."""
    parser.add_argument("--data", type=existing_path,
                        help="MNIST: a folder of IDX files or an mnist.npz (default: Keras' download)")
    parser.add_argument("--pendigits", type=existing_file, help="pendigits-orig.tra, the pen strokes of its writers")
    if extra:
        parser.add_argument("--extra", type=existing_folder,
                            help="the folder of swiss16.npz and hwd1000.tar.xz: more hands to learn from")


def add_review_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--review-below", type=probability, default=ReaderSettings.review_below, metavar="SURENESS",
                        help="a reading whose confidence that it is all right is under this (0 to 1) needs review "
                             f"(default: {ReaderSettings.review_below})")


def errors_in_one_line(main: Main) -> Main:
    """A command's `main` that reports a `DigitOcrError` (data it cannot read, a model it cannot use) as one line on
    standard error and exit status 2, not a traceback, as `digitocr read` does."""
    @functools.wraps(main)
    def reporting(argv: list[str] | None = None) -> int:
        try:
            return main(argv)
        except DigitOcrError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2

    return reporting
