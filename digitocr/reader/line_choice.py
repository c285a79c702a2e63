"""The second step: per line, the contour reading or the line recognizer's, and boxes for the recognizer's digits.

The two readers fail differently. Cutting blobs and classifying the pieces
is sure of clean, separate digits and loses its way where digits touch,
break or hide among remnants of borders; the line recognizer reads the
line whole, needing no cuts. The recognizer's own probabilities weigh both
readings (the CTC likelihood of each text); it takes over only when it
prefers its text to the contour text by more than the contour reader's own
certainty in the digits its text would change or drop.
"""

from dataclasses import dataclass

import cv2
import numpy as np

from ..image.components import Components
from ..image.lines import LineImage
from ..image.merging import MERGED_HEIGHT
from ..image.normalize import to_model_input
from ..image.pipeline import Analysis
from ..networks.ctc import DecodedLine, decode, log_likelihood
from ..networks.line_recognizer import FRAME_STEP
from ..results import Digit
from ..settings import ReaderSettings
from .confidence import log_odds as clipped_log_odds
from .prepare import upright_ink

LINE_MARGIN = 2.0  # nats the recognizer's preference must exceed the contour reading's certainty by
SUREST = 0.9999  # a contour digit's confidence is capped here: no reading is beyond doubt
BARE_ONE_ODDS = 1.5  # what the contour reader's '1's count for where the recognizer's text only leaves them out...
TRAILING_MARK_ODDS = 0.0  # ...and where they all come after the number, as a border's remnant or closing mark does;
# so too its '0's there, taller than every digit kept, as a stamp's ring is
CHARACTER_REACH = 0.5  # of the line band's height: how far either side of where a digit was read its ink may lie


@dataclass(frozen=True)
class LineVerdict:
    """What the two readers said of one line, and which was kept."""

    line: int
    contour_text: str
    recognized: DecodedLine
    contour_likelihood: float  # log P(contour text) under the recognizer
    contour_certainty: float  # log-odds the contour reader gives the digits in dispute
    use_recognizer: bool

    @property
    def preference(self) -> float:
        """log P(recognizer's text) - log P(contour text), both under the recognizer."""
        return self.recognized.log_likelihood - self.contour_likelihood

    def likelihood_of(self, labels: list[int] | tuple[int, ...]) -> float | None:
        """log P(labels) under the recognizer, where judging the line worked it out (the recognizer's own text or the
        contour text), else None: a line's text is weighed again by the number finder and the field confidence."""
        text = "".join(str(label) for label in labels)
        if text == self.recognized.text:
            return self.recognized.log_likelihood
        return self.contour_likelihood if text == self.contour_text else None

    @property
    def nothing(self) -> bool:
        """The recognizer's reading, kept, is that the line holds no digit at all: it is not writing."""
        return self.use_recognizer and not self.recognized.labels

    @property
    def explanation(self) -> str:
        if self.recognized.text == self.contour_text:
            return f"line {self.line + 1}: both read '{self.contour_text}'"
        if not self.recognized.labels:
            verdict = "set aside as no number" if self.nothing else "kept the contour reading"
            return (f"line {self.line + 1}: contours read '{self.contour_text}' (surest digit's log-odds "
                    f"{self.contour_certainty:.1f}), the line recognizer no digit at all (preferred by "
                    f"{self.preference:.1f} nats); {verdict}")
        kept = "the line recognizer's" if self.use_recognizer else "the contour reading"
        return (f"line {self.line + 1}: contours read '{self.contour_text}' (disputed digits' log-odds "
                f"{self.contour_certainty:.1f}), the line recognizer '{self.recognized.text}' (preferred by "
                f"{self.preference:.1f} nats); kept {kept}")


def edits(source: str, target: str) -> list[tuple[str, int, int]]:
    """The cheapest edits turning `source` into `target`, last first: ("change", i, j), ("drop", i, -1) and
    ("add", -1, j), with i and j the positions in each text."""
    rows, columns = len(source) + 1, len(target) + 1
    cost = np.zeros((rows, columns), np.int64)
    cost[:, 0], cost[0, :] = np.arange(rows), np.arange(columns)
    for i in range(1, rows):
        for j in range(1, columns):
            cost[i, j] = min(cost[i - 1, j] + 1, cost[i, j - 1] + 1,
                             cost[i - 1, j - 1] + (source[i - 1] != target[j - 1]))
    found, i, j = [], len(source), len(target)
    while i or j:
        if i and j and cost[i, j] == cost[i - 1, j - 1] + (source[i - 1] != target[j - 1]):
            if source[i - 1] != target[j - 1]:
                found.append(("change", i - 1, j - 1))
            i, j = i - 1, j - 1
        elif i and cost[i, j] == cost[i - 1, j] + 1:
            found.append(("drop", i - 1, -1))
            i -= 1
        else:
            found.append(("add", -1, j - 1))
            j -= 1
    return found


