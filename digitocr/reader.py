"""`Reader`: the model loaded once, and `read(image)` from any accepted input to a `Reading`."""

import functools
import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from .drawing import draw_reading, line_sheet, mosaic
from .errors import DigitOcrError
from .line_model import LineRecognizer
from .line_reading import LineVerdict, character_boxes, judge_line
from .lines import LineImage, greedy_decode, line_images
from .loading import ImageSource, LoadedImage, load_image
from .model import DigitClassifier
from .normalize import to_model_input
from .onnx_net import ALL_CORES
from .orderstats import median
from .pipeline import Analysis, analyse, candidates_stage
from .results import Box, Digit, Line, Reading, Stage
from .segment import LONE_BAR_SIDE, LONE_BAR_WIDTH
from .separators import Mark, line_separators, separators_read_as_digits
from .settings import ReaderSettings

NOT_A_DIGIT = "not a digit: the model's answer was flat"
DRAFT_SHARE = 0.9  # a big JPEG may be decoded down to this share of the working size, then enlarged a little
CUT_COST = 0.25  # log-confidence a reading gives up for each extra cut through a blob
WIDEST_DIGIT = 1.7  # width over height beyond which a piece is not one digit...
WIDE_PIECE_COST = 1.5  # ...and costs its reading this much log-confidence
STRAY_BAR_HEIGHT = 0.7  # a line of lone '1's shorter than this share of the tallest line's digits is a remnant
EDGE_TOUCH = 0.03  # a box this near (of the image's height) its top or bottom touches it
TINY_SCAN_SHIFTS = ((1, 0), (-1, 0), (0, 1), (0, -1))  # (rows, columns) a tiny scan's piece is also classified at
TINY_SCAN_DIGIT_HEIGHT = 0.5  # a tiny scan's mark this tall (of the scan) is its digit, kept however flat its answer
LEAD_IN_HEIGHT = 0.75  # a '1' at most this tall (of the '1' after it)...
LEAD_IN_LOW = 0.2  # ...starting at least this far (of that height) below the next one's top...
LEAD_IN_BELOW = 0.3  # ...ending no further than this below its foot...
LEAD_IN_WIDTH = 0.35  # ...at least this wide (of its own height), a slanted stroke, not an upright small '1'...
LEAD_IN_GAP = 0.2  # ...and reaching to within this (of the next one's height) of it is that '1's lead-in stroke
NOISE_DIGITS = 30  # a reading of at least this many digits...
NOISE_DOUBTFUL_SHARE = 0.7  # ...this share of them doubtful is noise (random pixels 78-91%, dev numbers 7% on average)
WORKER_SHARES = 4  # read_many gives each worker at least this many shares of the images, so all finish together


def load_for_reading(source: ImageSource, settings: ReaderSettings) -> LoadedImage:
    return load_image(source, settings.max_pixels, settings.max_file_bytes,
                      draft_side=int(settings.working_side * DRAFT_SHARE))


@dataclass(frozen=True)
class Prepared:
    """An image's work before the models: its pixels, the pipeline's analysis and its lines as the recognizer takes them."""

    loaded: LoadedImage
    analysis: Analysis
    lines: list[LineImage]

    @property
    def tiny_scan(self) -> bool:
        """A scan of one digit, too small for lines: see `classifier_rows`."""
        return self.analysis.single_digit


def prepare(source: ImageSource, settings: ReaderSettings, keep_stages: bool = False) -> Prepared:
    loaded = load_for_reading(source, settings)
    analysis = analyse(loaded.pixels, loaded.original_size, loaded.scale, settings, keep_stages, loaded.drawn)
    read_lines = settings.read_lines and not analysis.single_digit
    return Prepared(loaded, analysis, line_images(upright_ink(analysis), analysis.segmentation) if read_lines else [])


def classifier_rows(prepared: Prepared) -> np.ndarray:
    """What the classifier is given for an image: its pieces, and for a tiny scan its piece shifted a pixel each way
    too. Sixteen pixels of a Semeion scan leave the centre of mass uncertain by a pixel; the mean answer over the
    shifts reads 96.6% of the dev scans, against 95.9% for the piece alone (and on larger drawings it does not help)."""
    inputs = prepared.analysis.model_inputs
    if not prepared.tiny_scan or not len(inputs):
        return inputs
    return np.concatenate([inputs] + [np.roll(inputs, shift, axis=(1, 2)) for shift in TINY_SCAN_SHIFTS])


