"""The decisions after the networks, in the order they are taken: `finish` reads top to bottom.

1. cuts: each blob read the way of cutting it the classifier is surest of; flat answers are not digits;
2. lines: each line's contour reading weighed against the line recognizer's, and a line it finds no digit in
   (clutter, noise, a border's bars, a row the crop cut off) is no part of the number;
3. the number: of the lines left, those the number finder judges no part of the number are set aside;
4. struck out: a group a space apart at either end of a line that one stroke of the pen crosses out is void;
5. word groups: a group a space apart at either end of a line that the word-group judge finds no part of the
   number (a word, a tick) is set aside;
6. signs: a mark at either end of a line that the sign judge takes for a sign ('$', '%') is set aside;
7. dates: in a line read as a date with a '1' for each slash, the two '1's the slash judge takes for slashes are
   set aside, and written as '/';
8. the result: lines numbered top to bottom, separators placed as written, each line's confidence that it
   is all right, the reading's, and whether it needs a person's review.
"""

from dataclasses import dataclass, replace

import numpy as np

from ..image.components import Candidate
from ..image.lines import LineImage, inked_columns_covered, inked_width, line_column
from ..image.pipeline import Analysis
from ..networks.ctc import log_likelihood
from ..networks.line_recognizer import FRAME_STEP
from ..networks.sign_judge import SignJudge
from ..results import NOTHING_FOUND, Box, Digit, Line, Reading
from ..settings import ReaderSettings
from .confidence import ImageEvidence, LineEvidence, text_likelihood
from .cuts import classified_blobs
from .dates import outside_slashes, slash_fields, slash_places, slash_separators, slashes_among
from .debug_stages import final_stages
from .draft import CONTOUR_READER, LINE_RECOGNIZER, Draft
from .line_choice import LineVerdict, judge_line, recognized_digits
from .line_views import ChosenView
from .models import Models
from .number_finder import (KEEP_FROM, LIKELIEST_FROM, MOST_EMPTY_LINES, SMALLEST_LEGIBLE, LineContext, NumberFinder,
                            median_height)
from .orientation import upright_chance
from .prepare import Prepared
from .separators import Mark, line_separators
from .signs import mark_fields, signs_among, with_recognizer
from .strikes import struck_out
from .word_groups import (WordGroupJudge, columns_left, end_groups, field_of, frames_within, parted_in_ink,
                          parting_column, set_aside, word_groups)

NO_NUMBER = "{} line(s) set aside as no part of the number: the line recognizer reads no digit in them."
APART = ("{} group(s) at the end of a line, apart from the rest by a space, a column line or the line's band, set "
         "aside as no part of the number (a word, a mark, a piece of the next row).")
SIGNS = "{} mark(s) at the end of a line read as a sign ('$', '€', '£', '#', '%', '+', '='), not a digit: set aside."
SLASHES = "{} line(s) read as a date: the two slashes parting its day, month and year are no digits ('1's): set aside."
CROSSED_OUT = ("{} group(s) at the end of a line crossed out with one stroke of the pen: void, as a person reads a "
               "number struck out and written again.")
NOT_NUMBER = ("{} line(s) set aside as no part of the number: unlike its digits in size, place or sureness, or a "
              "digit or two among other marks.")
LIKELIEST = ("No line looked more likely than not to be the number; the likeliest is read (the number finder gives it "
             "{:.0%}).")


@dataclass(frozen=True)
class Answers:
    """The networks' answers for one prepared image."""

    probabilities: np.ndarray  # the classifier's, one row per piece
    views: list[ChosenView]  # per line: the view the line recognizer read it in, with its answers (`line_views`)
    turns: np.ndarray  # the orientation network's, one row per whole blob judged (`orientation.blobs_to_judge`)
    half_turn: float = 0.0  # the line recognizer's `orientation.half_turn_evidence`; 0 where no blob is judged

    @property
    def lines(self) -> list[LineImage]:
        return [view.line for view in self.views]


