"""What a user interface shows of readings, kept out of the app so it can be tested: rows, exports, captions."""

import csv
import io
import json
from dataclasses import dataclass

import numpy as np

from ..results import Box, Digit, Outcome


@dataclass(frozen=True)
class ResultRow:
    """One image of a batch, as a table row and a CSV line."""

    file: str
    number: str  # as written, separators included
    digits: int
    lowest_confidence: float | None
    error: str
    note: str  # what the reader said about the image, such as why it found no digits

    def to_dict(self) -> dict:
        return {"file": self.file, "number": self.number, "digits": self.digits,
                "lowest_confidence": None if self.lowest_confidence is None else round(self.lowest_confidence, 4),
                "error": self.error, "note": self.note}


def result_row(name: str, outcome: Outcome) -> ResultRow:
    if outcome.error is not None:
        return ResultRow(name, "", 0, None, str(outcome.error), "")
    reading = outcome.reading
    return ResultRow(name, reading.written, len(reading.digits), reading.lowest_confidence, "", " ".join(reading.notes))


def rows_to_csv(rows: list[ResultRow]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["file", "number", "digits", "lowest_confidence", "error", "note"])
    writer.writeheader()
    for row in rows:
        writer.writerow(row.to_dict())
    return buffer.getvalue()


def readings_to_json(named: list[tuple[str, Outcome]]) -> str:
    """The CLI's JSON objects, one per image, as a list."""
    objects = []
    for name, outcome in named:
        body = {"error": str(outcome.error)} if outcome.error else outcome.reading.to_dict()
        objects.append({"file": name, **body})
    return json.dumps(objects, indent=2)


def canvas_is_empty(image_data: np.ndarray | None) -> bool:
    """A drawing canvas returns RGBA; nothing drawn means every pixel is fully transparent."""
    return image_data is None or image_data.size == 0 or int(np.asarray(image_data)[..., 3].max()) == 0


def digit_caption(digit: Digit) -> str:
    flag = " (doubtful)" if digit.doubtful else ""
    return f"{digit.label} · {digit.confidence:.0%}{flag}"


def probability_table(digit: Digit) -> dict[str, float]:
    return {str(label): round(probability, 4) for label, probability in enumerate(digit.probabilities)}


def crop_digit(pixels: np.ndarray, scale: float, box: Box, margin: float = 0.2) -> np.ndarray:
    """The digit's part of the decoded image (which may be smaller than the original by `scale`), with a margin."""
    pad = margin * max(box.width, box.height)
    left, top = int(max(0, (box.x - pad) * scale)), int(max(0, (box.y - pad) * scale))
    right = int(min(pixels.shape[1], (box.x + box.width + pad) * scale + 1))
    bottom = int(min(pixels.shape[0], (box.y + box.height + pad) * scale + 1))
    return pixels[top:bottom, left:right].copy()
