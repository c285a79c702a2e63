"""Scenes of handwritten numbers among the clutter of real pages, each with its true text and where it lies.

Every scene is one KIND of difficulty a person reads through at a glance: a
word in cursive, a cross or tick, an underline, ruled and column lines, the
bars of a table cell's borders at the crop's edges, a scan's black margin,
dots and short strokes of a slipping pen, the cut-off rows above and below
in a register's crop, a blot, a stamp, light digits binarised on black with
noise below, a number above a region of noise, a column of single digits,
several lines, the page turned a quarter or a half (never a number that
turned half round is another number, as '861' is '198': no person could say
which way up it is), a number spaced out a digit to a box, one with a
separator, a cell cropped so tight that its digits run into the crop's
edges, an amount written fast with its digits run together, a number in
light pencil scanned small, and a number with signs printed or written by
hand beside it or between its groups. The kinds in UNTRAINED_KINDS are drawn
by the stress suite alone: no training command learns from them, so they
measure what the reader makes of a layout it never saw: a cell's number that
begins with a '1' close to the crop's left edge, where a border's bar may
stand beside it, a number written across the lines of squared paper, a
number drawn on a canvas too small for it, whose edges cut its strokes, and
a register's row number among all a ledger's clutter at once, where each
trained kind has one, a sheet photographed on a desk that shows beyond some
of its sides, a page with a shadow across it, a page photographed askew, one
photographed out of focus or with a shaking hand, a cell whose crop cuts a
digit of the next row at a corner, an amount in round hundreds by a narrow
hand, a number written small on a sheet photographed whole, an amount with
its currency sign, a form's printed label beside a number, a number crossed
out and written again after it, a photo of a sheet taken with the phone
turned, a date with slashes between its day, month and year, a page so
thin that the writing on its other side shows through, a number in a
coloured pen on paper about as light, and an amount whose last digits are
written small after its first. The digits come from
a `Writer` (the stress suite's draws only on held-out writers); each number
is written as a person writes it to be read, apart from the clutter (but for
the amount written fast, as real cells often are), and the page is
photographed or scanned (`render_page`), or a drawing exported
(`canvas_export`). A scene records the box of every line of the number, so
that what a reader finds can be told apart into the number and the rest.
"""

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import cv2
import numpy as np
from PIL import Image

from ..image.binarize import LUMINANCE
from ..image.normalize import stroke_width
from ..results import Box as ResultBox
from . import distractors
from .digit_data import cropped
from .line_synth import DigitSource, FieldSettings, compose_number

READABLE = FieldSettings(gap=(0.1, 0.45), touching_probability=0.0, spaced_probability=0.0,
                         small_tail_probability=0.0, cursive_zeros_probability=0.0, sign_probability=0.0,
                         separator_probability=0.25, tall_comma_probability=0.0, bold_probability=0.2,
                         slant=0.25)  # a number written to be read, digits apart
DIGIT_HEIGHT = (16.0, 80.0)  # pixels, drawn log-uniformly
TILT = (5.0, 30.0)  # degrees a photo is taken askew, either way
PHOTO_DIGIT_HEIGHT = (24.0, 120.0)  # pixels: a phone's photo, up close
SMALL_TAIL_HEIGHT = 30.0  # pixels: the least height of an amount's first digits where its last are written small
LEDGER_DIGITS = 3  # a register's row number is at most this long
PHOTO_SIZE = (1600, 1200)  # pixels: a phone's photo as messaging apps send it
SMALL_IN_PHOTO_HEIGHT = (12.0, 24.0)  # pixels: a number written small on the whole sheet such a photo shows
CANVAS_DIGIT_HEIGHT = (150.0, 350.0)  # pixels: a canvas's drawing, as the app's 600x400 canvas takes it
KINDS = ("clean", "word_fragment", "cross_or_tick", "underline", "ruled_lines", "column_line", "cell_remnants",
         "scan_margin", "stray_marks", "neighbour_rows", "blot", "stamp", "light_on_dark", "noise_region",
         "digit_column", "several_lines", "register_crop", "turned_90", "turned_180", "turned_270", "spaced_out",
         "separators", "tight_crop", "run_together", "small_and_faint", "printed_signs", "hand_signs")
UPRIGHT_KINDS = tuple(kind for kind in KINDS if not kind.startswith("turned"))
TURNED_QUARTERS = {"turned_90": 1, "turned_180": 2, "turned_270": 3}  # quarter turns anticlockwise each is drawn at
# for measuring only: no training command draws them
UNTRAINED_KINDS = ("ones_first", "squared_paper", "off_the_canvas", "ledger_row", "sheet_on_desk", "shadow_across",
                   "tilted", "out_of_focus", "corner_remnant", "narrow_round", "small_in_photo", "currency_sign",
                   "printed_label", "struck_out", "turned_photo", "date_with_slashes", "show_through",
                   "coloured_ink", "small_tail")
STRESS_KINDS = KINDS + UNTRAINED_KINDS
HALF_TURNED_DIGITS = {"0": "0", "1": "1", "6": "9", "8": "8", "9": "6"}  # digits that are digits upside down

Box = tuple[int, int, int, int]  # x, y, width, height in the scene's pixels


@dataclass(frozen=True)
class Scene:
    kind: str
    pixels: np.ndarray  # (H, W, 3) uint8; (H, W, 4) for a drawing, as a canvas exports it
    lines: tuple[tuple[Box, str], ...]  # each line of the number in reading order: where it lies and its digits

    @property
    def text(self) -> str:
        """What a person reads: the digits, lines joined by a line break."""
        return "\n".join(text for _, text in self.lines)


