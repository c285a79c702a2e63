"""`Reader`: the models loaded once, and `read(image)` from any accepted input to a `Reading`."""

import functools
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Literal

import cv2
import numpy as np

from ..errors import DigitOcrError
from ..image.binarize import edge_says_dark_ink, gray_along, working_scale
from ..image.drawings import shaped_like_one_digit, strokes_run_off
from ..image.loading import ImageSource, LoadedImage, load_image, sendable
from ..networks.classifier import DigitClassifier
from ..networks.line_recognizer import LineRecognizer
from ..results import Box, Outcome, Reading
from ..settings import ReaderSettings
from .line_views import WIDTHS, read_in_views, views
from .models import Models
from .orientation import (MANY_MARKS, TRY_FROM, WayUp, blobs_to_judge, confirms, half_turn_evidence, keeps_turned,
                          marks_favour_turn, turns_to_try, whole_blobs)
from .prepare import (SECOND_LOOK_BELOW, Prepared, classifier_rows, doubtful_pieces, gray_rows, load_for_reading,
                      piece_probabilities, prepare, prepare_loaded, prepare_or_error)
from .steps import Answers, finish, kept_marks
from .workers import in_worker_processes

SPLIT_LINES = 2  # a number or a digit split by a gap across it reads as no more lines than this: its top and bottom
CUT_OUT_MARGIN = 2.0  # of the tallest digit's height: a doubtful photo's digits are read again with this much around
TurnedWhen = Literal["sure", "nothing", "doubtful"]  # which readings are tried at every turn (`Reader._upright`)
MORE_PAGES = "This file holds {} pages or frames; only the first was read. Send each page as its own image to read it."