def finish(prepared: Prepared, answers: Answers, settings: ReaderSettings, models: Models,
           keep_stages: bool) -> Reading:
    """From the networks' answers for one prepared image to its reading."""
    prepared = replace(prepared, lines=answers.lines)
    marks = dropped_marks(prepared.analysis)
    draft = classified_blobs(prepared, answers.probabilities, settings)
    draft = weigh_lines(draft, prepared, [view.frames for view in answers.views], settings)
    draft = the_number(draft, prepared, answers, models.finder)
    draft = without_struck_out(draft, prepared)
    draft = without_word_groups(draft, prepared, answers, models.word_groups)
    draft = without_signs(draft, prepared, answers, models.signs)
    draft = without_date_slashes(draft, prepared, models.slashes)
    confidence = models.confidence
    keys = sorted(draft.lines)
    evidence = [line_evidence(key, draft, prepared, answers) for key in keys]
    left_out = image_evidence(draft, prepared, upright_chance(models.turn_evidence, answers.turns, answers.half_turn))
    lines = tuple(Line(tuple(replace(digit, line=number) for digit in draft.lines[key]),
                       draft.read_by.get(key, CONTOUR_READER), separators_of(draft, key, marks),
                       confidence.probability([evidence[number]], left_out))
                  for number, key in enumerate(keys))
    notes = draft.notes + ((NO_NUMBER.format(len(draft.no_number)),) if draft.no_number else ()) + \
        ((NOT_NUMBER.format(len(draft.not_number)),) if draft.not_number else ()) + \
        ((APART.format(len(draft.apart)),) if draft.apart else ()) + \
        ((CROSSED_OUT.format(len(draft.struck)),) if draft.struck else ()) + \
        ((SIGNS.format(len(draft.signs)),) if draft.signs else ()) + \
        ((SLASHES.format(len(draft.slashes)),) if draft.slashes else ()) + (() if lines else (NOTHING_FOUND,))
    stages = final_stages(prepared, draft, lines, settings) if keep_stages else ()
    sure = confidence.probability(evidence, left_out)
    return Reading(lines, prepared.loaded.original_size, notes, stages, sure,
                   sure < settings.review_below or draft.guessed, draft.guessed)


def line_evidence(key: int, draft: Draft, prepared: Prepared, answers: Answers) -> LineEvidence:
    """What both readers said of the final line `key`, for the confidence model. The recognizer's sureness of the
    text is taken on the number's own columns: a word set aside beside it is weighed as a part set aside, not as
    ink the text fails to explain."""
    verdict = line_verdict(draft, key)
    digits = tuple(draft.lines[key])
    view = line_view(answers, key)
    frames = None if view is None else view.frames
    if frames is not None and (key in draft.number_columns or key in draft.slashes):
        likelihood = text_likelihood(number_frames(frames, draft, prepared, key), digits)
    else:
        likelihood = text_likelihood(frames, digits, known_likelihood(verdict, digits))
    return LineEvidence(digits, likelihood,
                        verdict is not None and verdict.recognized.text == verdict.contour_text, key in draft.read_by,
                        len(flat_pieces(draft, prepared, key)), draft.number_chances.get(key, 1.0),
                        view is None or view.first_looks_agree)


def number_frames(frames: np.ndarray, draft: Draft, prepared: Prepared, key: int) -> np.ndarray:
    """The recognizer's frames over line `key`'s number alone: within the columns left to it once groups and signs
    at its ends went, less those over a date's slashes."""
    start, end = draft.number_columns.get(key, (0, len(frames) * FRAME_STEP))
    kept = frames_within(np.arange(len(frames)), start, end)
    if key in draft.slashes:
        line = next(line for line in prepared.lines if line.line == key)
        kept = outside_slashes(kept, [digit for digit, _ in draft.slashes[key]], line,
                               prepared.analysis.box_in_original(*line.box))
    return frames[kept]


