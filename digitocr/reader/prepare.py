"""An image's work before the networks: decoded, run through the image path, and cut into what each network takes.

Kept apart from the networks' calls so that many images can share one batched
call (`Reader.read_many`), and so worker processes can do it in parallel.
"""

from dataclasses import dataclass

import cv2
import numpy as np

from ..errors import DigitOcrError
from ..image.binarize import gray_along, ink_bright
from ..image.components import candidate_mask
from ..image.lines import LineImage, recognizer_lines
from ..image.loading import ImageSource, LoadedImage, load_image
from ..image.normalize import gray_model_input, gray_piece_input
from ..image.pipeline import Analysis, analyse
from ..settings import ReaderSettings

DRAFT_SHARE = 0.9  # a big JPEG may be decoded down to this share of the working size, then enlarged a little
TINY_SCAN_SHIFTS = ((1, 0), (-1, 0), (0, 1), (0, -1))  # (rows, columns) a tiny scan's piece is also classified at
SECOND_LOOK_BELOW = 0.9  # a piece its cut ink reads less sure than this is read by its gray levels too


def load_for_reading(source: ImageSource, settings: ReaderSettings) -> LoadedImage:
    return load_image(source, settings.max_pixels, settings.max_file_bytes,
                      draft_side=int(settings.working_side * DRAFT_SHARE),
                      draft_short_side=int(settings.min_short_side * DRAFT_SHARE))


@dataclass(frozen=True)
class Prepared:
    """An image's work before the models: its pixels, the pipeline's analysis and its lines as the recognizer
    takes them."""

    loaded: LoadedImage
    analysis: Analysis
    lines: list[LineImage]
    gray_input: np.ndarray | None = None  # a scan of one digit's gray levels as the classifier takes them

    @property
    def tiny_scan(self) -> bool:
        """A scan of one digit, too small for lines: see `classifier_rows`."""
        return self.analysis.single_digit


def prepare(source: ImageSource, settings: ReaderSettings, keep_stages: bool = False) -> Prepared:
    return prepare_loaded(load_for_reading(source, settings), settings, keep_stages)


def prepare_loaded(loaded: LoadedImage, settings: ReaderSettings, keep_stages: bool = False) -> Prepared:
    analysis = analyse(loaded.pixels, loaded.original_size, loaded.scale, settings, keep_stages, loaded.drawn_ink)
    read_lines = settings.read_lines and not analysis.single_digit
    return Prepared(loaded, analysis, recognizer_lines(analysis) if read_lines else [],
                    gray_input(loaded, analysis))


def gray_input(loaded: LoadedImage, analysis: Analysis) -> np.ndarray | None:
    """A scan of one digit, found as one piece, as the classifier's input from its gray levels (see
    `classifier_rows`); None for anything else: a drawing's strokes have no gray levels to add, and where a scan
    holds several marks its gray levels are not one digit's."""
    if not analysis.single_digit or loaded.drawn or len(analysis.model_inputs) != 1:
        return None
    return gray_model_input(ink_bright(gray_along(loaded.pixels, analysis.colour_axis), analysis.dark_ink))


def prepare_or_error(source: ImageSource | DigitOcrError, settings: ReaderSettings) -> Prepared | DigitOcrError:
    """`prepare`, with the error returned, not raised, so one unreadable image does not stop a batch; a source
    already known unreadable (a file object read before its bytes were sent to a worker, `sendable`) is its error."""
    if isinstance(source, DigitOcrError):
        return source
    try:
        return prepare(source, settings)
    except DigitOcrError as error:
        return error


def upright_ink(analysis: Analysis) -> np.ndarray:
    return cv2.bitwise_not(analysis.working)


def classifier_rows(prepared: Prepared) -> np.ndarray:
    """What the classifier is given for an image: its pieces, and for a tiny scan its piece shifted a pixel each way
    too, and its gray levels. Sixteen pixels of a Semeion scan leave the centre of mass uncertain by a pixel; the mean
    answer over the shifts reads 96.6% of the dev scans, against 95.9% for the piece alone (and on larger drawings it
    does not help)."""
    inputs = prepared.analysis.model_inputs
    if not prepared.tiny_scan or not len(inputs):
        return inputs
    gray = [] if prepared.gray_input is None else [prepared.gray_input[None]]
    return np.concatenate([inputs] + [np.roll(inputs, shift, axis=(1, 2)) for shift in TINY_SCAN_SHIFTS] + gray)


def piece_probabilities(prepared: Prepared, rows: np.ndarray) -> np.ndarray:
    """The classifier's answers for `classifier_rows` back to one row per piece. A tiny scan read two ways, by its
    ink cut from the paper and by its gray levels, counts each way alike: the cut holds the shape where the paper is
    uneven, the gray levels what the cut filled in (held-out MNIST digits as blurred 16x16 scans: 96.9% read by the
    cut alone, 98.45% both ways)."""
    if not prepared.tiny_scan or not len(rows):
        return rows
    views = 1 + len(TINY_SCAN_SHIFTS)
    cut = rows[:views * len(prepared.analysis.model_inputs)].reshape(views, -1, rows.shape[-1]).mean(axis=0)
    return cut if prepared.gray_input is None else (cut + rows[-1:]) / 2


def doubtful_pieces(prepared: Prepared, probabilities: np.ndarray) -> np.ndarray:
    """The whole blobs of a page whose cut ink the classifier reads less sure than SECOND_LOOK_BELOW, for a second
    look by their gray levels (`gray_rows`). A blob read surely needs none, and a tiny scan has had its own. Nor do the
    pieces of the ways of cutting a blob get one: they are many guesses, most of them wrong and doubtful for that, and
    looking again at every doubtful piece cost a cell 16% more time for 5 more stress scenes of 5,600 and 2 more dev
    images than whole blobs alone."""
    if prepared.analysis.tone is None or not len(probabilities):
        return np.zeros(0, np.int64)
    return np.array([piece for piece in prepared.analysis.whole_pieces()
                     if probabilities[piece].max() < SECOND_LOOK_BELOW], np.int64)


def gray_rows(prepared: Prepared, pieces: np.ndarray) -> np.ndarray:
    """The given pieces by their gray levels (`gray_piece_input`): the ink's tone, straightened as the ink was, within
    a pixel of each piece's own ink. The classifier learned MNIST's gray digits, and what a cut fills in or breaks
    (a loop half closed, a stroke too faint to keep whole) its gray levels keep."""
    analysis = prepared.analysis
    labels = analysis.segmentation.labels
    return np.stack([gray_piece_input(analysis.tone[piece.y:piece.bottom, piece.x:piece.right],
                                      candidate_mask(labels, piece))
                     for piece in (analysis.pieces[index] for index in pieces)])