class Reader:
    """Reads handwritten numbers. Thread-safe: it holds no per-call state, and inference sessions are re-entrant."""

    def __init__(self, model_path: str | Path | None = None, settings: ReaderSettings = ReaderSettings(),
                 models: Models | None = None):
        """The shipped models, or the classifier at `model_path`, or `models` already loaded (to share them)."""
        self.models = models or Models.load(model_path)
        self.settings = settings

    @property
    def classifier(self) -> DigitClassifier:
        return self.models.classifier

    @property
    def line_recognizer(self) -> LineRecognizer:
        return self.models.line_recognizer

    def load(self, source: ImageSource, settings: ReaderSettings | None = None) -> LoadedImage:
        return load_for_reading(source, settings or self.settings)

    def read(self, source: ImageSource, settings: ReaderSettings | None = None, stages: bool = False) -> Reading:
        """Read the number in one image; `stages=True` keeps every pipeline stage's image for the debug view."""
        settings = settings or self.settings
        prepared = prepare(source, settings, stages)
        return self._reading(prepared, self.answers([prepared])[0], settings, stages)

    def read_many(self, sources: Iterable[ImageSource], settings: ReaderSettings | None = None,
                  batch_size: int = 64, workers: int = 1) -> Iterator[Outcome]:
        """Read many images in order, classifying the digits of up to `batch_size` images in one model call.

        With `workers` > 1, that many processes each read their share of the
        images whole, with their own copy of the models, so a folder uses every
        core (a reader whose classifier was handed over in memory, not loaded
        from a file, reads in this process alone). Each call starts its workers
        afresh, which costs about as much as reading a few dozen cells: give it
        many images at once, not one small batch after another.
        """
        settings = settings or self.settings
        sources = list(sources)
        if dealt_to_workers(workers, len(sources)) and self.classifier.path is not None:
            yield from read_in_workers(sources, settings, workers, self.classifier.path, self.line_recognizer.path,
                                       batch_size)
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
        for (source, prepared), answers in zip(pending, self.answers([prepared for _, prepared in pending])):
            yield Outcome(source, self._reading(prepared, answers, settings, False))

    def answers(self, prepared: list[Prepared]) -> list[Answers]:
        """The networks' answers for many prepared images, each network called once for all of them; each line read
        at a few widths and in the view of the likeliest text (`line_views`)."""
        pieces = self.piece_answers(prepared)
        blobs = [blobs_to_judge(one) for one in prepared]
        turns = self.models.orientation.predict(np.concatenate(blobs))
        first_views = [views(line) for one in prepared for line in one.lines]
        seen = [view.image for own in first_views for view in own]
        # each image's lines read turned half round too: none where no blob is judged (a drawing, a tiny scan)
        turned_counts = [len(one.lines) if len(judged) else 0 for one, judged in zip(prepared, blobs)]
        half_turned = [np.rot90(line.image, 2) for one, count in zip(prepared, turned_counts) if count
                       for line in one.lines]
        frames = self.line_recognizer.frames(seen + half_turned)
        chosen = read_in_views(first_views, frames[:len(seen)], self.line_recognizer.frames)
        own_widths = frames[:len(seen):len(WIDTHS)]
        answers, line_start, blob_start, turned_start = [], 0, 0, len(seen)
        for one, own_pieces, own_blobs, turned_count in zip(prepared, pieces, blobs, turned_counts):
            line_end, blob_end = line_start + len(one.lines), blob_start + len(own_blobs)
            turned_end = turned_start + turned_count
            answers.append(Answers(own_pieces, chosen[line_start:line_end], turns[blob_start:blob_end],
                                   half_turn_evidence(own_widths[line_start:line_end],
                                                      frames[turned_start:turned_end])))
            line_start, blob_start, turned_start = line_end, blob_end, turned_end
        return answers

    def piece_answers(self, prepared: list[Prepared]) -> list[np.ndarray]:
        """The classifier's answer for each piece of many images, one call for all their cut pieces, and one more for
        the gray levels of every piece it read doubtfully (`doubtful_pieces`), the two answers counting alike."""
        rows = [classifier_rows(one) for one in prepared]
        ends = np.cumsum([len(own) for own in rows])
        probabilities = self.classifier.predict(np.concatenate(rows))
        pieces = [piece_probabilities(one, own) for one, own in zip(prepared, np.split(probabilities, ends[:-1]))]
        doubtful = [doubtful_pieces(one, own) for one, own in zip(prepared, pieces)]
        if not any(len(own) for own in doubtful):
            return pieces
        second_looks = self.classifier.predict(np.concatenate([gray_rows(one, own) for one, own
                                                               in zip(prepared, doubtful) if len(own)]))
        start = 0
        for own_pieces, own_doubtful in zip(pieces, doubtful):
            own_pieces[own_doubtful] = (own_pieces[own_doubtful] + second_looks[start:start + len(own_doubtful)]) / 2
            start += len(own_doubtful)
        return pieces

    def turned(self, prepared: Prepared, turns: int, settings: ReaderSettings,
               stages: bool = False) -> tuple[Prepared, Answers]:
        """The image turned anticlockwise by `turns` quarters, through the image path again (turning changes what
        its lines are), and the networks' answers for it."""
        turned = prepare_loaded(prepared.loaded.turned(turns), settings, stages)
        return turned, self.answers([turned])[0]

    def _reading(self, prepared: Prepared, answers: Answers, settings: ReaderSettings, stages: bool) -> Reading:
        """The reading of the image's first page, looked at closer where it is a doubtful reading of a photo the
        pipeline shrank (`_closer`), telling where the file holds more pages (a multi-page TIFF, an animated GIF):
        the rest were not read, and its user should know."""
        reading = self._closer(prepared, self._as_given(prepared, answers, settings, stages,
                                                        "sure" if shrunk_photo(prepared, settings) else "nothing"),
                               settings, stages)
        if prepared.loaded.pages == 1:
            return reading
        return replace(reading, pages=prepared.loaded.pages,
                       notes=reading.notes + (MORE_PAGES.format(prepared.loaded.pages),))

    def _as_given(self, prepared: Prepared, answers: Answers, settings: ReaderSettings, stages: bool,
                  turned_when: TurnedWhen = "nothing") -> Reading:
        """The image's reading: a drawing's may have run off its canvas or be one digit, a page's may be turned (a
        drawing never is: its writer drew it upright), and either, read as several lines, may be one (`_one_line`).
        `turned_when` says which readings are tried at every turn (see `_upright`)."""
        reading = finish(prepared, answers, settings, self.models, stages)
        if prepared.loaded.drawn:
            reading = self._one_line(prepared.loaded, self._cut_by_canvas(prepared, reading, settings, stages),
                                     settings, stages)
            return self._one_digit(prepared, reading, settings, stages)
        return self._upright(prepared, answers, self._other_ink(prepared, reading, settings, stages), settings, stages,
                             turned_when)

    def _closer(self, prepared: Prepared, reading: Reading, settings: ReaderSettings, stages: bool) -> Reading:
        """A doubtful reading of a photo the pipeline shrank to its working size, or a closer one where surer: the
        photo read again at twice the working size (at most its own), and at each turn where that still reads in
        doubt (see `_upright`); then, still in doubt, the part of the photo around the digits read, cut out at the
        photo's own size where it fits the working size, as a cell is read, and at each turn where it reads in doubt.

        A number written small on a whole sheet falls below a legible size when
        the photo is shrunk: a digit 40 pixels tall in a 4032-pixel photo is 10
        pixels tall at 1024, its strokes a pixel wide. A person leans in to read
        it, and reads it among what lies near, not across the whole sheet: cut
        out, the number is read with its own paper's tone, and the digits an
        end lost come back within the cut's margin (CUT_OUT_MARGIN). Only doubt
        pays for the closer look: a number read surely is not read again, nor
        is a drawing, whose strokes stay legible however it is shrunk. Where
        nothing was read at twice the size either, the part around the marks
        kept there is cut out, as a person leans in to whatever is written,
        and its reading replaces nothing only where it is more likely right
        than wrong (as a turned reading does): a small number turned on its
        side can read as nothing on the whole photo and as itself cut out. A
        photo of a blank sheet keeps no marks, so it is not read at its own
        twelve million pixels, and one with more marks than the reader
        examines (`max_components`) is a field of specks, which closer up is
        only more specks: it is not read again (reading it twice had taken a
        1200x900 picture of noise 5 seconds).
        """
        if not shrunk_photo(prepared, settings) or not reading.needs_review or prepared.analysis.segmentation.capped:
            return reading
        looked = settings.with_changes(working_side=min(2 * settings.working_side, max(prepared.loaded.original_size)))
        loaded = prepared.loaded if prepared.loaded.file is None else load_for_reading(prepared.loaded.file, looked)
        closer = prepare_loaded(loaded, looked, stages)
        reading = surer(reading, self._as_given(closer, self.answers([closer])[0], looked, stages, "doubtful"),
                        f"Read again closer (at {looked.working_side} pixels rather than {settings.working_side}), "
                        "as the writing is small in this image", f"at {settings.working_side} pixels")
        marks = [digit.box for digit in reading.digits] or kept_marks(closer.analysis)
        if not (reading.needs_review and marks):
            return reading
        box = Box.enclosing(marks)
        margin = int(CUT_OUT_MARGIN * max(mark.height for mark in marks))
        left, top = max(0, box.x - margin), max(0, box.y - margin)
        right = min(reading.image_size[0], box.x + box.width + margin)
        bottom = min(reading.image_size[1], box.y + box.height + margin)
        part = Box(left, top, right - left, bottom - top)
        if max(part.width, part.height) > settings.working_side:  # it would be shrunk: no closer than the whole
            return reading
        cut_out = self._cut_out(loaded, part, reading.image_size, settings, stages)
        if not (reading.digits or confirms(cut_out.confidence, None)):
            return reading
        return surer(reading, cut_out, "Read again as the part of the image around its "
                     f"{'digits' if reading.digits else 'marks'}, cut out at the image's own size", "for the whole image")

    def _cut_out(self, loaded: LoadedImage, part: Box, image_size: tuple[int, int], settings: ReaderSettings,
                 stages: bool) -> Reading:
        """The reading of `part` of the image at the image's own size, boxed in the whole image (`image_size`), tried
        at each turn where in doubt, as the closer look is (`_upright`): it is the closest look a person takes.
        `loaded` is the image as last decoded: where that was whole, it is not decoded again."""
        pixels = loaded.pixels if loaded.file is None else load_image(loaded.file, settings.max_pixels,
                                                                      settings.max_file_bytes).pixels
        cut = np.ascontiguousarray(pixels[part.y:part.y + part.height, part.x:part.x + part.width])
        prepared = prepare_loaded(LoadedImage(cut, (cut.shape[1], cut.shape[0])), settings, stages)
        return self._as_given(prepared, self.answers([prepared])[0], settings, stages,
                              "doubtful").moved(part.x, part.y, image_size)

    def _other_ink(self, prepared: Prepared, reading: Reading, settings: ReaderSettings, stages: bool) -> Reading:
        """A doubtful reading of a scan of one digit, or where the scan's edge says its ink and paper are the other
        way round, its reading that way, whichever is surer.

        Ink is told from paper as the tone that reaches furthest from the
        paper around it, and a bold digit that fills its scan (a blurred '8'
        in sixteen pixels) leaves too little paper around for that: its
        strokes are taken for the paper, and its loops and corners for ink.
        The scan's edge, mostly paper, then says otherwise; but a digit
        stretched to fill its box, as in Semeion's scans, covers much of the
        edge too, so neither sign decides alone: where they disagree, the
        readings do. Nor is the reading the other way tried where they agree:
        the negative of a blot is a ring, as sure a '0' as any. A drawing has
        its ink from the canvas, and ink set by the user is as set.
        """
        if not prepared.tiny_scan or prepared.loaded.drawn or settings.ink != "auto" or not reading.needs_review:
            return reading
        edge_dark = edge_says_dark_ink(gray_along(prepared.loaded.pixels, prepared.analysis.colour_axis))
        if edge_dark == prepared.analysis.dark_ink:
            return reading
        swapped = settings.with_changes(ink="dark" if edge_dark else "light")
        return self._surer(reading, prepared.loaded, swapped, stages, "Read with ink and paper the other way round, as "
                                                                      "the scan's edge says")

    def _cut_by_canvas(self, prepared: Prepared, reading: Reading, settings: ReaderSettings, stages: bool) -> Reading:
        """A drawing's reading, or where its strokes may have run off the canvas's side and come back, its reading
        with them joined along the side (see `drawings`), whichever is surer. A drawing read as more lines than a
        number split across makes (SPLIT_LINES) is no number drawn too big: a field of specks, joined, is blobs."""
        if len(reading.lines) > SPLIT_LINES:
            return reading
        joined = strokes_run_off(prepared.loaded.pixels)
        if joined is None:
            return reading
        return self._surer(reading, replace(prepared.loaded, pixels=joined), settings, stages,
                           "Read with the strokes that ran off the canvas joined along its side")

    def _one_line(self, loaded: LoadedImage, reading: Reading, settings: ReaderSettings, stages: bool) -> Reading:
        """A reading of several lines, or the image's reading with every mark on one line, whichever is surer. An
        image is most often one number: a drawing of one, a cell or an amount a clerk cropped. A digit drawn in
        strokes apart (an '8' as two circles, a '5' whose bar stands off) or a stray mark above the number may lie
        too far above the rest to share its line, and each line is then judged alone; a page of two numbers reads
        surer as two lines, and stays so. A reading that needs no review is not read again: a second look is for
        doubt, and a page of two lines read surely costs one reading, not two. Nor is one of more lines than a
        number split across makes (SPLIT_LINES): a field of noise, read as one line, is a long line of digits that
        no reading of a number resembles."""
        if not 2 <= len(reading.lines) <= SPLIT_LINES or settings.one_line or not reading.needs_review:
            return reading
        return self._surer(reading, loaded, settings.with_changes(one_line=True), stages, "Read as one line")

    def _one_digit(self, prepared: Prepared, reading: Reading, settings: ReaderSettings, stages: bool) -> Reading:
        """A doubtful reading of a drawing shaped like one digit, or its reading as one digit (every mark part of it,
        as in a small scan of one), whichever is surer. A drawing is most often one digit, and one whose strokes
        stand apart (a '5' whose bar is a dash) or that reads as no digit's shape to the classifier (a '4' looped
        at its crossing) is read by its whole shape. A drawing of several digits reads surely, lies wider than
        tall, or as a column reads as more lines than the two halves of one digit drawn apart (SPLIT_LINES)."""
        if (settings.one_digit or not reading.needs_review or len(reading.lines) > SPLIT_LINES
                or not shaped_like_one_digit(prepared.loaded.pixels)):
            return reading
        return self._surer(reading, prepared.loaded, settings.with_changes(one_digit=True), stages,
                           "Read as one digit")

    def _surer(self, reading: Reading, loaded: LoadedImage, settings: ReaderSettings, stages: bool,
               how: str) -> Reading:
        """`reading`, or the reading of `loaded` under `settings` where that is surer, with a note saying `how`."""
        prepared = prepare_loaded(loaded, settings, stages)
        return surer(reading, finish(prepared, self.answers([prepared])[0], settings, self.models, stages), how)

    def _upright(self, prepared: Prepared, answers: Answers, reading: Reading, settings: ReaderSettings,
                 stages: bool, turned_when: TurnedWhen = "nothing") -> Reading:
        """The image's reading, turned where its digits' shapes and lines say it may be turned and the turned reading
        confirms it (see `orientation`), else as given, or as one line (`_one_line`). Which readings are tried at each
        turn, likeliest first, until one confirms, `turned_when` says: "nothing", a page that reads as no number;
        "sure", none: a photo shrunk to the working size is looked at closer first (`_closer`), for a person leans in
        before turning a page, and writing too small to read says little of which way is up; "doubtful", the closer
        looks (the photo at twice the size, the part cut out), any reading still in doubt, at each turn its marks leave
        as likely as its prior: a photo taken with the phone turned, its digits small, more often reads as wrong digits
        than as none (44 and 5 of the stress suite's 49 such misses on seeds 5150 and 7), and a person who still cannot
        read it surely after leaning in turns it."""
        no_number = not reading.lines or reading.guessed
        read_in_doubt = no_number or (turned_when == "doubtful" and reading.needs_review)
        ways = () if no_number and turned_when == "sure" else \
            turns_to_try(self.models.turn_evidence, answers.turns, answers.half_turn, read_in_doubt)
        if read_in_doubt:
            ways = self._turns_its_marks_allow(prepared, ways)
        if not ways:
            return self._one_line(prepared.loaded, reading, settings, stages)
        tried = []
        for way in ways:
            turned = finish(*self.turned(prepared, way.turns, settings, stages), settings, self.models, stages)
            if keeps_turned(turned.confidence, reading.confidence if reading.lines else None, reading.guessed, way,
                            reading.text, turned.text):
                return _kept_turned(reading, turned, way)
            tried.append(turned)
        surest = max(tried, key=lambda turned: turned.confidence)
        if not (reading.lines or surest.lines):  # no digit any way up: the turns change nothing to tell
            return reading
        degrees = [str(90 * way.turns) for way in ways]
        turns = " and ".join(filter(None, (", ".join(degrees[:-1]), degrees[-1])))
        return self._one_line(prepared.loaded, replace(reading, notes=reading.notes + (
            f"Tried turned {turns} degrees because {_why_turned(reading, ways[0])}, but "
            f"{'that way' if len(ways) == 1 else 'at best'} it reads {surest.confidence:.0%} sure (against "
            f"{reading.confidence:.0%} as given): read as given.",)), settings, stages)

    def _turns_its_marks_allow(self, prepared: Prepared, ways: tuple[WayUp, ...]) -> tuple[WayUp, ...]:
        """Of the turns a page read in doubt would be read at, those its marks allow: a page of more marks than a
        number has digits is read turned only where more of them read surely as digits that way (`marks_favour_turn`,
        each blob turned as the classifier takes it). Each turn is a reading of the whole page again: on a 640x480
        field of noise the three had cost 10 of its 13 seconds, for nothing."""
        blobs = whole_blobs(prepared.analysis)
        if not ways or len(blobs) < MANY_MARKS:
            return ways
        turns = [0] + [way.turns for way in ways]
        answers = self.classifier.predict(np.concatenate([np.rot90(blobs, turn, axes=(1, 2)) for turn in turns]))
        sure = dict(zip(turns, (answers.max(axis=1) >= SECOND_LOOK_BELOW).reshape(len(turns), len(blobs))))
        return tuple(way for way in ways if marks_favour_turn(sure[0], sure[way.turns]))


