"""A review queue for clerks: many readings sorted by how sure they are, each accepted or corrected once.

The fields a reader is sure of need no second look; the rest come first,
marked. A clerk accepts a row as read or types the right number, and the
export holds what was approved, saying which rows were corrected. A
correction that keeps the number of digits also gives each digit's crop
its right label, for fine-tuning.
"""

import csv
import io
import json
from dataclasses import dataclass

import cv2
import numpy as np

from ..results import Box, Outcome
from .presentation import crop_digit

CROP_SIDE = (320, 96)  # width and height a row's picture of its number fits in
CROP_MARGIN = 0.15  # of the number's height, around it


@dataclass(frozen=True)
class ReviewRow:
    key: str  # unique within the queue
    file: str
    read: str  # the number as written, lines joined by ' / '; empty where none was found
    confidence: float  # that the whole reading is right (0 for an error or nothing found)
    needs_review: bool
    picture: np.ndarray  # RGB, the number's part of the image (the whole image where none was found)
    digit_crops: tuple[np.ndarray, ...]  # each digit's part of the image, in reading order
    error: str = ""
    notes: tuple[str, ...] = ()  # what the reading tells its user beyond the number (a file's pages left unread)

    @property
    def sureness(self) -> str:
        """How sure the reading is, in words; none is claimed where there is no reading (a confidence of 0 there is
        a convention, not a measure)."""
        if self.error:
            return "not read"
        return f"{self.confidence:.0%} sure" if self.read else "no digits found"


@dataclass(frozen=True)
class Decision:
    approved: str  # the number the clerk approved, as written
    corrected: bool  # it differs from what was read


def number_picture(pixels: np.ndarray, scale: float, boxes: list[Box]) -> np.ndarray:
    """The number's part of the decoded image, with a margin; the whole image where there are no boxes."""
    if not boxes:
        return pixels
    whole = Box.enclosing(boxes)
    pad = CROP_MARGIN * whole.height
    left, top = int(max(0, (whole.x - pad) * scale)), int(max(0, (whole.y - pad) * scale))
    right = int(min(pixels.shape[1], (whole.x + whole.width + pad) * scale + 1))
    bottom = int(min(pixels.shape[0], (whole.y + whole.height + pad) * scale + 1))
    return pixels[top:bottom, left:right]


def fitted(picture: np.ndarray) -> np.ndarray:
    """The picture shrunk to fit CROP_SIDE, never enlarged."""
    factor = min(1.0, CROP_SIDE[0] / picture.shape[1], CROP_SIDE[1] / picture.shape[0])
    if factor == 1.0:
        return picture
    size = (max(1, int(picture.shape[1] * factor)), max(1, int(picture.shape[0] * factor)))
    return cv2.resize(picture, size, interpolation=cv2.INTER_AREA)


def review_row(key: str, name: str, outcome: Outcome, pixels: np.ndarray | None, scale: float) -> ReviewRow:
    """One image's row: its reading, how sure it is, and the pictures a clerk checks it against."""
    if outcome.error is not None or pixels is None:
        return ReviewRow(key, name, "", 0.0, True, np.zeros((8, 8, 3), np.uint8), (), str(outcome.error))
    reading = outcome.reading
    digits = reading.digits
    return ReviewRow(key, name, reading.written.replace("\n", " / "), reading.confidence, reading.needs_review,
                     fitted(number_picture(pixels, scale, [digit.box for digit in digits])),
                     tuple(crop_digit(pixels, scale, digit.box) for digit in digits),
                     notes=reading.notes_beside_nothing_found)


def queue_order(rows: list[ReviewRow]) -> list[ReviewRow]:
    """Images that could not be read first, then readings needing review, then the rest, each least sure first."""
    return sorted(rows, key=lambda row: (not row.error, not row.needs_review, row.confidence))


def queue_summary(rows: list[ReviewRow], decided_count: int) -> str:
    """The queue's state in a clerk's words: how many readings, how many need review, how many are decided."""
    doubtful = sum(row.needs_review for row in rows)
    readings = f"{len(rows)} reading{'' if len(rows) == 1 else 's'}"
    return (f"{readings}, least sure first; {doubtful} {'needs' if doubtful == 1 else 'need'} review (marked ⚠). "
            f"Accept a row as read, or type the right number and press Enter. Decided: {decided_count} of {len(rows)}.")


def decided(row: ReviewRow, typed: str | None) -> Decision:
    """The clerk's decision on a row: accepted as read (nothing typed), or the number typed."""
    approved = row.read if typed is None else typed.strip()
    return Decision(approved, approved != row.read)


def approved_rows(rows: list[ReviewRow], decisions: dict[str, Decision]) -> list[dict]:
    """What the clerk approved, in queue order: one dict per decided row."""
    return [{"file": row.file, "read": row.read, "approved": decisions[row.key].approved,
             "corrected": decisions[row.key].corrected, "confidence": round(row.confidence, 4)}
            for row in rows if row.key in decisions]


def approved_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["file", "read", "approved", "corrected", "confidence"])
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def approved_json(rows: list[dict]) -> str:
    return json.dumps(rows, indent=2)


def corrected_digits(row: ReviewRow, decision: Decision) -> list[tuple[np.ndarray, str]]:
    """Each digit's crop with its right label, where a correction keeps the number of digits (else none: which
    digit is which cannot be told)."""
    digits = [character for character in decision.approved if character.isdigit()]
    if not decision.corrected or len(digits) != len(row.digit_crops):
        return []
    return list(zip(row.digit_crops, digits))