def known_likelihood(verdict: LineVerdict | None, digits: tuple[Digit, ...]) -> float | None:
    """log P(the digits' text) under the recognizer where judging their line worked it out, else None."""
    return None if verdict is None else verdict.likelihood_of([digit.label for digit in digits])


def line_verdict(draft: Draft, key: int) -> LineVerdict | None:
    """What both readers said of line `key`; None where it was not judged."""
    return next((verdict for verdict in draft.verdicts if verdict.line == key), None)


def image_evidence(draft: Draft, prepared: Prepared, upright: float) -> ImageEvidence:
    """What the final lines leave out of the image: the inked columns of its lines that no kept digit covers, and
    the likeliest of the lines and groups set aside as no part of the number; with the `upright` chance of the
    image as read."""
    inked = covered = 0
    for line in prepared.lines:
        line_box = prepared.analysis.box_in_original(*line.box)
        line_inked, line_covered = inked_columns_covered(line, line_box.width, [
            (digit.box.x - line_box.x, digit.box.x + digit.box.width - line_box.x)
            for digit in draft.lines.get(line.line, [])])
        inked, covered = inked + line_inked, covered + line_covered
    chances = [chance or 0.0 for _, chance in draft.not_number.values()] + [chance for _, chance in draft.apart] + \
        [1 - chance for _, chance in draft.signs] + [1 - chance for slashes in draft.slashes.values()
                                                     for _, chance in slashes]
    return ImageEvidence(covered / inked if inked else 1.0, max(chances, default=0.0), upright)


def line_view(answers: Answers, key: int) -> ChosenView | None:
    """The view line `key` was read in; None where the recognizer did not read the line."""
    return next((view for view in answers.views if view.line.line == key), None)


def line_frames(answers: Answers, key: int) -> np.ndarray | None:
    """The recognizer's answers for line `key`; None where it did not read the line."""
    view = line_view(answers, key)
    return None if view is None else view.frames


def flat_pieces(draft: Draft, prepared: Prepared, key: int) -> list[Candidate]:
    """Line `key`'s pieces left out as flat answers."""
    return [piece for piece in (prepared.analysis.pieces[index] for index in draft.rejected) if piece.line == key]


def flat_spans(draft: Draft, prepared: Prepared, line: LineImage) -> tuple[tuple[float, float, int], ...]:
    """The recognizer's frames (from, to) that each of the line's pieces left out as flat answers covers, and the
    piece's height in the image's pixels."""
    x, _, width, _ = line.box
    to_frames = line.image.shape[1] / width / FRAME_STEP
    return tuple(((piece.x - x) * to_frames, (piece.x + piece.width - x) * to_frames,
                  prepared.analysis.box_in_original(piece.x, piece.y, piece.width, piece.height).height)
                 for piece in flat_pieces(draft, prepared, line.line))


def kept_marks(analysis: Analysis) -> list[Box]:
    """The marks segmentation kept as blobs, in the original image's pixels."""
    return [analysis.box_in_original(unit.whole.x, unit.whole.y, unit.whole.width, unit.whole.height)
            for unit in analysis.segmentation.units]


def dropped_marks(analysis: Analysis) -> list[Mark]:
    """The marks segmentation found too short for digits, in the original image's pixels."""
    return [Mark(mark.dropped, analysis.box_in_original(mark.x, mark.y, mark.width, mark.height))
            for mark in analysis.segmentation.dropped]


def weigh_lines(draft: Draft, prepared: Prepared, frames: list[np.ndarray], settings: ReaderSettings) -> Draft:
    """Each line's contour reading against the line recognizer's (see `judge_line`). A drawing's lines are never
    set aside as no number: a drawing has no page under it, so every stroke is the writer's."""
    lines, read_by, no_number = dict(draft.lines), dict(draft.read_by), {}
    verdicts = []
    for line, frames_of_line in zip(prepared.lines, frames):
        contour = lines.get(line.line, [])
        verdict = judge_line(line.line, "".join(str(d.label) for d in contour), [d.confidence for d in contour],
                             frames_of_line, flat_spans(draft, prepared, line), [d.box.height for d in contour])
        verdicts.append(verdict)
        if verdict.nothing and prepared.loaded.drawn:
            continue
        if verdict.nothing:
            no_number[line.line] = lines.pop(line.line, [])
        elif verdict.use_recognizer:
            lines[line.line] = recognized_digits(verdict, line, prepared.analysis, settings)
            read_by[line.line] = LINE_RECOGNIZER
    return replace(draft, lines=lines, read_by=read_by, verdicts=tuple(verdicts), no_number=no_number)


