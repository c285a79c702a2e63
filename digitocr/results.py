"""The result tree of one reading: Reading -> Line -> Digit, each able to render text and export a dict.

`Reading.to_dict()` is the one schema every surface shares (the CLI's JSON,
the service's answers, the app's exports), and `Outcome.to_row()` its flat
form for CSV and Parquet; SCHEMA_VERSION changes whenever either does.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from .errors import DigitOcrError

NOTHING_FOUND = "No digits were found in this image."  # the note of a reading with no line
SCHEMA_VERSION = 4  # 2: confidences per line and per field, needs_review, schema_version itself; 3: guessed; 4: turns
ROW_COLUMNS = ("path", "text", "written", "confidence", "needs_review", "line_confidences", "digit_confidences",
               "error")


@dataclass(frozen=True)
class Box:
    """Pixels of the user's original image (after EXIF orientation): left, top, width, height."""

    x: int
    y: int
    width: int
    height: int

    def to_list(self) -> list[int]:
        return [self.x, self.y, self.width, self.height]

    def turned(self, quarters: int, image_size: tuple[int, int]) -> "Box":
        """The box in the image turned anticlockwise by `quarters` right angles; `image_size` is (width, height)
        before turning."""
        x, y, width, height = self.x, self.y, self.width, self.height
        image_width, image_height = image_size
        for _ in range(quarters % 4):  # a quarter turn takes (x, y) to (y, image width - x)
            x, y, width, height = y, image_width - x - width, height, width
            image_width, image_height = image_height, image_width
        return Box(x, y, width, height)

    def shared_area(self, other: "Box") -> int:
        """Pixels both boxes cover."""
        width = min(self.x + self.width, other.x + other.width) - max(self.x, other.x)
        height = min(self.y + self.height, other.y + other.height) - max(self.y, other.y)
        return max(0, width) * max(0, height)

    @staticmethod
    def enclosing(boxes: list["Box"]) -> "Box":
        left, top = min(b.x for b in boxes), min(b.y for b in boxes)
        right, bottom = max(b.x + b.width for b in boxes), max(b.y + b.height for b in boxes)
        return Box(left, top, right - left, bottom - top)


@dataclass(frozen=True)
class Digit:
    label: int
    confidence: float
    probabilities: tuple[float, ...]  # all ten, index = digit
    box: Box
    line: int
    doubtful: bool  # confidence under the reader's doubt limit
    model_input: np.ndarray | None = field(default=None, repr=False, compare=False)  # the 28x28 the model saw

    def top(self, k: int = 3) -> list[tuple[int, float]]:
        order = np.argsort(self.probabilities)[::-1][:k]
        return [(int(label), float(self.probabilities[label])) for label in order]

    def to_dict(self, top_k: int = 3) -> dict:
        return {"label": self.label, "confidence": round(self.confidence, 4), "box": self.box.to_list(),
                "line": self.line, "doubtful": self.doubtful,
                "top": [{"label": label, "probability": round(p, 4)} for label, p in self.top(top_k)]}


@dataclass(frozen=True)
class Line:
    digits: tuple[Digit, ...]
    read_by: str = "contours"  # "contours" (cut and classified digit by digit) or "line recognizer" (read whole)
    separators: tuple[tuple[int, str], ...] = ()  # (index of the digit it precedes, ',' '.' '-' or '/')
    confidence: float = 0.0  # the probability that every digit of the line is right

    @property
    def text(self) -> str:
        return "".join(str(d.label) for d in self.digits)

    @property
    def written(self) -> str:
        """The digits with the separators and signs written between them, as '12,5', '-3.000' or '12/03/24'."""
        before = dict(self.separators)
        return "".join(before.get(index, "") + str(digit.label) for index, digit in enumerate(self.digits))

    @property
    def box(self) -> Box:
        return Box.enclosing([d.box for d in self.digits])


@dataclass(frozen=True)
class Stage:
    """One pipeline step's image, with what it did, for the debug view."""

    name: str
    image: np.ndarray = field(repr=False)
    caption: str


