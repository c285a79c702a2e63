"""What a user interface shows of readings, kept out of the app so it can be tested: rows, exports, captions."""

import csv
import io
import json

import numpy as np

from ..results import ROW_COLUMNS, Box, Digit, Outcome, csv_cells

LEFT_OUT_NAMED = 5  # files of a zip left out that a note names; it counts the rest


def readings_csv(named: list[tuple[str, Outcome]]) -> str:
    """Every reading as the shared schema's rows (`Outcome.to_row`), one per image, after a header."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ROW_COLUMNS)
    writer.writeheader()
    writer.writerows(csv_cells(outcome.to_row(name)) for name, outcome in named)
    return buffer.getvalue()


def readings_json(named: list[tuple[str, Outcome]]) -> str:
    """Every reading as the CLI's JSON objects (`Outcome.to_dict`), as a list."""
    return json.dumps([outcome.to_dict(name) for name, outcome in named], indent=2)


def zip_left_out_note(zip_name: str, images_found: int, left_out: list[str]) -> str | None:
    """What to tell the person who sent a zip of its files that are not images by their names, and where it holds no
    image at all; None where every file is read. Nothing sent is left out unsaid."""
    if not left_out:
        return None if images_found else f"{zip_name} holds no file to read."
    named = ", ".join(left_out[:LEFT_OUT_NAMED]) + (", ..." if len(left_out) > LEFT_OUT_NAMED else "")
    return (f"{zip_name}: {len(left_out)} file(s) left out, not images by their names: {named}."
            + ("" if images_found else " It holds no image to read."))


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