def the_number(draft: Draft, prepared: Prepared, answers: Answers, finder: NumberFinder) -> Draft:
    """The lines that are part of the number (see `number_finder`); the others are set aside, each with how likely
    the finder found it part of the number. Marks fewer than SMALLEST_LEGIBLE pixels tall in the image as given are
    no digits anyone could read (specks, noise), whatever the networks make of them: they are set aside unasked,
    with no chance. A drawing's lines are all kept: every stroke is its writer's.

    Where no line is kept, the likeliest is, unless the finder finds it clutter at odds of three to one or more
    (LIKELIEST_FROM): an image given to be read holds a number, so a line that merely leans towards clutter (a
    lone '1' in a ledger's column, a faint number beside a word) is a better answer than none, and its low chance
    lowers the reading's confidence. Not where more than MOST_EMPTY_LINES lines hold no digit at all: a field's crop
    holds few such lines beside its number, and noise dozens, among which the likeliest line is noise too."""
    keys = [key for key, digits in draft.lines.items() if digits]
    if prepared.loaded.drawn or prepared.tiny_scan or not keys:
        return draft
    tallest = max(median_height(draft.lines[key]) for key in keys)
    lines, not_number, chances = dict(draft.lines), dict(draft.not_number), {}
    for key in keys:
        digits, frames = tuple(draft.lines[key]), line_frames(answers, key)
        known = known_likelihood(line_verdict(draft, key), digits)
        chance = None if median_height(digits) < SMALLEST_LEGIBLE else finder.part_of_number(LineContext(
            digits, text_likelihood(frames, digits, known), None if frames is None else log_likelihood(frames, []),
            len(flat_pieces(draft, prepared, key)), prepared.loaded.original_size, tallest, len(keys) - 1,
            line_width(prepared, key, digits)))
        if chance is None or chance < KEEP_FROM:
            not_number[key] = (lines.pop(key), chance)
        else:
            chances[key] = chance
    notes = draft.notes
    likeliest = None if chances else likeliest_line({key: not_number[key][1] for key in keys}, len(draft.no_number))
    if likeliest is not None:
        lines[likeliest], chances[likeliest] = not_number.pop(likeliest)
        notes += (LIKELIEST.format(chances[likeliest]),)
    return replace(draft, lines=lines, not_number=not_number, number_chances=chances, notes=notes,
                   guessed=likeliest is not None)


def likeliest_line(chances: dict[int, float | None], empty_lines: int) -> int | None:
    """Of lines none of which was kept, the one read all the same (see `the_number`), if any."""
    judged = {key: chance for key, chance in chances.items() if chance is not None}
    if not judged or empty_lines > MOST_EMPTY_LINES:
        return None
    likeliest = max(judged, key=judged.get)
    return likeliest if judged[likeliest] >= LIKELIEST_FROM else None