def _why_turned(reading: Reading, way: WayUp) -> str:
    """Why the image was read at `way`, for the notes."""
    if not reading.lines or reading.guessed:
        doubt = f"as given it reads {'no line that looks like a number' if reading.guessed else 'as nothing'}"
    elif way.probability < TRY_FROM:
        doubt = f"as given, looked at closer, it reads only {reading.confidence:.0%} sure"
    else:
        return f"its digits' shapes and lines say that way may be up ({way.probability:.0%})"
    return f"{doubt}, and its digits' shapes and lines make that turn {way.among_turns:.0%} likely among the turns"


def _kept_turned(reading: Reading, turned: Reading, way: WayUp) -> Reading:
    """The turned reading, boxed in the image as given, with a note saying why. Its field confidence weighs how
    likely its way up is (`upright_log_odds`), as every reading's does."""
    note = (f"Read turned {90 * way.turns} degrees anticlockwise: {_why_turned(reading, way)}, and it reads " +
            ("more likely right, by how sure each reading is and how likely its way up is" if reading.guessed else
             "at least as surely") + f" ({turned.confidence:.0%} against {reading.confidence:.0%} as given).")
    return turned.turned_back(way.turns, note)


def shrunk_photo(prepared: Prepared, settings: ReaderSettings) -> bool:
    """Whether the image is a photo the pipeline shrank to its working size, which a closer look (at twice that
    size) may read better: a drawing's strokes stay legible however it is shrunk, and a long strip kept at its least
    short side (`working_scale`) is seen no closer at twice the working side."""
    size, least_short_side = prepared.loaded.original_size, settings.min_short_side
    return not prepared.loaded.drawn and working_scale(size, settings.working_side, least_short_side) < \
        working_scale(size, 2 * settings.working_side, least_short_side)


