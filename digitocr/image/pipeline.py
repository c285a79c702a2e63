"""The image path composed: RGB pixels in, digit candidates and their 28x28 model inputs out.

binarize (grayscale, working size, blur) -> the sheet on a desk (`sheet`)
-> binarize (polarity, background, threshold) -> clean-up -> straighten ->
segment -> normalise each piece. Each stage's time is kept, and its image
with a caption when asked, for the debug view. No model here: `Reader`
classifies what this returns, so many images can share one batched model
call.
"""

import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from ..results import Box, Stage
from ..settings import ReaderSettings
from . import binarize, cleanup, sheet, straighten
from .components import Candidate, candidate_mask
from .drawing import COLUMN_LINE, DROPPED, KEPT, draw_boxes
from .normalize import FIELD_SIZE, to_model_input
from .segment import Segmentation, segment
from .straighten import Straightening


@dataclass
class Analysis:
    """Every piece the classifier should see, and for each blob the ways its pieces may be read."""

    pieces: list[Candidate]  # every piece of every option, blob by blob in reading order
    model_inputs: np.ndarray  # (N, 28, 28) float32, one per piece
    options: list[list[list[int]]]  # per blob, per way of cutting it: indices into `pieces`
    segmentation: Segmentation
    to_original: float  # multiply working-size pixels by this for original pixels
    working: np.ndarray  # the upright ink at working size, dark on light, for drawings
    straightening: Straightening  # how the ink was levelled and stood upright, to map boxes back
    image_size: tuple[int, int]  # (width, height) of the original image
    single_digit: bool  # an image this small holds one digit: see `holds_one_digit`
    tone: np.ndarray | None  # the ink's tone at working size, straightened as the ink was (none for one-digit scans)
    dark_ink: bool  # the ink was taken as darker than its paper
    colour_axis: np.ndarray | None  # the RGB axis the image was read along (`binarize.colour_axis`); None: luminance
    column_lines: np.ndarray  # (N, 4) float: a form's column lines (`cleanup.column_lines`), which part one field
    # from the next, as (x1, y1, x2, y2) in the original's pixels, top end first
    notes: list[str] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, for benchmarks

    def whole_pieces(self) -> list[int]:
        """The index of each blob's piece uncut, its first way of being read (as one digit), blob by blob."""
        return [options[0][0] for options in self.options if options and len(options[0]) == 1]

    def box_in_original(self, x: int, y: int, width: int, height: int) -> Box:
        """A box on the upright working-size ink, in the original image's pixels."""
        return original_box(self.straightening.box_before(x, y, width, height), self.to_original, self.image_size)


def original_box(box: tuple[int, int, int, int], to_original: float, image_size: tuple[int, int]) -> Box:
    """A working-size (x, y, width, height) in the original image's pixels, clipped to the image."""
    x, y, box_width, box_height = box
    width, height = image_size
    left = min(width - 1, max(0, int(x * to_original)))
    top = min(height - 1, max(0, int(y * to_original)))
    right = min(width, max(left + 1, int(np.ceil((x + box_width) * to_original))))
    bottom = min(height, max(top + 1, int(np.ceil((y + box_height) * to_original))))
    return Box(left, top, right - left, bottom - top)


def _box_at_working_size(candidate: Candidate) -> Box:
    return Box(candidate.x, candidate.y, candidate.width, candidate.height)


def candidates_picture(working: np.ndarray, kept: list[Candidate], dropped: list[Candidate]) -> np.ndarray:
    """The kept candidates boxed green and numbered in reading order, the dropped ones red."""
    return draw_boxes(working, [_box_at_working_size(c) for c in kept + dropped],
                      [str(i + 1) for i in range(len(kept))] + ["x"] * len(dropped),
                      [KEPT] * len(kept) + [DROPPED] * len(dropped))


def candidates_caption(kept: list[Candidate], dropped: list[Candidate]) -> str:
    """How many were kept, and how many were dropped for each reason."""
    reasons = {}
    for candidate in dropped:
        reasons[candidate.dropped] = reasons.get(candidate.dropped, 0) + 1
    why = "; ".join(f"{count} dropped as {reason}" for reason, count in reasons.items()) or "none dropped"
    return f"{len(kept)} kept (green, numbered in reading order); {why} (red)."


def candidates_stage(working: np.ndarray, kept: list[Candidate], dropped: list[Candidate], name: str) -> Stage:
    return Stage(name, candidates_picture(working, kept, dropped), candidates_caption(kept, dropped))