@dataclass
class Page:
    """Ink (darkness 0-1) and printed marks being laid out, and the lines of the number written on it."""

    ink: np.ndarray
    printed: np.ndarray
    numbers: list[tuple[Box, str]] = field(default_factory=list)
    dark_field: bool = False  # light marks on a dark field, as a binarised photo of a board
    drawn: bool = False  # drawn on a browser's canvas: exported as the pen's colour on a see-through field
    desk: np.ndarray | None = None  # where the desk under the sheet shows in the photo, set once the page is laid out
    light: np.ndarray | None = None  # the share of the light each pixel gets, where a shadow falls on the page
    in_reading_order: bool = False  # `numbers` already listed as read, where their boxes' tops no longer say it
    colours: tuple[np.ndarray, np.ndarray] | None = None  # the paper's and the ink's RGB, where both have a colour

    @classmethod
    def blank(cls, height: int, width: int) -> "Page":
        return cls(np.zeros((height, width), np.float32), np.zeros((height, width), np.float32))

    def paste(self, mask: np.ndarray, x: int, y: int, layer: str = "ink") -> Box:
        """`mask` with its top-left corner at (x, y), clipped to the page; returns the box of what lies on it."""
        target = self.ink if layer == "ink" else self.printed
        top, left = max(0, y), max(0, x)
        bottom, right = min(target.shape[0], y + mask.shape[0]), min(target.shape[1], x + mask.shape[1])
        if bottom > top and right > left:
            piece = mask[top - y:bottom - y, left - x:right - x].astype(np.float32)
            np.maximum(target[top:bottom, left:right], piece, out=target[top:bottom, left:right])
        return left, top, max(0, right - left), max(0, bottom - top)

    def write(self, ink: np.ndarray, x: int, y: int, text: str) -> None:
        """A line of the number, recorded with the box of what of it lies on the page."""
        self.numbers.append((self.paste(ink, x, y), text))

    def widened(self, left: int = 0, top: int = 0, right: int = 0, bottom: int = 0) -> "Page":
        """The page with room added on its sides; what is on it keeps its place on the paper."""
        grown = Page.blank(self.ink.shape[0] + top + bottom, self.ink.shape[1] + left + right)
        grown.paste(self.ink, left, top)
        grown.paste(self.printed, left, top, "printed")
        grown.numbers = [((x + left, y + top, w, h), text) for (x, y, w, h), text in self.numbers]
        grown.dark_field, grown.drawn = self.dark_field, self.drawn
        return grown

    def turned(self, quarters: int) -> "Page":
        """The page turned anticlockwise by `quarters` right angles, boxes, desk and shadow with it. Its lines keep the
        order they are read in the right way up: turned, their boxes' tops no longer say it."""
        turned = Page(np.rot90(self.ink, quarters).copy(), np.rot90(self.printed, quarters).copy(),
                      dark_field=self.dark_field, drawn=self.drawn,
                      desk=None if self.desk is None else np.rot90(self.desk, quarters).copy(),
                      light=None if self.light is None else np.rot90(self.light, quarters).copy(),
                      in_reading_order=True)
        size = (self.ink.shape[1], self.ink.shape[0])
        for box, text in self.in_order():
            moved = ResultBox(*box).turned(quarters, size)
            turned.numbers.append(((moved.x, moved.y, moved.width, moved.height), text))
        return turned

    def in_order(self) -> list[tuple[Box, str]]:
        """The lines of the number as a person reads them: top to bottom, unless already listed so."""
        return self.numbers if self.in_reading_order else sorted(self.numbers, key=lambda line: line[0][1])

    def tilted(self, degrees: float) -> "Page":
        """The page turned anticlockwise by `degrees`, on paper grown to hold it, each line's box the bounds of its
        turned corners. Its lines keep the order they are read in: turned, a long line's box may reach above the
        line before it."""
        height, width = self.ink.shape
        matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
        cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
        grown = (int(height * sin + width * cos) + 1, int(height * cos + width * sin) + 1)
        matrix[:, 2] += (grown[0] - width) / 2, (grown[1] - height) / 2
        tilted = Page(cv2.warpAffine(self.ink, matrix, grown), cv2.warpAffine(self.printed, matrix, grown),
                      dark_field=self.dark_field, drawn=self.drawn, in_reading_order=True)
        for (x, y, w, h), text in self.in_order():
            corners = np.array([[x, y, 1], [x + w, y, 1], [x, y + h, 1], [x + w, y + h, 1]], np.float64) @ matrix.T
            (left, top), (right, bottom) = corners.min(axis=0).astype(int), corners.max(axis=0).astype(int)
            tilted.numbers.append(((int(left), int(top), int(right - left), int(bottom - top)), text))
        return tilted


def scaled(mask: np.ndarray, factor: float) -> np.ndarray:
    size = (max(1, round(mask.shape[1] * factor)), max(1, round(mask.shape[0] * factor)))
    return cv2.resize(mask.astype(np.float32), size, interpolation=cv2.INTER_AREA)


def digit_height(rng: np.random.Generator, span: tuple[float, float] = DIGIT_HEIGHT) -> float:
    return float(np.exp(rng.uniform(*np.log(span))))


@dataclass(frozen=True)
class Writer:
    """Who writes a scene's numbers: where their digits come from, and how they set them side by side."""

    digits: DigitSource
    settings: FieldSettings = READABLE

    def number(self, height: float, rng: np.random.Generator) -> tuple[np.ndarray, str]:
        """A number as ink coverage with its digits `height` pixels tall, and its digits."""
        mask, text = compose_number(self.digits, rng, self.settings)
        return scaled(mask, height / 64.0), text

    def digit(self, rng: np.random.Generator) -> tuple[np.ndarray, str]:
        mask, label = self.digits(rng)
        return mask, str(label)


def framed(writer: Writer, height: float, rng: np.random.Generator, sides: tuple[float, float] = (0.3, 1.2),
           ends: tuple[float, float] = (0.3, 0.8)) -> Page:
    """A page with one number written on it, with margins of the given shares of the digit height."""
    ink, text = writer.number(height, rng)
    return on_page(ink, text, height, rng, sides, ends)


def on_page(ink: np.ndarray, text: str, height: float, rng: np.random.Generator,
            sides: tuple[float, float] = (0.3, 1.2), ends: tuple[float, float] = (0.3, 0.8)) -> Page:
    """A number's ink on a page, with margins of the given shares of its digit height."""
    left, right = (int(height * rng.uniform(*sides)) for _ in range(2))
    top, bottom = (int(height * rng.uniform(*ends)) for _ in range(2))
    page = Page.blank(ink.shape[0] + top + bottom, ink.shape[1] + left + right)
    page.write(ink, left, top, text)
    return page


def render_page(page: Page, rng: np.random.Generator) -> np.ndarray:
    """The page photographed or scanned: paper or a dark field, ink, printed marks, uneven light, grain, blur and
    JPEG; (H, W, 3) uint8."""
    if page.colours is not None:
        return render_in_colour(page, rng)
    height, width = page.ink.shape
    paper = rng.uniform(170, 245)
    darkness = rng.uniform(90, min(200, paper - 20))
    tone = paper - darkness * np.maximum(page.ink, page.printed * rng.uniform(0.3, 0.7))
    if page.desk is not None:
        tone = np.where(page.desk, desk_tone(paper, (height, width), rng), tone)
        tone = tone * light_falling_off((height, width), rng)
    if page.light is not None:
        tone = tone * page.light
    tone += np.linspace(0, 1, width, dtype=np.float32)[None, :] * rng.uniform(-30, 30)
    tone += rng.normal(0, rng.uniform(1, 6), (height, width)).astype(np.float32)
    tone = cv2.GaussianBlur(tone, (0, 0), rng.uniform(0.3, 0.9))
    if page.dark_field:
        tone = 255 - tone
    rgb = np.dstack([tone * rng.uniform(0.95, 1.0), tone, tone * rng.uniform(0.95, 1.0)]).clip(0, 255).astype(np.uint8)
    return sent_as_phones_send(rgb, rng)