@dataclass(frozen=True)
class Reading:
    lines: tuple[Line, ...]
    image_size: tuple[int, int]  # (width, height) of the original image
    notes: tuple[str, ...] = ()  # what the reader wants a user to know (capped work, nothing found)
    stages: tuple[Stage, ...] = field(default=(), repr=False, compare=False)
    confidence: float = 0.0  # the probability that the whole reading is exactly right (nothing found: 0)
    needs_review: bool = True  # under the reader's review setting, or a guess: a person should check it
    guessed: bool = False  # no line looked more likely than not to be the number, so the likeliest was read
    pages: int = 1  # the pages or frames the file holds (a multi-page TIFF, an animated GIF): only the first is read
    turns: int = 0  # the quarter turns anticlockwise at which the image was read, the way up it read best (0: as given)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def written(self) -> str:
        """`text` with separators and signs as written; `text` holds the digits alone."""
        return "\n".join(line.written for line in self.lines)

    @property
    def digits(self) -> list[Digit]:
        return [digit for line in self.lines for digit in line.digits]

    @property
    def notes_beside_nothing_found(self) -> tuple[str, ...]:
        """The notes but `NOTHING_FOUND`, for a front end that says that in its own words before the reasons."""
        return tuple(note for note in self.notes if note != NOTHING_FOUND)

    @property
    def lowest_confidence(self) -> float | None:
        return min((d.confidence for d in self.digits), default=None)

    def turned_back(self, quarters: int, note: str) -> "Reading":
        """This reading of the image turned anticlockwise by `quarters`, boxed in the image as it was given, with a
        `note` saying why, put before the notes of how the turned image was read."""
        back = (4 - quarters) % 4
        size = (self.image_size[1], self.image_size[0]) if quarters % 2 else self.image_size
        return replace(self, lines=self._boxes_placed(lambda box: box.turned(back, self.image_size)), image_size=size,
                       notes=(note,) + self.notes, turns=(self.turns + quarters) % 4)

    def moved(self, x: int, y: int, image_size: tuple[int, int]) -> "Reading":
        """This reading of a part of an image, its top-left corner at (x, y), boxed in the whole image."""
        return replace(self, lines=self._boxes_placed(lambda box: replace(box, x=box.x + x, y=box.y + y)),
                       image_size=image_size)

    def _boxes_placed(self, place: Callable[[Box], Box]) -> tuple[Line, ...]:
        """The lines with every digit's box put where `place` says."""
        return tuple(replace(line, digits=tuple(replace(digit, box=place(digit.box)) for digit in line.digits))
                     for line in self.lines)

    def to_dict(self, top_k: int = 3) -> dict:
        """Everything but the images, ready for JSON."""
        return {"schema_version": SCHEMA_VERSION, "text": self.text, "written": self.written,
                "confidence": round(self.confidence, 4), "needs_review": self.needs_review,
                "lines": [line.text for line in self.lines], "read_by": [line.read_by for line in self.lines],
                "line_confidences": [round(line.confidence, 4) for line in self.lines],
                "digits": [d.to_dict(top_k) for d in self.digits], "image_size": list(self.image_size),
                "guessed": self.guessed, "turns": self.turns, "notes": list(self.notes)}


@dataclass(frozen=True)
class Outcome:
    """One input of a batch: its reading, or the error that stopped it."""

    source: object
    reading: Reading | None = None
    error: DigitOcrError | None = None

    def to_dict(self, name: str) -> dict:
        """The CLI's JSON object for this input: its reading, or its error."""
        if self.error is not None:
            return {"path": name, "schema_version": SCHEMA_VERSION, "error": str(self.error)}
        return {"path": name, **self.reading.to_dict()}

    def to_row(self, name: str) -> dict:
        """One flat row (ROW_COLUMNS) for CSV and Parquet; confidences per line and per digit are lists."""
        reading = self.reading
        if reading is None:
            return {"path": name, "text": None, "written": None, "confidence": None, "needs_review": True,
                    "line_confidences": [], "digit_confidences": [], "error": str(self.error)}
        return {"path": name, "text": reading.text, "written": reading.written,
                "confidence": round(reading.confidence, 4), "needs_review": reading.needs_review,
                "line_confidences": [round(line.confidence, 4) for line in reading.lines],
                "digit_confidences": [round(digit.confidence, 4) for digit in reading.digits], "error": None}


def csv_cells(row: dict) -> dict:
    """A row as CSV holds it: lists as JSON, nothing as an empty cell."""
    return {key: json.dumps(value) if isinstance(value, list) else "" if value is None else value
            for key, value in row.items()}