def without_word_groups(draft: Draft, prepared: Prepared, answers: Answers, judge: WordGroupJudge) -> Draft:
    """Each kept line less a group at either end that the judge finds no part of the number (see `word_groups`).
    A drawing's lines are kept whole: every stroke is its writer's."""
    if prepared.loaded.drawn or prepared.tiny_scan:
        return draft
    lines, apart, number_columns = dict(draft.lines), list(draft.apart), dict(draft.number_columns)
    for line in prepared.lines:
        digits, frames = lines.get(line.line, []), line_frames(answers, line.line)
        if len(digits) < 2 or frames is None:
            continue
        line_box = prepared.analysis.box_in_original(*line.box)
        parted = draft.groups.get(line.line) or line_groups(digits, prepared, line, line_box)
        groups = end_groups(digits, line, line_box, frames, prepared.loaded.original_size, parted)
        judged = set_aside([((indices, group), judge.part_of_number(group)) for indices, group in groups])
        if not judged:
            continue
        left_out = {index for (indices, _), _ in judged for index in indices}
        lines[line.line] = [digit for index, digit in enumerate(digits) if index not in left_out]
        apart += [(tuple(digits[index] for index in indices), chance) for (indices, _), chance in judged]
        start, end = columns_left([group for (_, group), _ in judged], line.image.shape[1])
        earlier = number_columns.get(line.line, (start, end))  # a group struck out at the other end has gone too
        number_columns[line.line] = (max(start, earlier[0]), min(end, earlier[1]))
    return replace(draft, lines=lines, apart=tuple(apart), number_columns=number_columns)


def without_signs(draft: Draft, prepared: Prepared, answers: Answers, judge: SignJudge) -> Draft:
    """Each kept line less the marks at its ends that the sign judge takes for signs (see `signs`), its marks judged
    in one call for the whole image, with the line recognizer's word on each (`with_recognizer`). A drawing's lines
    are kept whole: every stroke is its writer's."""
    if prepared.loaded.drawn or prepared.tiny_scan:
        return draft
    judged = [(line, prepared.analysis.box_in_original(*line.box)) for line in prepared.lines
              if len(draft.lines.get(line.line, [])) >= 2]
    if not judged:
        return draft
    chances = judge.sign_chances(np.concatenate([mark_fields(draft.lines[line.line], line, line_box)
                                                 for line, line_box in judged])).reshape(-1, 2)
    lines, signs, number_columns = dict(draft.lines), list(draft.signs), dict(draft.number_columns)
    for (line, line_box), own in zip(judged, chances):
        digits = lines[line.line]
        frames = line_frames(answers, line.line)
        if frames is not None and line.line in number_columns:
            frames = frames_within(frames, *number_columns[line.line])
        found = signs_among(digits, with_recognizer(own, digits, frames, judge), judge)
        if not found:
            continue
        left_out = {index for index, _ in found}
        kept = [digit for index, digit in enumerate(digits) if index not in left_out]
        signs += [(digits[index], chance) for index, chance in found]
        start, end = number_columns.get(line.line, (0, line.image.shape[1]))
        for index, _ in found:
            sign_start, sign_end = columns_apart(line, line_box, [digits[index]], kept)
            start, end = max(start, sign_start), min(end, sign_end)
        lines[line.line], number_columns[line.line] = kept, (start, end)
    return replace(draft, lines=lines, signs=tuple(signs), number_columns=number_columns)


def without_date_slashes(draft: Draft, prepared: Prepared, judge: SignJudge) -> Draft:
    """Each kept line read as a date with a '1' for each slash (`dates.slash_places`) less the two '1's, where the
    slash judge takes both for slashes. In a drawing too: a slash drawn on a canvas parts a date as one on paper
    does, though a drawing's signs are its writer's strokes."""
    if prepared.tiny_scan:
        return draft
    judged = [(line, prepared.analysis.box_in_original(*line.box), places) for line in prepared.lines
              for places in [slash_places([digit.label for digit in draft.lines.get(line.line, [])])] if places]
    if not judged:
        return draft
    chances = judge.sign_chances(np.concatenate([slash_fields(draft.lines[line.line], pair, line, line_box)
                                                 for line, line_box, places in judged for pair in places]))
    per_line = np.split(chances.reshape(-1, 2), np.cumsum([len(places) for _, _, places in judged])[:-1])
    lines, slashes = dict(draft.lines), dict(draft.slashes)
    for (line, _, places), own in zip(judged, per_line):
        found = slashes_among(places, own, judge)
        if found:
            digits, set_aside = lines[line.line], {index for index, _ in found}
            lines[line.line] = [digit for index, digit in enumerate(digits) if index not in set_aside]
            slashes[line.line] = tuple((digits[index], chance) for index, chance in found)
    return replace(draft, lines=lines, slashes=slashes)