def piece_probabilities(prepared: Prepared, rows: np.ndarray) -> np.ndarray:
    """The classifier's answers for `classifier_rows` back to one row per piece."""
    if not prepared.tiny_scan or not len(rows):
        return rows
    return rows.reshape(1 + len(TINY_SCAN_SHIFTS), -1, rows.shape[-1]).mean(axis=0)


def prepare_or_error(source: ImageSource, settings: ReaderSettings) -> Prepared | DigitOcrError:
    """`prepare`, with the error returned, not raised, so one unreadable image does not stop a batch."""
    try:
        return prepare(source, settings)
    except DigitOcrError as error:
        return error


def upright_ink(analysis: Analysis) -> np.ndarray:
    return cv2.bitwise_not(analysis.working)


@dataclass(frozen=True)
class Outcome:
    """One input of a batch: its reading, or the error that stopped it."""

    source: object
    reading: Reading | None = None
    error: DigitOcrError | None = None


class Reader:
    """Reads handwritten numbers. Thread-safe: it holds no per-call state, and inference sessions are re-entrant."""

    def __init__(self, model_path: str | Path | None = None, settings: ReaderSettings = ReaderSettings(),
                 classifier: DigitClassifier | None = None, line_recognizer: LineRecognizer | None = None,
                 line_model_path: str | Path | None = None, inference_threads: int = ALL_CORES):
        """`inference_threads` is how many threads each model call runs on: one per core (0) answers one image
        soonest, and one is best where worker processes already fill the cores (see `read_many`)."""
        self.classifier = classifier or DigitClassifier.load(model_path, inference_threads)
        self.line_recognizer = line_recognizer or LineRecognizer.load(line_model_path, inference_threads)
        self.settings = settings

    def load(self, source: ImageSource, settings: ReaderSettings | None = None) -> LoadedImage:
        return load_for_reading(source, settings or self.settings)

    def read(self, source: ImageSource, settings: ReaderSettings | None = None, stages: bool = False) -> Reading:
        """Read the number in one image; `stages=True` keeps every pipeline stage's image for the debug view."""
        settings = settings or self.settings
        prepared = prepare(source, settings, stages)
        frames = self.line_recognizer.frames([line.image for line in prepared.lines])
        probabilities = piece_probabilities(prepared, self.classifier.predict(classifier_rows(prepared)))
        return self._finish(prepared, probabilities, frames, settings, stages)

    def read_many(self, sources: Iterable[ImageSource], settings: ReaderSettings | None = None,
                  batch_size: int = 64, workers: int = 1) -> Iterator[Outcome]:
        """Read many images in order, classifying the digits of up to `batch_size` images in one model call.

        With `workers` > 1, that many processes each read their share of the
        images whole, with their own copy of the models, so a folder uses every
        core (a reader whose classifier was handed over in memory, not loaded
        from a file, reads in this process alone).
        """
        settings = settings or self.settings
        sources = list(sources)
        if workers > 1 and len(sources) > 1 and self.classifier.path is not None:
            share = min(batch_size, max(1, len(sources) // (WORKER_SHARES * workers)))
            chunks = [sources[start:start + share] for start in range(0, len(sources), share)]
            read_chunk = functools.partial(read_in_worker, model_path=self.classifier.path,
                                           line_model_path=self.line_recognizer.path, settings=settings)
            context = multiprocessing.get_context(worker_start_method())
            with ProcessPoolExecutor(min(workers, len(chunks)), mp_context=context) as pool:
                for chunk, outcomes in zip(chunks, pool.map(read_chunk, chunks)):
                    yield from (replace(outcome, source=source) for source, outcome in zip(chunk, outcomes))
        else:
            prepared = map(functools.partial(prepare_or_error, settings=settings), sources)
            yield from self._classify_in_batches(sources, prepared, settings, batch_size)

    def _classify_in_batches(self, sources, prepared, settings, batch_size) -> Iterator[Outcome]:
        pending: list[tuple[object, Prepared]] = []
        for source, result in zip(sources, prepared):
            if isinstance(result, DigitOcrError):
                yield from self._classify_pending(pending, settings)
                pending = []
                yield Outcome(source, error=result)
                continue
            pending.append((source, result))
            if len(pending) >= batch_size:
                yield from self._classify_pending(pending, settings)
                pending = []
        yield from self._classify_pending(pending, settings)

    def _classify_pending(self, pending: list[tuple[object, Prepared]], settings) -> Iterator[Outcome]:
        if not pending:
            return
        rows = [classifier_rows(prepared) for _, prepared in pending]
        probabilities = self.classifier.predict(np.concatenate(rows))
        frames = self.line_recognizer.frames([line.image for _, p in pending for line in p.lines])
        digit_start = line_start = 0
        for (source, prepared), own_rows in zip(pending, rows):
            digit_end = digit_start + len(own_rows)
            line_end = line_start + len(prepared.lines)
            yield Outcome(source, self._finish(prepared, piece_probabilities(prepared,
                                                                             probabilities[digit_start:digit_end]),
                                               frames[line_start:line_end], settings, False))
            digit_start, line_start = digit_end, line_end

    def _finish(self, prepared: Prepared, probabilities: np.ndarray, frames: list[np.ndarray],
                settings: ReaderSettings, keep_stages: bool) -> Reading:
        analysis, loaded = prepared.analysis, prepared.loaded
        confidences = probabilities.max(axis=1) if len(probabilities) else np.zeros(0)
        aspects = np.array([piece.width / max(1, piece.height) for piece in analysis.pieces])
        kept_lines: dict[int, list[Digit]] = {}
        rejected, choices = [], []
        scan_digit_height = TINY_SCAN_DIGIT_HEIGHT * analysis.working.shape[0]
        for options in analysis.options:
            choice = choose_option(options, confidences, aspects)
            choices.append((options, choice))
            for index in options[choice]:
                candidate, row = analysis.pieces[index], probabilities[index]
                label, confidence = int(np.argmax(row)), float(confidences[index])
                one_scanned_digit = prepared.tiny_scan and candidate.height >= scan_digit_height
                if confidence < settings.reject_below and not one_scanned_digit:
                    candidate.dropped = NOT_A_DIGIT
                    rejected.append(candidate)
                    continue
                box = analysis.box_in_original(candidate.x, candidate.y, candidate.width, candidate.height)
                kept_lines.setdefault(candidate.line, []).append(
                    Digit(label, confidence, tuple(float(p) for p in row), box, 0,
                          confidence < settings.doubtful_below, analysis.model_inputs[index]))
        verdicts = []
        read_by = {}
        marks = dropped_marks(analysis)
        set_aside: list[str] = []
        for line, line_frames in zip(prepared.lines, frames):
            contour = kept_lines.get(line.line, [])
            verdict = judge_line(line.line, "".join(str(d.label) for d in contour), [d.confidence for d in contour],
                                 line_frames, greedy_decode(line_frames),
                                 sum(piece.line == line.line for piece in rejected))
            verdicts.append(verdict)
            if verdict.use_recognizer:
                recognized = recognized_digits(verdict, line, analysis, settings)
                separators = separators_read_as_digits(recognized, marks)
                kept_lines[line.line] = [d for i, d in enumerate(recognized) if i not in separators]
                set_aside += [f"line {line.line + 1}'s '{recognized[i].label}' lies on a point or comma segmentation "
                              "set aside: it is that mark, not a digit" for i in separators]
                read_by[line.line] = LINE_RECOGNIZER
        lead_ins_left_out = 0
        for key, digits in kept_lines.items():
            lead_ins = lead_in_strokes(digits)
            kept_lines[key] = [d for i, d in enumerate(digits) if i not in lead_ins]
            lead_ins_left_out += len(lead_ins)
        strays = 0
        for find_remnants in (stray_bar_lines, functools.partial(side_remnant_lines, image_size=loaded.original_size)):
            for key in find_remnants(kept_lines):
                del kept_lines[key]
                strays += 1
        notes = list(analysis.notes)
        noise = noise_note(kept_lines)
        if noise:
            notes.append(noise)
            kept_lines = {}
        lines = tuple(Line(tuple(replace(digit, line=number) for digit in kept_lines[key]),
                           read_by.get(key, CONTOUR_READER), line_separators(kept_lines[key], marks))
                      for number, key in enumerate(sorted(kept_lines)))
        if not lines:
            notes.append("No digits were found in this image.")
        stages = (self._final_stages(prepared, choices, confidences, rejected, lines, settings,
                                     [v.explanation for v in verdicts] + set_aside, strays, lead_ins_left_out)
                  if keep_stages else ())
        return Reading(lines, loaded.original_size, tuple(notes), stages)

    @staticmethod
    def _final_stages(prepared, choices, confidences, rejected, lines, settings, explanations,
                      strays, lead_ins) -> tuple[Stage, ...]:
        analysis, loaded, line_inputs = prepared.analysis, prepared.loaded, prepared.lines
        chosen = [analysis.pieces[i] for options, choice in choices for i in options[choice]]
        kept = [c for c in chosen if not c.dropped]
        verdict = candidates_stage(analysis.working, kept, analysis.segmentation.dropped + rejected, "classification")
        cuts = []
        for number, (options, choice) in enumerate(choices, start=1):
            if len(options) > 1:
                tried = ", ".join(f"{len(option)}: {np.exp(mean_log_confidence(confidences, option)):.0%}"
                                  for option in options)
                cuts.append(f"blob {number} read as {len(options[choice])} digit(s) (each way of cutting it tried, "
                            f"as pieces: mean confidence, {tried})")
        digits = [d for line in lines for d in line.digits]
        return tuple(analysis.stages) + (
            Stage("model inputs", mosaic(analysis.model_inputs),
                  "Every piece fitted to 20x20 and centred by mass in 28x28, as MNIST; wide blobs appear once whole "
                  "and once per way of cutting them."),
            Stage("classification", verdict.image, verdict.caption + (
                " A scan this small holds one digit: it is read as the mean answer for its piece and for the piece "
                f"shifted a pixel each way, and a mark at least {TINY_SCAN_DIGIT_HEIGHT:.0%} of its height keeps its "
                "best guess (doubtful) even where that answer is flat."
                if prepared.tiny_scan else f" Flat answers (top probability under {settings.reject_below:.0%}) are "
                "not digits. " + ("; ".join(cuts) or "No blob needed cutting."))),
            Stage("line recognizer", line_sheet([line.image for line in line_inputs]),
                  "Each line read whole by the line recognizer (CTC, no cuts), and weighed against the contour "
                  "reading: " + ("; ".join(explanations) or "no lines") + "."
                  if settings.read_lines else "Switched off: contour reading only."),
            Stage("reading", draw_reading(loaded.pixels, _scaled_to_loaded(digits, loaded.scale)),
                  f"Read '{' / '.join(line.text for line in lines) or 'nothing'}'; orange boxes are doubtful "
                  f"(confidence under {settings.doubtful_below:.0%})." +
                  (f" {strays} line(s) left out as border remnants (lone bars shorter than the digits, or a "
                   "lone bar or corner mark at the image's side)."
                   if strays else "") +
                  (f" {lead_ins} short slanted '1'(s) left out as the lead-in stroke of the '1' after them, "
                   "written apart from it." if lead_ins else "")),
        )


CONTOUR_READER = "contours"
LINE_RECOGNIZER = "line recognizer"


def stray_bar_lines(lines: dict[int, list[Digit]]) -> list[int]:
    """Lines of nothing but '1's, shorter than the tallest line's digits: what is left of a cell's border or a
    rule beside the number, not a number of their own."""
    if len(lines) < 2:
        return []
    heights = {key: median(d.box.height for d in digits) for key, digits in lines.items()}
    tallest = max(heights.values())
    return [key for key, digits in lines.items()
            if all(d.label == 1 for d in digits) and heights[key] < STRAY_BAR_HEIGHT * tallest]


def lead_in_strokes(digits: list[Digit]) -> list[int]:
    """'1's that are the lead-in of the '1' after them: many hands start a '1' with a stroke rising from the
    line to the stem's tip, and where the pen lifts or the ink fades between the two, the stroke is a piece of
    its own that both readers take for another '1'. It is shorter than the stem, starts low, slants and ends
    at the stem; a small upright '1' or a comma hanging well below the line does not."""
    lead_ins = []
    for index, (stroke, stem) in enumerate(zip(digits, digits[1:])):
        low, tall = stroke.box, stem.box
        if (stroke.label == 1 and stem.label == 1 and low.height <= LEAD_IN_HEIGHT * tall.height
                and low.y >= tall.y + LEAD_IN_LOW * tall.height
                and low.y + low.height <= tall.y + tall.height + LEAD_IN_BELOW * tall.height
                and low.width >= LEAD_IN_WIDTH * low.height
                and low.x + low.width >= tall.x - LEAD_IN_GAP * tall.height):
            lead_ins.append(index)
    return lead_ins


def side_remnant_lines(lines: dict[int, list[Digit]], image_size: tuple[int, int]) -> list[int]:
    """One-mark lines at the image's left or right side, beside a line that is not one: a bare bar there is what
    is left of a cell's side border, and a mark that also touches the top or bottom is a corner where borders
    cross. A number's own line keeps its digits however near the side it is written."""
    width, height = image_size

    def is_remnant(digits: list[Digit]) -> bool:
        if len(digits) != 1:
            return False
        box = digits[0].box
        at_side = min(box.x, width - box.x - box.width) <= LONE_BAR_SIDE * width
        bare_bar = digits[0].label == 1 and box.width <= LONE_BAR_WIDTH * box.height
        in_corner = min(box.y, height - box.y - box.height) <= EDGE_TOUCH * height
        return at_side and (bare_bar or in_corner)

    remnants = [key for key, digits in lines.items() if is_remnant(digits)]
    return remnants if len(remnants) < len(lines) else []


def noise_note(lines: dict[int, list[Digit]]) -> str:
    """Why a reading is noise, not writing (empty where it is not): a great many marks, nearly all of them doubtful.

    Random pixels (sensor noise, a texture, a corrupt file that still decodes)
    make hundreds of blobs the classifier reads as shaky digits; handwriting
    gives few, and the classifier is sure of most of them.
    """
    digits = [digit for line in lines.values() for digit in line]
    doubtful = sum(digit.doubtful for digit in digits)
    if len(digits) < NOISE_DIGITS or doubtful < NOISE_DOUBTFUL_SHARE * len(digits):
        return ""
    return (f"This image looks like noise, not writing: {doubtful} of the {len(digits)} marks read as digits were "
            "doubtful, so none is reported.")


def dropped_marks(analysis: Analysis) -> list[Mark]:
    """The marks segmentation found too short for digits, in the original image's pixels."""
    return [Mark(mark.dropped, analysis.box_in_original(mark.x, mark.y, mark.width, mark.height))
            for mark in analysis.segmentation.dropped]


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


@functools.lru_cache(maxsize=1)
def worker_reader(model_path: Path, line_model_path: Path, settings: ReaderSettings) -> Reader:
    """A worker process's own reader, made on its first share of images, with OpenCV and the models on one thread
    each: the workers already fill every core. OpenCV's pool, waiting for work between the many small calls of a
    cell's read, took 3-4 ms of CPU a cell for nothing (a cell's pipeline cost 9.8 ms of CPU with two OpenCV threads,
    5.6 ms with one, in the same wall time). OpenCV is told 0 threads, its word for running in the calling thread:
    asked for 1 in a child forked from a process that had used its pool, it waits forever for the lost threads."""
    cv2.setNumThreads(0)
    return Reader(model_path, settings, line_model_path=line_model_path, inference_threads=1)


def read_in_worker(sources: list[ImageSource], model_path: Path, line_model_path: Path,
                   settings: ReaderSettings) -> list[Outcome]:
    """A share of `read_many`'s images read in a worker; the outcomes leave their sources behind, which the caller
    has (an image's bytes need not travel back)."""
    reader = worker_reader(model_path, line_model_path, settings)
    return [replace(outcome, source=None) for outcome in reader.read_many(sources)]


def worker_start_method() -> str:
    """Fork where the platform has it: the workers start at once and never run the caller's main script again.

    A spawned worker re-imports `__main__`, which re-runs an unguarded user
    script or a Streamlit app. Forking a process that holds inference threads is
    safe here because a worker never uses its parent's inference sessions: it
    loads its own (`worker_reader`).
    """
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


def mean_log_confidence(confidences: np.ndarray, option: list[int]) -> float:
    """How confidently the classifier reads a way of cutting, per piece (the log of the geometric mean)."""
    return float(np.mean(np.log(np.maximum(confidences[option], 1e-6))))


def choose_option(options: list[list[int]], confidences: np.ndarray, aspects: np.ndarray) -> int:
    """The way of cutting a blob whose pieces the classifier reads most confidently.

    Each extra cut costs CUT_COST, and a piece much wider than tall, which no
    single handwritten digit is, costs WIDE_PIECE_COST.
    """
    if len(options) == 1:
        return 0
    scores = []
    for option in options:
        score = mean_log_confidence(confidences, option) - CUT_COST * (len(option) - 1)
        score -= WIDE_PIECE_COST * float(np.mean(aspects[option] > WIDEST_DIGIT))
        scores.append(score)
    return int(np.argmax(scores))


def _scaled_to_loaded(digits: list[Digit], scale: float) -> list[Digit]:
    """Digits with boxes in the decoded pixels' coordinates (which JPEG draft mode may have shrunk)."""
    if scale == 1.0:
        return digits
    return [replace(d, box=Box(int(d.box.x * scale), int(d.box.y * scale), max(1, int(d.box.width * scale)),
                               max(1, int(d.box.height * scale)))) for d in digits]
