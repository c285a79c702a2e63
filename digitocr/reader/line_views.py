"""Each line read by the line recognizer at its own width, narrower and wider, and the view of the likeliest text kept.

The recognizer learned the proportions of its lessons' hands. A narrow
hand's zeros, tall ovals side by side, look to it like the loops of a word
in cursive, which it learned to read as nothing: '9,800' written narrow is
read '98', 86% sure, and read '9800' once the line is a fifth wider. A
person glances again at such a line; the reader reads it at a few widths
around its own, as equally good looks at one line, and weighs each view's
text by its probability summed over all of them, so that no view's sureness
alone decides, and a view that reads too much into a stretched line is
outweighed by the others. Where the first looks agree, as on most lines,
that is the reading; where they differ, two looks further out are taken
before the texts are weighed. The line is then read on in the view whose
own text won, so that every later step (the line choice, the characters'
boxes, the number finder) works on the frames of the text it keeps. Whether
the first looks agreed is kept as well: a line read differently at slightly
different widths is one a person would check (`confidence`)."""

from collections.abc import Callable
from dataclasses import dataclass, replace

import cv2
import numpy as np

from ..image.lines import LineImage
from ..networks.ctc import log_likelihood, text_of
from ..networks.line_recognizer import FRAME_STEP

WIDTHS = (1.0, 1 / 1.2, 1.2)  # of the line's own width: the first looks at it, its own first...
FURTHER_WIDTHS = (1 / 1.44, 1.44)  # ...and the further ones, where the first read differently
Read = Callable[[list[np.ndarray]], list[np.ndarray]]  # the recognizer's frames for each of some line images


def views(line: LineImage, widths: tuple[float, ...] = WIDTHS) -> list[LineImage]:
    """The line's image stretched along the line to each of `widths`, its box unchanged: whatever maps the image's
    columns to the box's scales by the image's own width."""
    return [line if width == 1.0 else replace(line, image=stretched(line.image, width)) for width in widths]


def stretched(image: np.ndarray, width: float) -> np.ndarray:
    """A line's image stretched along the line to `width` times its own width."""
    return cv2.resize(image, (max(FRAME_STEP, int(round(image.shape[1] * width))), image.shape[0]),
                      interpolation=cv2.INTER_AREA)


@dataclass(frozen=True)
class ChosenView:
    """A line's likeliest view, the recognizer's frames for it, and whether its first looks all read one text."""

    line: LineImage
    frames: np.ndarray
    first_looks_agree: bool


@dataclass
class Looks:
    """The views of one line read so far, the recognizer's frames for each and the text each reads."""

    views: list[LineImage]
    frames: list[np.ndarray]
    texts: list[str]

    @classmethod
    def of(cls, seen: list[LineImage], frames: list[np.ndarray]) -> "Looks":
        return cls(seen, frames, [text_of(one) for one in frames])

    def __add__(self, more: "Looks") -> "Looks":
        return Looks(self.views + more.views, self.frames + more.frames, self.texts + more.texts)

    @property
    def agree(self) -> bool:
        return len(set(self.texts)) == 1

    def likeliest(self) -> tuple[LineImage, np.ndarray]:
        """The view, and its frames, whose own text is the likeliest summed over all the views; the first where
        they tie, as where they all read the same."""
        if self.agree:
            return self.views[0], self.frames[0]
        score = {text: float(np.logaddexp.reduce([log_likelihood(one, [int(c) for c in text]) for one in self.frames]))
                 for text in set(self.texts)}
        best = int(np.argmax([score[text] for text in self.texts]))
        return self.views[best], self.frames[best]


def read_in_views(first_views: list[list[LineImage]], frames: list[np.ndarray], read: Read) -> list[ChosenView]:
    """Each line's likeliest view and the recognizer's frames for it, given each line's `views` and the `frames` for
    them all in order: where those read differently, the line is read at FURTHER_WIDTHS too (`read`), and weighed
    over all."""
    count = len(WIDTHS)
    looks = [Looks.of(seen, frames[index * count:(index + 1) * count]) for index, seen in enumerate(first_views)]
    doubtful = [index for index, own in enumerate(looks) if not own.agree]
    further = [views(first_views[index][0], FURTHER_WIDTHS) for index in doubtful]
    further_frames = read([view.image for seen in further for view in seen]) if further else []
    step = len(FURTHER_WIDTHS)
    for number, (index, seen) in enumerate(zip(doubtful, further)):
        looks[index] = looks[index] + Looks.of(seen, further_frames[number * step:(number + 1) * step])
    return [ChosenView(*own.likeliest(), index not in doubtful) for index, own in enumerate(looks)]