def log_odds(confidence: float) -> float:
    """A contour digit's confidence as log-odds, no less than even and capped at SUREST."""
    return float(clipped_log_odds(max(confidence, 0.5), 1 - SUREST))


@dataclass(frozen=True)
class Dispute:
    """How the recognizer's text differs from the contour text: the edits, worked out once per line."""

    contour_text: str
    found: list[tuple[str, int, int]]

    @classmethod
    def between(cls, contour_text: str, recognized_text: str) -> "Dispute":
        return cls(contour_text, edits(contour_text, recognized_text))

    @property
    def disputed_digits(self) -> list[int]:
        """The contour digits the recognizer's text replaces or leaves out."""
        return sorted(i for kind, i, _ in self.found if kind != "add")

    def leaves_out_only(self, label: str) -> bool:
        """Whether the recognizer's text is the contour text with some of its `label`s left out, nothing else
        changed."""
        return bool(self.found) and all(kind == "drop" and self.contour_text[i] == label for kind, i, _ in self.found)

    @property
    def at_the_end(self) -> bool:
        """Whether the digits in dispute are the contour text's last ones."""
        disputed = self.disputed_digits
        return disputed == list(range(len(self.contour_text) - len(disputed), len(self.contour_text)))

    @property
    def only_adds(self) -> bool:
        """Whether the recognizer's text is the contour text with characters added, and nothing else changed."""
        return bool(self.found) and all(kind == "add" for kind, _, _ in self.found)


def judge_line(line: int, contour_text: str, contour_confidences: list[float], frames: np.ndarray,
               flat_spans: tuple[tuple[float, float, int], ...] = (),
               contour_heights: list[int] | None = None) -> LineVerdict:
    """Keep the recognizer's text only if it prefers it by more than the contour reader trusts what is in dispute.

    What is in dispute is the contour digits the recognizer would change or
    drop; where it only adds characters, the contour reading as a whole. Any
    bare bar, a border's remnant, a split-off flag or a tall comma, is a
    sure '1' to the classifier, so its certainty in '1's says little about
    whether they are digits at all: where the recognizer only leaves '1's
    out, they count for no more than BARE_ONE_ODDS, and for nothing after
    the number, where bars are more often remnants than writing. Any ring, a
    stamp's or a circled mark's, is as sure a '0' to the classifier, which
    sees each piece blown up to one size: '0's the recognizer only leaves
    out after the number count for nothing where each is taller than every
    digit kept (`contour_heights`, the contour digits' heights), as a
    stamp's ring beside a number is and a written zero is not; a cheque's
    trailing zeros, written small and fast, keep their say. Where the
    contour reader left pieces of ink out of the line because the classifier
    could not name them (`flat_spans`: the frames each covers, and its
    height), and the recognizer's text less the digits it read on them is
    the contour text, or each digit it adds lies on one of them no taller
    than a digit (the recognizer may place a digit the contours read too
    at such a piece's edge: '5,700', its '00' one flat piece), the
    dispute is over those pieces, and a flat answer is no evidence at
    all that they are not digits (two touching digits make one piece of no
    digit's shape): the contour reading counts for nothing, and the
    recognizer's preference need only exceed LINE_MARGIN. Where the
    recognizer finds no digit at all (clutter, noise, a border's bars, a row
    the crop cut off), the dispute is whether anything on the line is a
    digit: the contour reader's surest digit stands against it, bars
    included, for the recognizer has no more to say about a lone bar than
    the classifier; whether a line of bars is a border's remnant or a
    column's '1' is the number finder's question, by its size and place.
    """
    recognized = decode(frames)
    if recognized.text == contour_text:
        return LineVerdict(line, contour_text, recognized, recognized.log_likelihood, 0.0, False)
    contour_likelihood = log_likelihood(frames, [int(c) for c in contour_text])
    preference = recognized.log_likelihood - contour_likelihood
    dispute = Dispute.between(contour_text, recognized.text)
    disputed = dispute.disputed_digits
    odds = [log_odds(contour_confidences[i]) for i in disputed] or [log_odds(c) for c in contour_confidences]
    if not recognized.labels:
        certainty = max(odds, default=0.0)
    else:
        certainty = min(odds) if disputed else float(np.mean(odds)) if odds else 0.0
    if dispute.leaves_out_only("1") and recognized.labels:
        certainty = min(certainty, TRAILING_MARK_ODDS if dispute.at_the_end else BARE_ONE_ODDS)
    if dispute.leaves_out_only("0") and dispute.at_the_end and recognized.labels and \
            taller_than_the_rest(contour_heights or [], disputed):
        certainty = min(certainty, TRAILING_MARK_ODDS)
    if dispute.only_adds and (read_elsewhere(recognized, flat_spans) == contour_text or
                              added_on_flat_pieces(recognized, dispute, flat_spans, contour_heights or [])):
        certainty = 0.0
    use = preference > certainty + LINE_MARGIN
    return LineVerdict(line, contour_text, recognized, contour_likelihood, certainty, use)