def holds_one_digit(image_size: tuple[int, int], settings: ReaderSettings) -> bool:
    """An image this small and no wider than tall is a scan of one digit, as Semeion's are: no line to read, no blob
    to cut. A digit is narrower than it is tall, so a small image wider than tall is a tight crop of digits side by
    side, read as a line."""
    width, height = image_size
    return max(width, height) <= settings.single_digit_side and width <= height


def model_inputs(labels: np.ndarray, pieces: list[Candidate]) -> np.ndarray:
    """(N, 28, 28) float32, one per piece; a piece offered by two ways of cutting, or ink of the same shape as one
    before it (specks, slivers of a rule), is normalised once: nearly half a table cell's pieces were such repeats."""
    by_ink: dict[tuple, np.ndarray] = {}
    inputs = []
    for piece in pieces:
        mask = candidate_mask(labels, piece)
        ink = (mask.shape, mask.tobytes())
        if ink not in by_ink:
            by_ink[ink] = to_model_input(mask)
        inputs.append(by_ink[ink])
    return np.stack(inputs) if inputs else np.zeros((0, FIELD_SIZE, FIELD_SIZE), np.float32)


class StageRecorder:
    """Each stage's time, and its picture with a caption when stages are kept for the debug view."""

    def __init__(self, keep_stages: bool):
        self.keep_stages = keep_stages
        self.stages: list[Stage] = []
        self.timings: dict[str, float] = {}  # seconds per stage, for benchmarks
        self.clock = time.perf_counter()

    def keep(self, name: str, image, caption) -> None:
        """`image` and `caption` may be functions, called only when stages are kept, where drawing costs more."""
        self.timings[name] = time.perf_counter() - self.clock
        if self.keep_stages:
            self.stages.append(Stage(name, image() if callable(image) else image,
                                     caption() if callable(caption) else caption))
        self.clock = time.perf_counter()

    def time(self, name: str) -> None:
        """A stage's time alone, for a stage with no picture of its own."""
        self.timings[name] = time.perf_counter() - self.clock
        self.clock = time.perf_counter()


def binary_ink(pixels: np.ndarray, settings: ReaderSettings, recorder: StageRecorder,
               drawn_ink: str | None) -> tuple[binarize.Threshold, np.ndarray, float, bool, np.ndarray | None]:
    """The ink at working size cut from its paper (`Threshold`, its binary image 255 where ink), its tone (brighter
    where darker on the page), the factor it was scaled by, whether the ink was taken as darker than its paper, and
    the colour axis the image was read along (None for luminance). A drawing (`drawn_ink`, see
    `LoadedImage.drawn_ink`) has no desk around it and no background, and its ink's tone is known."""
    axis = binarize.colour_axis(pixels)
    gray = binarize.gray_along(pixels, axis)
    recorder.keep("grayscale", gray, f"Luminance of the {pixels.shape[1]}x{pixels.shape[0]} image." if axis is None else
                  f"The {pixels.shape[1]}x{pixels.shape[0]} image along its colours' main axis ("
                  + ", ".join(f"{weight:+.2f} {channel}" for weight, channel in zip(axis, "RGB")) +
                  "), paper light: its ink differs from its paper in colour far more than in lightness.")
    factor = binarize.working_scale(gray.shape, settings.working_side, settings.min_short_side)
    working = binarize.resize(gray, factor)
    recorder.keep("working size", working, f"Scaled by {factor:.3g} to {working.shape[1]}x{working.shape[0]} " + (
        f"(longer side at most {settings.working_side}, shorter side at least {settings.min_short_side})."
        if max(working.shape) <= settings.working_side else
        f"(a long strip: its shorter side at least {settings.min_short_side}, as legible, where the whole stays "
        f"within {settings.working_side}x{settings.working_side} pixels)."))
    blurred = binarize.blur(working)
    recorder.keep("blur", blurred, "Gaussian blur against paper grain and JPEG noise.")
    blurred, dark_ink, told = polarity(blurred, settings, drawn_ink, recorder)
    bright = binarize.ink_bright(blurred, dark_ink)
    kept = "Dark ink on a light page: inverted" if dark_ink else "Light ink on a dark field: kept"
    recorder.keep("polarity", bright, f"{kept} so ink is bright, as the model expects ({told}).")
    flattened, unevenness = without_background(bright, drawn_ink is not None, recorder)
    thresholded = binarize.threshold(flattened, settings.threshold_method, unevenness)
    recorder.keep("threshold", thresholded.binary,
                  f"{thresholded.method.capitalize()} threshold, cut-off {thresholded.level:.0f}"
                  f" of 255 ({'chosen automatically' if settings.threshold_method == 'auto' else 'as set'})"
                  + (f"; {thresholded.marks_cut_lower} fainter mark(s) that reach it cut at half their own peak, "
                     "so a thin pen's strokes stay whole." if thresholded.marks_cut_lower else "."))
    return thresholded, flattened, factor, dark_ink, axis


