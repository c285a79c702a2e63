"""Reader settings: one frozen dataclass with named defaults, passed in, never global."""

import math
from dataclasses import dataclass, fields, replace
from typing import Literal, get_args

from .errors import SettingsError

ThresholdMethod = Literal["auto", "otsu", "adaptive"]
InkTone = Literal["auto", "dark", "light"]

DEFAULT_MAX_PIXELS = 40_000_000  # about a 48 MP photo; more is refused before decoding
MEGABYTE = 2 ** 20  # bytes, as Streamlit's upload limit counts them: every limit and message in MB uses this
DEFAULT_MAX_FILE_BYTES = 50 * MEGABYTE
AT_LEAST_ONE = {"working_side", "max_components", "max_pixels", "max_file_bytes"}  # other numbers may be 0


@dataclass(frozen=True)
class ReaderSettings:
    """What a user may tune. Sizes are relative to the image or to the digits themselves."""

    threshold_method: ThresholdMethod = "auto"
    ink: InkTone = "auto"  # dark ink on light paper, light ink on a dark field, or told from the image
    working_side: int = 1024  # longer side the pipeline works at; bigger photos are shrunk first
    min_short_side: int = 96  # smaller images are enlarged so thin strokes survive blurring
    min_digit_height: float = 0.35  # of the line's typical digit height; shorter marks are separators or specks
    min_ink_pixels: int = 12  # at working size; fewer is a speck whatever the digits' size
    reject_below: float = 0.35  # a top probability under this means "not a digit"
    doubtful_below: float = 0.80  # digits under this confidence are flagged as doubtful
    review_below: float = 0.97  # a reading whose confidence (that it is all right) is under this needs review
    remove_lines: bool = True  # ruled lines, cell borders and page edges
    split_touching: bool = True  # cut a blob much wider than a digit into digits
    deslant: bool = True  # level a tilted line and shear slanted handwriting upright before segmenting
    read_lines: bool = True  # also read each line whole with the line recognizer; keep it where it is surer
    one_line: bool = False  # every mark is on one line, as in a drawing of one number: none is grouped into another
    one_digit: bool = False  # the image holds one digit: every mark is part of it, as in a small scan of one
    single_digit_side: int = 40  # an image no bigger than this (px, both sides), no wider than tall, holds one digit
    max_components: int = 2000  # contours examined at most; more is a page of specks
    max_pixels: int = DEFAULT_MAX_PIXELS
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES

    def __post_init__(self) -> None:
        """A typo ('Otsu', ink='black') or a size of 0 is refused here, where it was made: taken as given, an unknown
        ink tone read the dark-ink sample '4096' as light ink, '08171', and a working size of 0 failed deep inside
        OpenCV. A threshold over 1 is allowed: every digit, or every reading, is then flagged."""
        for name, allowed in (("threshold_method", get_args(ThresholdMethod)), ("ink", get_args(InkTone))):
            if getattr(self, name) not in allowed:
                raise SettingsError(f"ReaderSettings.{name} is {getattr(self, name)!r}; it must be one of "
                                    + ", ".join(repr(choice) for choice in allowed) + ".")
        for setting in fields(self):
            value = getattr(self, setting.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            least = 1 if setting.name in AT_LEAST_ONE else 0
            if not (math.isfinite(value) and value >= least):
                raise SettingsError(f"ReaderSettings.{setting.name} is {value!r}; it must be a number of {least} "
                                    "or more.")

    def with_changes(self, **changes) -> "ReaderSettings":
        return replace(self, **changes)