def separators_of(draft: Draft, key: int, marks: list[Mark]) -> tuple[tuple[int, str], ...]:
    """Line `key`'s separators as written: the short marks segmentation dropped (`separators`) and a date's slashes
    set aside, where each stands before a digit."""
    digits = draft.lines[key]
    slashes = slash_separators(digits, [digit for digit, _ in draft.slashes.get(key, ())])
    placed = {index for index, _ in slashes}
    return tuple(sorted([(index, char) for index, char in line_separators(digits, marks) if index not in placed] +
                        list(slashes)))


def without_struck_out(draft: Draft, prepared: Prepared) -> Draft:
    """Each kept line less the group at one end that a stroke of the pen crossed out (see `strikes`): void. A
    drawing's lines are kept whole: a stroke drawn through digits on a canvas is a line the writer drew."""
    if prepared.loaded.drawn or prepared.tiny_scan:
        return draft
    lines, struck, number_columns, parted = dict(draft.lines), list(draft.struck), dict(draft.number_columns), {}
    for line in prepared.lines:
        digits = lines.get(line.line, [])
        if len(digits) < 2:
            continue
        line_box = prepared.analysis.box_in_original(*line.box)
        groups = line_groups(digits, prepared, line, line_box)
        voided = set(struck_out(digits, groups, prepared.analysis.tone, line, line_box))
        if not voided:
            parted[line.line] = groups
            continue
        kept = [digit for index, digit in enumerate(digits) if index not in voided]
        void = tuple(digits[index] for index in sorted(voided))
        lines[line.line], struck = kept, struck + [void]
        number_columns[line.line] = columns_apart(line, line_box, list(void), kept)
    return replace(draft, lines=lines, struck=tuple(struck), number_columns=number_columns, groups=parted)


def line_groups(digits: list[Digit], prepared: Prepared, line: LineImage, line_box: Box) -> list[list[int]]:
    """The line's digits in groups spaced like words, by their boxes and by the ink between them (`word_groups`,
    `parted_in_ink`); `line_box` is the line's place in the image's pixels."""
    groups = word_groups(digits, prepared.analysis.column_lines, prepared.loaded.original_size[1])
    return parted_in_ink(groups, digits, prepared.analysis.tone, line, line_box)


def columns_apart(line: LineImage, line_box: Box, apart: list[Digit], kept: list[Digit]) -> tuple[int, int]:
    """The columns of the line's image left to the `kept` digits once those `apart` at one end go, parted midway
    across the space between them (`parting_column`, as between word groups)."""
    if min(d.box.x for d in apart) < min(d.box.x for d in kept):
        return parting_column(line, line_box, apart, kept), line.image.shape[1]
    return 0, parting_column(line, line_box, kept, apart)


def line_width(prepared: Prepared, key: int, digits: tuple[Digit, ...]) -> float:
    """How far line `key`'s marks run within the form's field that holds its digits, in the image's pixels: the
    columns of the band the recognizer read that hold ink, between the column lines either side of the digits
    (`word_groups.field_of`: beyond one, the marks are the next field's), or where it read none, the digits' own span.
    Empty columns do not count: a number written a digit to a box is all digits, however wide its gaps, while a word
    or noise beside a digit fills columns of its own."""
    span = Box.enclosing([digit.box for digit in digits])
    line = next((line for line in prepared.lines if line.line == key), None)
    if line is None:
        return float(span.width)
    line_box = prepared.analysis.box_in_original(*line.box)
    start, end = field_of(prepared.analysis.column_lines, span)
    first = 0 if start is None else line_column(line, line_box.width, start - line_box.x)
    last = None if end is None else line_column(line, line_box.width, end - line_box.x)
    return inked_width(line, line_box.width, first, last)