def polarity(blurred: np.ndarray, settings: ReaderSettings, drawn_ink: str | None,
             recorder: StageRecorder) -> tuple[np.ndarray, bool, str]:
    """The page with any desk around the sheet painted over, whether its ink is darker than its paper, and how that
    was known. A drawing lies on no desk, and its tone is not guessed: its strokes were laid on a field of the other
    tone where it was see-through (`LoadedImage.drawn_ink`)."""
    if drawn_ink is not None:
        recorder.keep("sheet", blurred, "No desk: a drawing lies on none.")
        if settings.ink != "auto":
            return blurred, settings.ink == "dark", "as set"
        field = "white" if drawn_ink == "dark" else "black"
        return blurred, drawn_ink == "dark", f"a drawing's strokes, laid on {field} where it was see-through"
    small = binarize.small_copy(blurred)
    on_desk = sheet.find_sheet(small)
    if on_desk is not None:
        blurred = sheet.desk_painted(blurred, small, on_desk)
        small = binarize.small_copy(blurred)
    recorder.keep("sheet", blurred, "No desk shows around the sheet." if on_desk is None else
                  "A desk shows around the sheet: painted the tone of the paper beside it, so the sheet alone is read.")
    if settings.ink == "auto":
        return blurred, binarize.ink_is_dark(blurred, small), "told from the image"
    return blurred, settings.ink == "dark", "as set"


def without_background(bright: np.ndarray, drawn: bool, recorder: StageRecorder) -> tuple[np.ndarray, int]:
    """The ink with its local background taken off (shadows, uneven light), and that background's range across the
    page. A drawing's field is one colour, with nothing to take off: on every dev canvas the background's estimate
    was zero throughout, and finding it took 0.64 ms of the bench's canvas."""
    if drawn:
        recorder.keep("background removed", bright, "None to take off: a drawing's field is one colour, with no "
                                                    "shadow or uneven light.")
        return bright, 0
    background = binarize.flatten_background(bright)
    recorder.keep("background removed", background.flattened, "Local background subtracted (shadows, uneven light); "
                  f"its range across the page was {background.unevenness}.")
    return background.flattened, background.unevenness


def cleaned_ink(thresholded: binarize.Threshold, tone: np.ndarray, settings: ReaderSettings, single_digit: bool,
                drawn: bool, recorder: StageRecorder) -> cleanup.Cleaned:
    """Clean-up, which leaves a one-digit crop's long strokes (they run edge to edge) and a drawing's (a drawing has
    no rules or borders) and removes only their specks."""
    remove_lines = settings.remove_lines and not single_digit and not drawn
    cleaned = cleanup.clean_up(thresholded.binary, remove_lines, settings.min_ink_pixels, tone,
                               thresholded.faint_level)
    recorder.keep("clean-up", lambda: cleanup_picture(cleaned),
                  lambda: ("Drawn boxes, ruled lines, borders, frame edges and specks" if remove_lines else
                           "Specks only (a drawing on a transparent field has no rules or borders under it)" if drawn
                           else "Specks only (a one-digit crop, whose strokes may touch its edges, keeps its long "
                           "strokes)") + f" removed (red: {float((cleaned.removed > 0).mean()):.1%} of the image)."
                  + (f" {len(cleaned.column_lines)} column line(s) found (blue), however faint: digits on either side "
                     "of one are weighed as apart." if len(cleaned.column_lines) else ""))
    return cleaned


def cleanup_picture(cleaned: cleanup.Cleaned) -> np.ndarray:
    """The ink kept in white, what was removed in red and the column lines found in blue."""
    picture = np.dstack([cleaned.removed, cleaned.binary, cleaned.binary])
    for x1, y1, x2, y2 in cleaned.column_lines.tolist():
        cv2.line(picture, (x1, y1), (x2, y2), COLUMN_LINE, 1)
    return picture


