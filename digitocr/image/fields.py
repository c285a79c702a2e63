"""Fields of a form: a column's ruled line divides what lies either side of it.

A person reading a ledger's number column does not run the number on into the
word written across the column's line, nor into the next cell's digits: the
line says they are different fields. Clean-up removes such a line's ink; it is
kept here as a divider, so segmentation never joins marks across it into one
line and the line recognizer's band stops at it. Each field's line is then
judged on its own, as the number or not.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Divider:
    """A near-vertical ruled line, taken to run across the whole image (as a column's line does)."""

    x1: float
    y1: float
    x2: float
    y2: float

    def x_at(self, y: float) -> float:
        """Where the line crosses row `y`."""
        if self.y2 == self.y1:
            return (self.x1 + self.x2) / 2
        return self.x1 + (self.x2 - self.x1) * (y - self.y1) / (self.y2 - self.y1)

    def moved(self, matrix: np.ndarray) -> "Divider":
        """The divider under the affine map `matrix` (2x3), as the ink it lies among was moved."""
        (x1, y1), (x2, y2) = np.array([[self.x1, self.y1, 1.0], [self.x2, self.y2, 1.0]]) @ matrix.T
        return Divider(float(x1), float(y1), float(x2), float(y2))


def field_of(x: float, y: float, dividers: tuple[Divider, ...]) -> int:
    """Which field the point lies in: how many dividers cross its row to its left."""
    return sum(divider.x_at(y) < x for divider in dividers)


def field_span(x: float, y: float, dividers: tuple[Divider, ...], width: int) -> tuple[int, int]:
    """The columns from the nearest divider left of the point to the nearest right of it, on its row."""
    crossings = [divider.x_at(y) for divider in dividers]
    left = max([c for c in crossings if c < x], default=0.0)
    right = min([c for c in crossings if c >= x], default=float(width))
    return int(np.ceil(max(0.0, left))), int(min(float(width), right))
