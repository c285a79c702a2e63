"""What a user interface shows of readings, kept out of the app so it can be tested: rows, exports, captions."""

import csv
import io
import json

import numpy as np

from ..results import ROW_COLUMNS, Box, Digit, Outcome, csv_cells


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