def added_on_flat_pieces(recognized: DecodedLine, dispute: Dispute, spans: tuple[tuple[float, float, int], ...],
                         contour_heights: list[int]) -> bool:
    """Whether every character the recognizer's text adds to the contour text is centred within one of the flat
    pieces' spans (from, to, height) of a digit's height: no taller than segmentation lets a digit's pieces merge
    to (MERGED_HEIGHT of the tallest contour digit). Where characters the contours read lie on such a piece too,
    it may still be digits touching, but not a piece taller than any digit: a column line with the word beyond it
    joined to it ('5' beside a ledger's cursive read '500')."""
    tallest = MERGED_HEIGHT * max(contour_heights, default=0)
    sized = [(start, end) for start, end, height in spans if height <= tallest]
    centres = recognized.centres
    return all(any(start <= centres[j] <= end for start, end in sized) for kind, _, j in dispute.found if kind == "add")


def taller_than_the_rest(heights: list[int], chosen: list[int]) -> bool:
    """Whether each of the `chosen` digits is taller than every other digit of the line (and there are others)."""
    rest = [height for index, height in enumerate(heights) if index not in chosen]
    return bool(rest) and all(heights[index] > max(rest) for index in chosen)


def read_elsewhere(recognized: DecodedLine, spans: tuple[tuple[float, float, int], ...]) -> str:
    """The recognizer's text less the characters centred within one of the spans of frames (from, to, height)."""
    return "".join(character for character, centre in zip(recognized.text, recognized.centres)
                   if not any(start <= centre <= end for start, end, _ in spans))


def character_boxes(recognized: DecodedLine, line: LineImage, upright: np.ndarray) -> list[tuple[int, int, int, int]]:
    """A working-size box per recognized character: the marks between the midpoints to its neighbours that come
    within CHARACTER_REACH of where it was read, so a first or last digit's box does not take in the clutter the
    recognizer read as nothing beside it."""
    x, y, width, height = line.box
    to_working = width / line.image.shape[1]
    centres = [centre * FRAME_STEP * to_working for centre in recognized.centres]
    edges = [0.0] + [(a + b) / 2 for a, b in zip(centres, centres[1:])] + [float(width)]
    band = upright[y:y + height, x:x + width] > 0
    boxes = []
    for centre, left, right in zip(centres, edges, edges[1:]):
        left, right = int(left), max(int(left) + 1, int(np.ceil(right)))
        ink = marks_near(band[:, left:right], centre - left, CHARACTER_REACH * height)
        rows, columns = np.nonzero(ink.any(axis=1))[0], np.nonzero(ink.any(axis=0))[0]
        if len(rows) == 0:
            boxes.append((x + left, y, right - left, height))
            continue
        boxes.append((x + left + int(columns[0]), y + int(rows[0]), int(columns[-1] - columns[0] + 1),
                      int(rows[-1] - rows[0] + 1)))
    return boxes


def marks_near(ink: np.ndarray, centre: float, reach: float) -> np.ndarray:
    """The marks of `ink` (bool) that come within `reach` columns of column `centre`, whole (255 on them)."""
    marks = Components.of(np.ascontiguousarray(ink, np.uint8))
    lefts, widths = marks.stats[:, cv2.CC_STAT_LEFT], marks.stats[:, cv2.CC_STAT_WIDTH]
    near = (lefts <= centre + reach) & (lefts + widths >= centre - reach)
    near[0] = False  # the background
    return marks.mask(near)


def recognized_digits(verdict: LineVerdict, line: LineImage, analysis: Analysis,
                      settings: ReaderSettings) -> list[Digit]:
    """The line recognizer's characters as digits, each boxed on its own ink and shown as a 28x28 input."""
    upright = upright_ink(analysis)
    digits = []
    for index, (x, y, width, height) in enumerate(character_boxes(verdict.recognized, line, upright)):
        confidence = verdict.recognized.confidences[index]
        box = analysis.box_in_original(x, y, width, height)
        digits.append(Digit(verdict.recognized.labels[index], confidence, verdict.recognized.probabilities[index], box,
                            line.line, confidence < settings.doubtful_below,
                            to_model_input(upright[y:y + height, x:x + width] > 0)))
    return digits
