"""Argument types and options the commands (`read`, `serve`, `batch`) share, so each takes and checks them alike."""

import argparse

from ..settings import ReaderSettings


def probability(text: str) -> float:
    """A number from 0 to 1, for argparse: the sureness a reading needs to pass without review."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1")
    return value


def add_review_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--review-below", type=probability, default=ReaderSettings.review_below, metavar="SURENESS",
                        help="a reading whose confidence that it is all right is under this (0 to 1) needs review "
                             f"(default: {ReaderSettings.review_below})")