def straightened(cleaned: cleanup.Cleaned, settings: ReaderSettings, single_digit: bool,
                recorder: StageRecorder) -> tuple[np.ndarray, Straightening]:
    """The ink with a tilted line levelled (never a one-digit crop's) and slanted strokes stood upright."""
    binary, tilt, shear = cleaned.binary, 0.0, 0.0
    if settings.deslant:
        small = straighten.small_ink(binary)
        tilt = 0.0 if single_digit else straighten.estimate_tilt(small, cleaned.components.stats[1:, :4])
        if tilt:
            small = straighten.small_ink(straighten.straighten(binary, tilt, 0.0)[0])
        shear = straighten.estimate_slant(small)
    upright, straightening = straighten.straighten(binary, tilt, shear)
    recorder.keep("deslant", upright, (f"Line turned {tilt:+.0f} degrees to lie level. "
                                       if tilt else "") + (f"Sheared by {shear:+.1f} so slanted strokes stand upright."
                                                           if shear else "Strokes already upright: no shear."))
    return upright, straightening


def segmented(upright: np.ndarray, cleaned: cleanup.Cleaned, settings: ReaderSettings,
              single_digit: bool, recorder: StageRecorder) -> Segmentation:
    """Segmentation, reusing clean-up's components where straightening left the ink as it was."""
    segmentation = segment(upright, settings, single_digit, cleaned.components if upright is cleaned.binary else None)
    recorder.keep("segmentation",
                  lambda: candidates_picture(cv2.bitwise_not(upright), segmentation.digits, segmentation.dropped),
                  lambda: candidates_caption(segmentation.digits, segmentation.dropped) +
                  f" Typical digit height {segmentation.digit_height:.0f} px.")
    return segmentation


def analyse(pixels: np.ndarray, image_size: tuple[int, int], loaded_scale: float, settings: ReaderSettings,
            keep_stages: bool = False, drawn_ink: str | None = None) -> Analysis:
    """Find the digits in RGB `pixels`; boxes come back in the coordinates of the `image_size` original.

    A drawing (`drawn_ink`, see `LoadedImage.drawn_ink`) has no rules or borders, so none of its long strokes is
    taken for one, and its ink's tone is known.
    """
    recorder = StageRecorder(keep_stages)
    drawn = drawn_ink is not None
    thresholded, tone, factor, dark_ink, axis = binary_ink(pixels, settings, recorder, drawn_ink)
    single_digit = settings.one_digit or holds_one_digit(image_size, settings)
    cleaned = cleaned_ink(thresholded, tone, settings, single_digit, drawn, recorder)
    upright, straightening = straightened(cleaned, settings, single_digit, recorder)
    segmentation = segmented(upright, cleaned, settings, single_digit, recorder)
    pieces, options = pieces_and_options(segmentation)
    inputs = model_inputs(segmentation.labels, pieces)
    recorder.time("normalisation")
    notes = [f"More than {settings.max_components} marks were found; only the largest {settings.max_components} "
             "were examined."] if segmentation.capped else []
    upright_tone = None if single_digit else straighten.warped_like(tone, straightening, upright.shape)
    recorder.time("gray levels straightened")
    to_original = 1.0 / (factor * loaded_scale)
    return Analysis(pieces, inputs, options, segmentation, to_original, cv2.bitwise_not(upright),
                    straightening, image_size, single_digit, upright_tone, dark_ink, axis,
                    cleaned.column_lines * to_original, notes, recorder.stages, recorder.timings)


def pieces_and_options(segmentation: Segmentation) -> tuple[list[Candidate], list[list[list[int]]]]:
    """Every piece of every way of cutting each blob, in one list, and per blob each way as indices into it."""
    pieces: list[Candidate] = []
    options: list[list[list[int]]] = []
    for unit in segmentation.units:
        options.append([])
        for option in unit.options:
            options[-1].append(list(range(len(pieces), len(pieces) + len(option))))
            pieces += option
    return pieces, options


def single_digit_mask(pixels: np.ndarray, settings: ReaderSettings) -> np.ndarray | None:
    """The ink of an image known to hold one digit, at working size: every mark the pipeline kept, as one mask
    (uint8, 1 on ink); None where it kept none."""
    analysis = analyse(pixels, (pixels.shape[1], pixels.shape[0]), 1.0, settings)
    units = analysis.segmentation.units
    if not units:
        return None
    ink = np.isin(analysis.segmentation.labels, [label for unit in units for label in unit.whole.labels])
    return ink.astype(np.uint8)


def single_digit_input(pixels: np.ndarray, settings: ReaderSettings) -> np.ndarray | None:
    """The 28x28 model input of an image known to hold one digit, exactly as the reader would see it: used to learn
    from a user's own digit crops and from scanned training digits."""
    mask = single_digit_mask(pixels, settings)
    return None if mask is None else to_model_input(mask)