def render_in_colour(page: Page, rng: np.random.Generator) -> np.ndarray:
    """A page of coloured paper and ink (`Page.colours`) photographed: the two mixed by the ink's coverage, under
    light falling off across it, with grain in each channel, blur, and JPEG most of the time, which keeps colour at
    half the resolution of lightness; (H, W, 3) uint8."""
    paper, ink = page.colours
    coverage = page.ink[..., None]
    rgb = (paper * (1 - coverage) + ink * coverage) * light_falling_off(page.ink.shape, rng)[..., None]
    rgb += rng.normal(0, rng.uniform(1, 4), rgb.shape).astype(np.float32)
    rgb = cv2.GaussianBlur(rgb.astype(np.float32), (0, 0), rng.uniform(0.3, 0.9)).clip(0, 255).astype(np.uint8)
    return sent_as_phones_send(rgb, rng)


def sent_as_phones_send(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A photo (H, W, 3) uint8, six times in ten saved as a JPEG of quality 50-95 and decoded again."""
    if rng.random() < 0.6:
        buffer = io.BytesIO()
        Image.fromarray(rgb).save(buffer, "JPEG", quality=int(rng.integers(50, 95)))
        rgb = np.asarray(Image.open(buffer).convert("RGB"))
    return rgb


def luma(rgb: np.ndarray) -> float:
    """An RGB colour's lightness as the reader's grayscale weighs it (`binarize.LUMINANCE`)."""
    return float(rgb @ LUMINANCE.astype(np.float32))


def desk_tone(paper: float, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A desk's tone, from near black to a light wood well below the paper's, with a grain of its own: a share of its
    tone, as a surface's texture is."""
    level = rng.uniform(15, paper - 60)
    grain = cv2.GaussianBlur(rng.normal(0, 1, shape).astype(np.float32), (0, 0), rng.uniform(1, 6))
    return level * (1 + grain / max(1e-6, float(grain.std())) * rng.uniform(0, 0.1))


def light_falling_off(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A phone's photo of a sheet lit from one side: the light falls off across it, any way, to 60-100% of its
    brightest."""
    along = towards(shape, rng.uniform(0, 2 * np.pi))
    along = (along - along.min()) / max(1e-6, float(np.ptp(along)))
    return 1 - rng.uniform(0, 0.4) * along


def towards(shape: tuple[int, int], angle: float, origin: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """Each pixel's distance from `origin` (x, y) in the direction `angle`, for light and shadow across a page."""
    rows, columns = np.mgrid[:shape[0], :shape[1]].astype(np.float32)
    return np.cos(angle) * (columns - origin[0]) + np.sin(angle) * (rows - origin[1])


def clean(writer, rng) -> Page:
    return framed(writer, digit_height(rng), rng)


def mark_beside(page: Page, mark: np.ndarray, rng: np.random.Generator, after: bool,
                gap: tuple[float, float]) -> Page:
    """`mark` on the number's line, before or after it, a gap of the given shares of its height apart."""
    (x, y, width, height), _ = page.numbers[0]
    space = int(height * rng.uniform(*gap))
    room = mark.shape[1] + space
    page = page.widened(left=0 if after else room, right=room if after else 0,
                        top=max(0, mark.shape[0] - height - y))
    (x, y, width, height), _ = page.numbers[0]
    top = y + height - mark.shape[0] + int(rng.uniform(-0.1, 0.15) * height)
    page.paste(mark, x + width + space if after else x - room, min(max(0, top), page.ink.shape[0] - mark.shape[0]))
    return page


def word_fragment(writer, rng) -> Page:
    height = digit_height(rng)
    page = framed(writer, height, rng)
    return mark_beside(page, distractors.cursive_fragment(int(height), rng), rng, rng.random() < 0.5, (0.5, 1.2))


def cross_or_tick(writer, rng) -> Page:
    height = digit_height(rng)
    mark = (distractors.cross if rng.random() < 0.5 else distractors.tick)(int(height), rng)
    return mark_beside(framed(writer, height, rng), mark, rng, rng.random() < 0.8, (0.4, 1.0))


def underline(writer, rng) -> Page:
    height = digit_height(rng)
    page = framed(writer, height, rng, ends=(0.3, 0.9))
    (x, y, width, ink_height), _ = page.numbers[0]
    thickness = max(1, int(height * rng.uniform(0.04, 0.09)))
    for copy in range(1 if rng.random() < 0.8 else 2):
        row = y + ink_height + int(height * rng.uniform(0.05, 0.2)) + copy * thickness * 3
        start, end = x - int(height * rng.uniform(0, 0.4)), x + width + int(height * rng.uniform(0, 0.4))
        cv2.line(page.ink, (start, row), (end, row + int(rng.integers(-3, 4))), 1.0, thickness, cv2.LINE_AA)
    return page


def ruled_lines(writer, rng) -> Page:
    page = clean(writer, rng)
    height, width = page.ink.shape
    spacing = rng.uniform(0.25, 0.5) * height
    for row in np.arange(rng.uniform(0, spacing), height, spacing):
        cv2.line(page.printed, (0, int(row)), (width, int(row + rng.uniform(-2, 2))), 1.0, int(rng.integers(1, 3)))
    return page


def squared_paper(writer, rng) -> Page:
    """A number written on squared paper, as in a school exercise book: printed lines both ways, a square about a
    digit high, and the digits written across them, not one to a square."""
    page = clean(writer, rng)
    (_, _, _, height), _ = page.numbers[0]
    square = rng.uniform(0.6, 1.1) * height
    rows, columns = page.printed.shape
    for row in np.arange(rng.uniform(0, square), rows, square):
        cv2.line(page.printed, (0, int(row)), (columns, int(row)), 1.0, 1)
    for column in np.arange(rng.uniform(0, square), columns, square):
        cv2.line(page.printed, (int(column), 0), (int(column), rows), 1.0, 1)
    return page


def column_line(writer, rng) -> Page:
    height = digit_height(rng)
    page = framed(writer, height, rng, sides=(0.4, 1.0))
    (x, _, width, _), _ = page.numbers[0]
    for side in ("left", "right") if rng.random() < 0.4 else (str(rng.choice(["left", "right"])),):
        gap = int(height * rng.uniform(0.15, 0.35))
        column = x - gap if side == "left" else x + width + gap
        cv2.line(page.ink, (column, 0), (column + int(rng.integers(-3, 4)), page.ink.shape[0]), 1.0,
                 int(rng.integers(1, 4)))
    return page


def cell_remnants(writer, rng) -> Page:
    """A table cell cropped a little off its grid: bars of its side borders at the crop's edges, some only part of
    its height, some turning a corner along the top or bottom."""
    height = digit_height(rng, (16.0, 50.0))
    page = framed(writer, height, rng, sides=(0.2, 0.8), ends=(0.2, 0.6))
    rows, columns = page.ink.shape
    thickness = int(rng.integers(1, 4))
    sides = ("left", "right") if rng.random() < 0.4 else (str(rng.choice(["left", "right"])),)
    for side in sides:
        x = int(rng.integers(0, 3)) if side == "left" else columns - 1 - int(rng.integers(0, 3))
        start = 0 if rng.random() < 0.5 else int(rows * rng.uniform(0, 0.5))
        end = min(rows, start + int(rows * rng.uniform(0.3, 1.0)))
        cv2.line(page.ink, (x, start), (x + int(rng.integers(-1, 2)), end), 1.0, thickness)
        if rng.random() < 0.4:  # the corner where the bar meets the row's border
            y = start if start == 0 or rng.random() < 0.5 else end
            reach = int(columns * rng.uniform(0.05, 0.3))
            cv2.line(page.ink, (x, y), (x + reach if side == "left" else x - reach, y), 1.0, thickness)
    return page


def scan_margin(writer, rng) -> Page:
    """A scanner's black margin along one side, its edge ragged."""
    page = clean(writer, rng)
    side = str(rng.choice(["left", "right", "top", "bottom"]))
    along_rows = side in ("left", "right")
    band = max(2, int(rng.uniform(0.05, 0.2) * page.ink.shape[1 if along_rows else 0]))
    page = page.widened(**{side: band})
    height, width = page.ink.shape
    depths = (band + rng.normal(0, max(1.0, 0.05 * band), height if along_rows else width)).astype(int).clip(1)
    if along_rows:
        columns = np.arange(width)[None, :]
        margin = columns < depths[:, None] if side == "left" else columns >= width - depths[:, None]
    else:
        rows = np.arange(height)[:, None]
        margin = rows < depths[None, :] if side == "top" else rows >= height - depths[None, :]
    page.ink[margin] = 1.0
    return page


def stray_marks(writer, rng) -> Page:
    """Dots over the page and a short stroke or two above or below the number, clear of its band."""
    height = digit_height(rng)
    page = framed(writer, height, rng, sides=(0.6, 1.2), ends=(0.5, 1.0))
    page.paste(distractors.specks(page.ink.shape, int(rng.integers(3, 12)), int(height), rng), 0, 0)
    for _ in range(int(rng.integers(1, 3))):
        page = with_stroke_clear_of_number(page, distractors.dash(int(height), rng), height, rng)
    return page


def with_stroke_clear_of_number(page: Page, mark: np.ndarray, height: float, rng: np.random.Generator) -> Page:
    """`mark` in the margin above or below the number, at least a fifth of the digit height clear of it, anywhere
    along the page; the page grows where its margin is too narrow."""
    (_, y, _, ink_height), _ = page.numbers[0]
    gap = int(height * rng.uniform(0.2, 0.6))
    if rng.random() < 0.5:
        grow = max(0, mark.shape[0] + gap - y)
        page = page.widened(top=grow)
        top = y + grow - gap - mark.shape[0]
    else:
        below = y + ink_height + gap
        page = page.widened(bottom=max(0, below + mark.shape[0] - page.ink.shape[0]))
        top = below
    page.paste(mark, int(rng.integers(0, max(1, page.ink.shape[1] - mark.shape[1]))), top)
    return page


def cut_off_rows(page: Page, writer: Writer, height: float, rng: np.random.Generator,
                 chance: float = 0.7) -> None:
    """The rows above and below, cut by the crop: only their feet or heads show."""
    (x, _, _, _), _ = page.numbers[0]
    for above in (True, False):
        if rng.random() < chance:
            other, _ = writer.number(height, rng)
            shown = int(other.shape[0] * rng.uniform(0.15, 0.45))
            page.paste(other, x + int(height * rng.uniform(-0.5, 0.5)),
                       shown - other.shape[0] if above else page.ink.shape[0] - shown)


def corner_remnant(writer, rng) -> Page:
    """A table cell cropped from a column of numbers: at a top or bottom corner, a digit of the row above or below,
    cut by the crop (a third to two thirds of it shows), a little beyond the number's first or last digit."""
    height = digit_height(rng, (16.0, 50.0))
    page = framed(writer, height, rng, sides=(0.3, 1.0), ends=(0.2, 0.6))
    ink = cropped(writer.digit(rng)[0])
    digit = scaled(ink, height / max(1, ink.shape[0]))
    (x, _, width, _), _ = page.numbers[0]
    shown = int(digit.shape[0] * rng.uniform(1 / 3, 2 / 3))
    above, after = rng.random() < 0.5, rng.random() < 0.5
    gap = int(height * rng.uniform(0.1, 0.5))
    beyond = gap + digit.shape[1] + int(height * rng.uniform(0.0, 0.3))  # the cell holds the remnant's width
    if after:
        page = page.widened(right=max(0, x + width + beyond - page.ink.shape[1]))
    else:
        page = page.widened(left=max(0, beyond - x))
        x = page.numbers[0][0][0]
    left = x + width + gap if after else x - digit.shape[1] - gap
    page.paste(digit, left, shown - digit.shape[0] if above else page.ink.shape[0] - shown)
    return page


def neighbour_rows(writer, rng) -> Page:
    height = digit_height(rng)
    page = framed(writer, height, rng, ends=(0.5, 1.0))
    cut_off_rows(page, writer, height, rng)
    return page


def blot(writer, rng) -> Page:
    height = digit_height(rng)
    page = framed(writer, height, rng, sides=(1.0, 1.8), ends=(0.6, 1.2))
    (x, y, width, ink_height), _ = page.numbers[0]
    mark = distractors.blot(int(height), rng)
    spots = [(x - mark.shape[1] - int(0.2 * height), y), (x + width + int(0.2 * height), y),
             (x + int(width * rng.uniform(0, 0.8)), y + ink_height + int(0.3 * height))]
    page.paste(mark, *spots[int(rng.integers(len(spots)))])
    return page


def stamp(writer, rng) -> Page:
    height = digit_height(rng)
    page = framed(writer, height, rng, sides=(0.5, 1.0), ends=(0.5, 1.0))
    (x, _, width, _), _ = page.numbers[0]
    mark = distractors.stamp(int(height), rng)
    page = page.widened(right=mark.shape[1] + int(0.2 * height), bottom=max(0, mark.shape[0] - page.ink.shape[0]))
    page.paste(mark, x + width + int(height * rng.uniform(0.2, 0.6)), int(rng.uniform(0, 0.3) * height), "printed")
    return page


def light_on_dark(writer, rng) -> Page:
    """A phone photo binarised: light digits on black, a white blob of noise below them."""
    page = clean(writer, rng)
    height, width = page.ink.shape
    page = page.widened(bottom=int(height * rng.uniform(0.4, 0.8)))
    noise = distractors.noise_field((page.ink.shape[0] - height, width), rng)
    blob = np.zeros_like(noise)
    cv2.ellipse(blob, (width // 2 + int(rng.uniform(-0.2, 0.2) * width), blob.shape[0] // 2),
                (int(width * rng.uniform(0.15, 0.4)), max(2, int(blob.shape[0] * rng.uniform(0.2, 0.45)))), 0, 0, 360,
                1, -1)
    page.paste(noise * blob, 0, height)
    page.ink = (page.ink > 0.35).astype(np.float32)
    page.dark_field = True
    return page


def noise_region(writer, rng) -> Page:
    """A clean number above or below a region of noise that covers as much of the image or more."""
    page = clean(writer, rng)
    height, width = page.ink.shape
    extra = int(height * rng.uniform(0.8, 1.6))
    below = rng.random() < 0.7
    page = page.widened(top=0 if below else extra, bottom=extra if below else 0)
    page.paste(distractors.noise_field((extra, width), rng), 0, height if below else 0)
    return page


def digit_column(writer, rng) -> Page:
    """Single digits one under the other, as a column of a form: read top to bottom, one line each."""
    height = digit_height(rng, (20.0, 70.0))
    digits = []
    for _ in range(int(rng.integers(3, 10))):
        mask, label = writer.digit(rng)
        ink = cropped(mask)
        digits.append((scaled(ink, height / ink.shape[0]), label))
    spacing, widest = int(height * rng.uniform(0.35, 0.8)), max(ink.shape[1] for ink, _ in digits)
    margin = int(height * rng.uniform(0.8, 2.0))
    page = Page.blank(sum(ink.shape[0] + spacing for ink, _ in digits) + margin, widest + 2 * margin)
    top = margin // 2
    for ink, label in digits:
        page.write(ink, margin + (widest - ink.shape[1]) // 2 + int(rng.integers(-2, 3)), top, label)
        top += ink.shape[0] + spacing
    return page


def several_lines(writer, rng) -> Page:
    height = digit_height(rng, (18.0, 60.0))
    lines = [writer.number(height, rng) for _ in range(int(rng.integers(2, 4)))]
    spacing, margin = int(height * rng.uniform(0.5, 1.0)), int(height * rng.uniform(0.3, 1.0))
    width = max(ink.shape[1] for ink, _ in lines) + int(height * 0.5)
    page = Page.blank(sum(ink.shape[0] + spacing for ink, _ in lines) + 2 * margin - spacing, width + 2 * margin)
    top = margin
    for ink, text in lines:
        page.write(ink, margin + int(rng.uniform(0, width - ink.shape[1])), top, text)
        top += ink.shape[0] + spacing
    return page


def register_crop(writer, rng) -> Page:
    """A loose crop of a ledger's number column: cut-off rows above and below, the column's ruled line after the
    number, and the start of the next column's word beyond it."""
    height = digit_height(rng, (18.0, 60.0))
    page = framed(writer, height, rng, sides=(0.2, 0.6), ends=(0.5, 1.0))
    word = distractors.cursive_fragment(int(height), rng) if rng.random() < 0.7 else np.zeros((1, 1), np.uint8)
    page = page.widened(right=word.shape[1] // 2 + int(0.4 * height))
    cut_off_rows(page, writer, height, rng, chance=1.0)
    (x, y, width, ink_height), _ = page.numbers[0]
    column = x + width + int(height * rng.uniform(0.2, 0.4))
    cv2.line(page.printed, (column, 0), (column + int(rng.integers(-3, 4)), page.ink.shape[0]), 1.0,
             int(rng.integers(1, 3)))
    page.paste(word, column + int(0.25 * height), y + ink_height - word.shape[0] + int(0.1 * height))
    return page


def spaced_out(writer, rng) -> Page:
    """A number written a digit to a box, or across a ruled page: its gaps up to more than a digit's height."""
    return framed(replace(writer, settings=replace(writer.settings, spaced_probability=1.0)), digit_height(rng), rng)


def separators(writer, rng) -> Page:
    """A number with a thousands or decimal separator, half the commas written as one stroke begun well above the
    line."""
    settings = replace(writer.settings, separator_probability=1.0, tall_comma_probability=0.5)
    return framed(replace(writer, settings=settings), digit_height(rng), rng)


def tight_crop(writer, rng) -> Page:
    """A cell cropped tight round a number written to fill it: its digits run into the crop's top and bottom, as
    the rows a register crop cuts off do, yet they are the number."""
    return framed(writer, digit_height(rng), rng, sides=(0.0, 0.4), ends=(0.0, 0.02))


def run_together(writer, rng) -> Page:
    """A number written fast, as amounts are: digits touching or overlapping their neighbours, trailing zeros run
    together in one stroke, the last digits (cents, hundreds) written smaller."""
    settings = replace(writer.settings, gap=(-0.12, 0.3), touching_probability=0.5, cursive_zeros_probability=0.35,
                       small_tail_probability=0.25)
    return framed(replace(writer, settings=settings), digit_height(rng), rng)


def small_and_faint(writer, rng) -> Page:
    """A number in light pencil or a worn pen, scanned small: digits 9 to 16 pixels tall, half to four fifths as
    dark as ink."""
    page = framed(writer, digit_height(rng, (9.0, 16.0)), rng)
    page.ink *= rng.uniform(0.5, 0.8)
    return page


def first_digit_of(source: DigitSource, wanted: int) -> DigitSource:
    """`source` with its first digit a `wanted` one (drawn until one comes), the digits after it as they come."""
    first = True

    def draw(rng: np.random.Generator) -> tuple[np.ndarray, int]:
        nonlocal first
        mask, label = source(rng)
        while first and label != wanted:
            mask, label = source(rng)
        first = False
        return mask, label
    return draw


def ones_first(writer, rng) -> Page:
    """A table cell numbered from 1 up, as a register's or a form's are: the number begins with a '1' (flagged as
    often as the writer flags them) a little way from the crop's left edge, and half the time the bar of the cell's
    border stands at that edge, a few pixels clear of the '1'. A person tells the two apart by their height: the
    bar runs the cell's height, the '1' the digits'."""
    height = digit_height(rng, (16.0, 50.0))
    ink, text = replace(writer, digits=first_digit_of(writer.digits, 1)).number(height, rng)
    bar = int(rng.integers(1, 4)) if rng.random() < 0.5 else 0
    left = bar + max(2, int(height * rng.uniform(0.05, 0.35)))
    right = int(height * rng.uniform(0.3, 1.2))
    top, bottom = (int(height * rng.uniform(0.2, 0.6)) for _ in range(2))
    page = Page.blank(ink.shape[0] + top + bottom, ink.shape[1] + left + right)
    page.write(ink, left, top, text)
    if bar:
        page.ink[:, :bar] = 1.0
    return page


def redrawn(draw: Callable[[], Page], fits: Callable[[str], bool]) -> Page:
    """A page from `draw`, drawn again until the number written on it `fits`."""
    page = draw()
    while not fits(page.numbers[0][1]):
        page = draw()
    return page


def ledger_row(writer, rng) -> Page:
    """A loose crop of a register's row number with a ledger's clutter all at once, where each trained kind has one:
    the row's rules above and below, the column's lines on both sides, a tick or a cross after the number half the
    time, the next column's word beyond its line, and the rows above and below cut by the crop. A row number is
    short, one to three digits."""
    height = digit_height(rng, (18.0, 50.0))
    row_number = replace(writer, settings=replace(writer.settings, separator_probability=0.0))
    page = redrawn(lambda: framed(row_number, height, rng, sides=(0.3, 0.7), ends=(0.6, 1.0)),
                   lambda text: len(text) <= LEDGER_DIGITS)
    if rng.random() < 0.5:
        mark = (distractors.cross if rng.random() < 0.5 else distractors.tick)(int(height), rng)
        page = mark_beside(page, mark, rng, True, (0.3, 0.8))
    word = distractors.cursive_fragment(int(height), rng)
    page = page.widened(left=int(0.3 * height), right=word.shape[1] // 2 + int(0.4 * height))
    (x, y, _, ink_height), _ = page.numbers[0]
    rows, columns = page.printed.shape
    ink_right = int(np.flatnonzero(page.ink.any(axis=0)).max())
    column = ink_right + int(height * rng.uniform(0.15, 0.35))
    for line_x in (x - int(height * rng.uniform(0.15, 0.3)), column):
        cv2.line(page.printed, (line_x, 0), (line_x + int(rng.integers(-3, 4)), rows), 1.0, int(rng.integers(1, 3)))
    for row in (y - int(height * rng.uniform(0.2, 0.4)), y + ink_height + int(height * rng.uniform(0.1, 0.3))):
        cv2.line(page.printed, (0, row), (columns, row + int(rng.integers(-2, 3))), 1.0, 1)
    page.paste(word, column + int(0.25 * height), y + ink_height - word.shape[0] + int(0.1 * height))
    cut_off_rows(page, writer, height, rng, chance=1.0)
    return page


def sheet_on_desk(writer, rng) -> Page:
    """A sheet photographed on a desk: a number, or a few lines of them, written on it with room around, and the
    desk showing beyond one to four of the sheet's sides, each a twelfth to two fifths as deep as the sheet is wide
    or tall, the sheet's edge a little askew as a sheet lies, and the light falling off across the photo."""
    page = several_lines(writer, rng) if rng.random() < 0.3 else framed(writer, digit_height(rng), rng,
                                                                        sides=(1.0, 3.0), ends=(1.0, 2.5))
    sides = rng.permutation(["left", "right", "top", "bottom"])[:int(rng.integers(1, 5))]
    bands = {str(side): int(rng.uniform(1 / 12, 0.4) * page.ink.shape[0 if side in ("top", "bottom") else 1])
             for side in sides}
    page = page.widened(**bands)
    rows, columns = np.mgrid[:page.ink.shape[0], :page.ink.shape[1]]
    desk = np.zeros(page.ink.shape, bool)
    for side, band in bands.items():
        along = rows if side in ("left", "right") else columns
        across = columns if side in ("left", "right") else rows
        edge = band + rng.uniform(-0.03, 0.03) * (along - along.max() / 2)
        desk |= across < edge if side in ("left", "top") else across >= across.max() + 1 - edge
    page.desk = desk
    return page


def shadow_across(writer, rng) -> Page:
    """A page photographed with a shadow across it (the phone's, the hand's), its edge hard or soft and running any
    way through the number or beside it, the shaded side getting 40-70% of the light."""
    page = (several_lines if rng.random() < 0.3 else clean)(writer, rng)
    height, width = page.ink.shape
    angle = rng.uniform(0, 2 * np.pi)
    beyond = towards((height, width), angle, (width * rng.uniform(0.2, 0.8), height * rng.uniform(0.2, 0.8)))
    softness = max(0.5, rng.uniform(0, 0.1) * min(height, width))
    page.light = 1 - rng.uniform(0.3, 0.6) * cv2.GaussianBlur((beyond > 0).astype(np.float32), (0, 0), softness)
    return page


def tilted(writer, rng) -> Page:
    """A number, or a few lines of them, photographed with the phone held askew: the page turned 5-30 degrees either
    way, digits and lines alike."""
    page = (several_lines if rng.random() < 0.3 else clean)(writer, rng)
    return page.tilted(rng.uniform(*TILT) * rng.choice([-1.0, 1.0]))


def out_of_focus(writer, rng) -> Page:
    """A number, or a few lines of them, photographed up close out of focus or with a shaking hand (`defocused`)."""
    page = framed(writer, digit_height(rng, PHOTO_DIGIT_HEIGHT), rng) if rng.random() < 0.7 else \
        several_lines(writer, rng)
    return defocused(page, rng)


def defocused(page: Page, rng: np.random.Generator) -> Page:
    """The page's ink spread as a lens out of focus spreads it (a disc 3-10% of the shortest line's height across)
    or a shaking hand (a streak 5-20% of it long, any way); the amount of ink stays."""
    height = min(h for (_, _, _, h), _ in page.numbers)
    if rng.random() < 0.5:
        radius = max(1, round(height * rng.uniform(0.03, 0.1)))
        spread = cv2.circle(np.zeros((2 * radius + 1,) * 2, np.float32), (radius, radius), radius, 1.0, -1)
    else:
        length = max(2, round(height * rng.uniform(0.05, 0.2)))
        centre = (length - 1) / 2
        streak = np.zeros((length, length), np.float32)
        streak[length // 2] = 1.0
        spread = cv2.warpAffine(streak, cv2.getRotationMatrix2D((centre, centre), rng.uniform(0, 180), 1.0),
                                (length, length))
    page.ink = cv2.filter2D(page.ink, -1, spread / spread.sum())
    return page


def off_the_canvas(writer, rng) -> Page:
    """A number drawn with a finger on a browser's canvas too small for it, as on a phone: the canvas cuts its
    strokes at one edge or more, up to a tenth of a digit's height, and a person still reads every digit whole."""
    height = rng.uniform(*CANVAS_DIGIT_HEIGHT)
    ink, text = writer.number(height, rng)
    margins = [int(height * (rng.uniform(-0.1, 0.0) if rng.random() < 0.5 else rng.uniform(0.05, 0.4)))
               for _ in range(4)]
    if min(margins) >= 0:
        margins[int(rng.integers(4))] = -int(height * rng.uniform(0.03, 0.1))
    left, right, top, bottom = margins
    page = Page.blank(ink.shape[0] + top + bottom, ink.shape[1] + left + right)
    page.write(ink, left, top, text)
    page.drawn = True
    return page


def canvas_export(page: Page, rng: np.random.Generator) -> np.ndarray:
    """The page as a browser's canvas exports a drawing: the pen's colour where it drew, see-through elsewhere;
    (H, W, 4) uint8."""
    alpha = (np.clip(page.ink, 0, 1) * 255).astype(np.uint8)
    colour = np.broadcast_to(rng.integers(0, 60, 3).astype(np.uint8), (*alpha.shape, 3))
    return np.dstack([colour, alpha])


def half_turned_text(text: str) -> str | None:
    """What a number reads as turned half round, where every digit of it is a digit upside down; else None."""
    if not set(text) <= set(HALF_TURNED_DIGITS):
        return None
    return "".join(HALF_TURNED_DIGITS[digit] for digit in reversed(text))


def turned(quarters: int):
    def scene(writer, rng) -> Page:
        page = redrawn(lambda: clean(writer, rng),
                       lambda text: quarters != 2 or half_turned_text(text) in (None, text))
        return page.turned(quarters)
    return scene


def narrow_round(writer, rng) -> Page:
    """An amount in round hundreds or thousands by a writer whose digits are all narrow: its zeros stand close
    together, tall ovals side by side, which a person reads at a glance."""
    narrow = replace(writer, settings=replace(writer.settings, round_probability=1.0, narrow_hand_probability=1.0))
    return framed(narrow, digit_height(rng), rng)


def small_tail(writer, rng) -> Page:
    """An amount whose last digits are written smaller than its first, as many hands write round sums and cents: one
    or two digits at full height, then one to four at 0.5-0.7 of it, on the line or raised to its top, close after
    them (a '5' and a small '700'); a person reads them as one number. One ordinary pen writes them all: the small
    digits' strokes are as wide as the others' (`in_the_same_pen`), not narrowed with their size, and the first
    digits are at least SMALL_TAIL_HEIGHT pixels tall, so the small ones stay legible (in a broad pen, or a third of a
    small number's height, they are blots to a person too)."""
    height = digit_height(rng, (SMALL_TAIL_HEIGHT, DIGIT_HEIGHT[1]))
    pen = replace(writer, settings=replace(writer.settings, separator_probability=0.0, bold_probability=0.0))
    head, head_text = group_of(pen, height, rng, int(rng.integers(1, 3)))
    tail, tail_text = group_of(pen, height, rng, int(rng.integers(1, 5)))
    tail = in_the_same_pen(tail, rng.uniform(0.5, 0.7))
    gap = int(height * rng.uniform(0.05, 0.3))
    row = Page.blank(max(head.shape[0], tail.shape[0]), head.shape[1] + gap + tail.shape[1])
    row.paste(head, 0, row.ink.shape[0] - head.shape[0])
    row.paste(tail, head.shape[1] + gap, 0 if rng.random() < 0.5 else row.ink.shape[0] - tail.shape[0])
    return on_page(row.ink, head_text + tail_text, height, rng)


def in_the_same_pen(ink: np.ndarray, factor: float) -> np.ndarray:
    """Writing `factor` times the size of `ink` in the pen that wrote `ink`: its strokes widened before it is shrunk,
    so they come out as wide as they were."""
    width = stroke_width(ink > 0.5)
    radius = int(round(width * (1 - factor) / (2 * factor)))
    if radius:
        ink = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1)))
    return scaled(ink, factor)


def small_in_photo(writer, rng) -> Page:
    """A phone's photo of a whole sheet, as messaging apps send it (1600x1200, either way up), with the number
    written small on it: digits 12 to 24 pixels tall, which the pipeline's working size shrinks to 8 to 15."""
    width, height = PHOTO_SIZE if rng.random() < 0.5 else PHOTO_SIZE[::-1]
    ink, text = writer.number(digit_height(rng, SMALL_IN_PHOTO_HEIGHT), rng)
    page = Page.blank(height, width)
    page.write(ink, int(rng.integers(0, width - ink.shape[1])), int(rng.integers(0, height - ink.shape[0])), text)
    return page


def turned_photo(writer, rng) -> Page:
    """A phone's photo taken with the phone turned, a quarter either way or a half, with no EXIF tag to say so: of a
    sheet with the number written small on it, or of a sheet on a desk."""
    page = (small_in_photo if rng.random() < 0.5 else sheet_on_desk)(writer, rng)
    return page.turned(int(rng.integers(1, 4)))


def currency_sign(writer, rng) -> Page:
    """An amount with its currency written by hand beside it, as on a cheque, a receipt or an invoice: a '$' before
    it, or a '€' before it or after it."""
    height = digit_height(rng)
    sign, which = distractors.currency_sign(int(height), rng)
    return mark_beside(framed(writer, height, rng), sign, rng, which == "€" and rng.random() < 0.3, (0.1, 0.5))


def printed_signs(writer, rng) -> Page:
    """A number with printed signs: its groups parted by one ('12/05/2024', '0471-223'), or one before or after it
    or both ('$ 120', 'Nr. 4415', '35 %'); a person reads the digits and no sign as one."""
    height = digit_height(rng)
    if rng.random() < 0.5:
        return parted_groups(writer, height, rng, (int(rng.integers(1, 5)) for _ in range(int(rng.integers(2, 4)))),
                             lambda gaps: [distractors.printed_sign(int(height), rng, between=True)] * gaps, 0.35)
    page = framed(writer, height, rng)
    after = rng.random() < 0.35
    page = mark_beside(page, distractors.printed_sign(int(height), rng, between=False), rng, after, (0.1, 0.6))
    if rng.random() < 0.2:
        page = mark_beside(page, distractors.printed_sign(int(height), rng, between=False), rng, not after, (0.1, 0.6))
    return page


def hand_signs(writer, rng) -> Page:
    """A number with signs written by hand: its groups parted by one kind ('12-05-24', '0471-223'), or one before
    or after it or both ('$120', '35%', '#4415'); a person reads the digits and no sign as one."""
    height = digit_height(rng)
    if rng.random() < 0.5:
        sign = str(rng.choice(distractors.HAND_SIGNS_BETWEEN))
        return parted_groups(writer, height, rng, (int(rng.integers(1, 5)) for _ in range(int(rng.integers(2, 4)))),
                             lambda gaps: [distractors.hand_sign(sign, int(height), rng) for _ in range(gaps)], 0.35)
    page = framed(writer, height, rng)
    after = rng.random() < 0.35
    for side in (after, not after)[:1 if rng.random() < 0.8 else 2]:
        sign = str(rng.choice(distractors.HAND_SIGNS_BESIDE))
        page = mark_beside(page, distractors.hand_sign(sign, int(height), rng), rng, side, (0.05, 0.5))
    return page


def printed_label(writer, rng) -> Page:
    """A form's field: a printed label before the handwritten number ('Date:', 'Ref.') or a unit after it ('EUR'),
    as dark as the writing."""
    height = digit_height(rng)
    label, after = distractors.printed_label(int(height), rng)
    return mark_beside(framed(writer, height, rng), label, rng, after, (0.3, 1.0))


def date_with_slashes(writer, rng) -> Page:
    """A date as forms ask for it, day, month and year (two digits or four) parted by slashes: a person reads its
    digits, and no slash as a '1'."""
    height = digit_height(rng)
    return parted_groups(writer, height, rng, (2, 2, 4 if rng.random() < 0.5 else 2),
                         lambda gaps: [distractors.slash(int(height), rng) for _ in range(gaps)], 0.3)


def parted_groups(writer: Writer, height: float, rng: np.random.Generator, digit_counts: Iterable[int],
                  separators: Callable[[int], list[np.ndarray]], widest_gap: float) -> Page:
    """A number written in groups of `digit_counts` digits, drawn one after another, with no separator of the
    writer's own, and a mark between each two (`separators` draws as many as there are gaps, after the groups), each
    mark up to `widest_gap` of the digits' height from its neighbours; its text is the digits alone."""
    plain = replace(writer, settings=replace(writer.settings, separator_probability=0.0))
    parts = [group_of(plain, height, rng, digits) for digits in digit_counts]
    marks = [parts[0][0]]
    for separator, (group, _) in zip(separators(len(parts) - 1), parts[1:]):
        marks += [separator, group]
    ink = side_by_side(marks, [int(height * rng.uniform(0.05, widest_gap)) for _ in marks[1:]])
    return on_page(ink, "".join(text for _, text in parts), height, rng)


def group_of(writer: Writer, height: float, rng: np.random.Generator, digits: int) -> tuple[np.ndarray, str]:
    """A number of exactly `digits` digits by `writer`, as a date's day, month or year."""
    while True:
        mask, text = writer.number(height, rng)
        if len(text) == digits:
            return mask, text


def side_by_side(marks: list[np.ndarray], gaps: list[int]) -> np.ndarray:
    """Marks left to right, `gaps` pixels apart, each centred on the tallest's middle."""
    row = Page.blank(max(mark.shape[0] for mark in marks), sum(mark.shape[1] for mark in marks) + sum(gaps))
    x = 0
    for mark, gap in zip(marks, gaps + [0]):
        row.paste(mark, x, (row.ink.shape[0] - mark.shape[0]) // 2)
        x += mark.shape[1] + gap
    return row.ink


def struck_out(writer, rng) -> Page:
    """A number crossed out with one stroke of the pen, through its middle or corner to corner, and written again
    after it, as a clerk corrects a field: a person reads only the second, for the first is void."""
    height = digit_height(rng)
    void, _ = writer.number(height, rng)
    page = framed(writer, height, rng)
    gap = int(height * rng.uniform(0.6, 1.2))
    page = page.widened(left=void.shape[1] + gap, top=max(0, void.shape[0] - page.ink.shape[0]))
    (x, y, _, number_height), _ = page.numbers[0]
    left = x - gap - void.shape[1]
    top = max(0, min(y + number_height - void.shape[0], page.ink.shape[0] - void.shape[0]))
    page.paste(void, left, top)
    overshoot, pen = height * rng.uniform(0.05, 0.3), max(1, int(height * rng.uniform(0.05, 0.1)))
    if rng.random() < 0.6:
        ends = [(left - overshoot, top + void.shape[0] * rng.uniform(0.35, 0.65)),
                (left + void.shape[1] + overshoot, top + void.shape[0] * rng.uniform(0.35, 0.65))]
    else:
        ends = [(left - overshoot, top + void.shape[0]), (left + void.shape[1] + overshoot, top)]
    cv2.line(page.ink, *[(int(ex), int(ey)) for ex, ey in ends], 1.0, pen, cv2.LINE_AA)
    return page


def show_through(writer, rng) -> Page:
    """A number on thin paper (a register's leaf, a receipt), the writing on its other side showing through: two to
    four numbers or words about as tall as the number, mirrored, spread as the paper spreads them, a fifth to under
    half as dark as the ink, anywhere across the page. A person reads the sharp, dark writing and looks past the
    rest."""
    height = digit_height(rng)
    page = framed(writer, height, rng, sides=(0.4, 1.5), ends=(0.5, 1.2))
    rows, columns = page.ink.shape
    back = Page.blank(rows, columns)
    for _ in range(int(rng.integers(2, 5))):
        size = height * rng.uniform(0.8, 1.25)
        mark = writer.number(size, rng)[0] if rng.random() < 0.6 else \
            distractors.cursive_fragment(int(size), rng).astype(np.float32)
        back.paste(mark, int(rng.uniform(-0.5, 0.9) * columns), int(rng.uniform(-0.4, 0.8) * rows))
    spread = cv2.GaussianBlur(np.fliplr(back.ink), (0, 0), max(0.5, height * rng.uniform(0.02, 0.08)))
    page.ink = np.maximum(page.ink, spread * rng.uniform(0.2, 0.45))
    return page


def coloured_ink(writer, rng) -> Page:
    """A number in a coloured pen on coloured paper, the ink about as light as the paper (a red pen on a green form,
    blue on orange): a person sees it by its colour, where its gray levels all but hide it. The ink's lightness is
    0.8-1.05 of the paper's, its colour at least 90 levels from the paper's."""
    page = framed(writer, digit_height(rng), rng)
    paper = rng.uniform(70, 250, 3).astype(np.float32)
    while True:
        ink = rng.uniform(0, 255, 3).astype(np.float32)
        ink *= luma(paper) * rng.uniform(0.8, 1.05) / max(1.0, luma(ink))
        if ink.max() <= 255 and np.linalg.norm(ink - paper) >= 90:
            break
    page.colours = (paper, ink)
    return page


MAKERS = {"clean": clean, "word_fragment": word_fragment, "cross_or_tick": cross_or_tick, "underline": underline,
          "ruled_lines": ruled_lines, "column_line": column_line, "cell_remnants": cell_remnants,
          "scan_margin": scan_margin,
          "stray_marks": stray_marks, "neighbour_rows": neighbour_rows, "blot": blot, "stamp": stamp,
          "light_on_dark": light_on_dark, "noise_region": noise_region, "digit_column": digit_column,
          "several_lines": several_lines, "register_crop": register_crop,
          **{kind: turned(quarters) for kind, quarters in TURNED_QUARTERS.items()}, "spaced_out": spaced_out,
          "separators": separators, "tight_crop": tight_crop, "run_together": run_together,
          "small_and_faint": small_and_faint, "printed_signs": printed_signs, "hand_signs": hand_signs,
          "ones_first": ones_first,
          "squared_paper": squared_paper, "off_the_canvas": off_the_canvas, "ledger_row": ledger_row,
          "sheet_on_desk": sheet_on_desk, "shadow_across": shadow_across, "tilted": tilted,
          "out_of_focus": out_of_focus, "corner_remnant": corner_remnant, "narrow_round": narrow_round,
          "small_in_photo": small_in_photo, "currency_sign": currency_sign,
          "printed_label": printed_label, "struck_out": struck_out, "turned_photo": turned_photo,
          "date_with_slashes": date_with_slashes, "show_through": show_through, "coloured_ink": coloured_ink,
          "small_tail": small_tail}


def make_scene(kind: str, writer: Writer, rng: np.random.Generator) -> Scene:
    page = MAKERS[kind](writer, rng)
    pixels = canvas_export(page, rng) if page.drawn else render_page(page, rng)
    return Scene(kind, pixels, tuple(page.in_order()))