def surer(reading: Reading, other: Reading, how: str, replaced: str = "") -> Reading:
    """`reading`, or `other` where it is surer, with a note saying `how` it was read, put before the notes of how
    `other` itself was read, which are about what was read again: the notes tell the story from the outside in.
    `replaced` says what `reading` read, where the notes that follow would leave it in doubt."""
    if other.confidence <= reading.confidence:
        return reading
    return replace(other, notes=(f"{how}: that way it reads {other.confidence:.0%} sure (against "
                                 f"{reading.confidence:.0%}{' ' + replaced if replaced else ''}).",) + other.notes)


def dealt_to_workers(workers: int, images: int) -> bool:
    """Whether `images` are dealt out to `workers` worker processes: two or more of each, or one process reads."""
    return workers > 1 and images > 1


def read_in_workers(sources: list[ImageSource], settings: ReaderSettings, workers: int,
                    model_path: str | Path | None = None, line_model_path: str | Path | None = None,
                    batch_size: int = 64) -> Iterator[Outcome]:
    """`Reader.read_many` in `workers` worker processes, each loading the models itself (the shipped ones, or the
    networks at the paths given), with no reader in the caller: a command that hands every image to its workers
    need not load the models first. Where the workers cannot load them, their ModelError is raised here."""
    read_share = functools.partial(read_in_worker, model_path=model_path, line_model_path=line_model_path,
                                   settings=settings)
    sent = [sendable(source, settings.max_file_bytes) for source in sources]
    outcomes = in_worker_processes(sent, read_share, workers, batch_size)
    yield from (replace(outcome, source=source) for source, outcome in zip(sources, outcomes))


@functools.lru_cache(maxsize=1)
def worker_reader(model_path: Path | None, line_model_path: Path | None, settings: ReaderSettings) -> Reader:
    """A worker process's own reader, made on its first share of images, with OpenCV and the models on one thread
    each: the workers already fill every core. OpenCV's pool, waiting for work between the many small calls of a
    cell's read, took 3-4 ms of CPU a cell for nothing (a cell's pipeline cost 9.8 ms of CPU with two OpenCV threads,
    5.6 ms with one, in the same wall time). OpenCV is told 0 threads, its word for running in the calling thread."""
    cv2.setNumThreads(0)
    return Reader(settings=settings, models=Models.load(model_path, line_model_path, threads=1))


def read_in_worker(sources: list[ImageSource], model_path: Path | None, line_model_path: Path | None,
                   settings: ReaderSettings) -> list[Outcome]:
    """A share of `read_many`'s images read in a worker; the outcomes leave their sources behind, which the caller
    has (an image's bytes need not travel back)."""
    reader = worker_reader(model_path, line_model_path, settings)
    return [replace(outcome, source=None) for outcome in reader.read_many(sources)]
