"""The decisions after the networks, in the order they are taken: `finish` reads top to bottom.

1. cuts: each blob read the way of cutting it the classifier is surest of; flat answers are not digits;
2. lines: each line's contour reading weighed against the line recognizer's; separators it read are marks;
3. lead-ins: a short slanted '1' ending at the next '1''s stem is that '1''s lead-in stroke;
4. remnants: lines that are only a border's remnant are left out;
5. noise: a reading of many marks, nearly all doubtful, is noise and reports nothing;
6. the result: lines numbered top to bottom, separators placed as written, each line's confidence that it
   is all right, and whether the reading needs a person's review.
"""

import functools
from dataclasses import dataclass, replace

import numpy as np

from ..image.pipeline import Analysis
from ..networks.ctc import greedy_decode
from ..results import Line, Reading
from ..settings import ReaderSettings
from .confidence import ConfidenceModel, LineEvidence
from .cuts import classified_blobs
from .debug_stages import final_stages
from .draft import CONTOUR_READER, LINE_RECOGNIZER, Draft
from .line_choice import judge_line, recognized_digits
from .prepare import Prepared
from .remnants import lead_in_strokes, noise_note, side_remnant_lines, stray_bar_lines
from .separators import Mark, line_separators, separators_read_as_digits

NOTHING_FOUND = "No digits were found in this image."


@dataclass(frozen=True)
class Answers:
    """The networks' answers for one prepared image."""

    probabilities: np.ndarray  # the classifier's, one row per piece
    frames: list[np.ndarray]  # the line recognizer's, one (T, 11) array per line


def finish(prepared: Prepared, answers: Answers, settings: ReaderSettings, confidence: ConfidenceModel,
           keep_stages: bool) -> Reading:
    """From the networks' answers for one prepared image to its reading."""
    marks = dropped_marks(prepared.analysis)
    draft = classified_blobs(prepared, answers.probabilities, settings)
    draft = weigh_lines(draft, prepared, answers.frames, settings, marks)
    draft = without_lead_ins(draft)
    draft = without_remnant_lines(draft, prepared.loaded.original_size)
    draft = without_noise(draft)
    lines = tuple(Line(tuple(replace(digit, line=number) for digit in draft.lines[key]),
                       draft.read_by.get(key, CONTOUR_READER), line_separators(draft.lines[key], marks),
                       line_confidence(key, draft, prepared, answers, confidence))
                  for number, key in enumerate(sorted(draft.lines)))
    notes = draft.notes + (() if lines else (NOTHING_FOUND,))
    stages = final_stages(prepared, draft, lines, settings) if keep_stages else ()
    reading = Reading(lines, prepared.loaded.original_size, notes, stages)
    return replace(reading, needs_review=reading.confidence < settings.review_below)


def line_confidence(key: int, draft: Draft, prepared: Prepared, answers: Answers, model: ConfidenceModel) -> float:
    """The probability that the final line `key` is all right, from what both readers said of it."""
    digits = tuple(draft.lines[key])
    if not digits:
        return 0.0
    frames = next((line_frames for line, line_frames in zip(prepared.lines, answers.frames) if line.line == key), None)
    verdict = next((verdict for verdict in draft.verdicts if verdict.line == key), None)
    pieces = prepared.analysis.pieces
    return model.line_probability(LineEvidence(
        digits, frames, verdict is not None and verdict.recognized.text == verdict.contour_text,
        key in draft.read_by, sum(pieces[index].line == key for index in draft.rejected)))


def dropped_marks(analysis: Analysis) -> list[Mark]:
    """The marks segmentation found too short for digits, in the original image's pixels."""
    return [Mark(mark.dropped, analysis.box_in_original(mark.x, mark.y, mark.width, mark.height))
            for mark in analysis.segmentation.dropped]


def weigh_lines(draft: Draft, prepared: Prepared, frames: list[np.ndarray], settings: ReaderSettings,
                marks: list[Mark]) -> Draft:
    """Each line's contour reading against the line recognizer's (see `judge_line`). Where the recognizer's is
    kept, a character it put on a point or comma segmentation set aside is that mark, not a digit."""
    lines, read_by = dict(draft.lines), dict(draft.read_by)
    verdicts, set_aside = [], []
    pieces = prepared.analysis.pieces
    for line, line_frames in zip(prepared.lines, frames):
        contour = lines.get(line.line, [])
        verdict = judge_line(line.line, "".join(str(d.label) for d in contour), [d.confidence for d in contour],
                             line_frames, greedy_decode(line_frames),
                             sum(pieces[index].line == line.line for index in draft.rejected))
        verdicts.append(verdict)
        if verdict.use_recognizer:
            recognized = recognized_digits(verdict, line, prepared.analysis, settings)
            separators = separators_read_as_digits(recognized, marks)
            lines[line.line] = [d for i, d in enumerate(recognized) if i not in separators]
            set_aside += [f"line {line.line + 1}'s '{recognized[i].label}' lies on a point or comma segmentation "
                          "set aside: it is that mark, not a digit" for i in separators]
            read_by[line.line] = LINE_RECOGNIZER
    return replace(draft, lines=lines, read_by=read_by, verdicts=tuple(verdicts), set_aside=tuple(set_aside))


def without_lead_ins(draft: Draft) -> Draft:
    lines, left_out = {}, 0
    for key, digits in draft.lines.items():
        lead_ins = lead_in_strokes(digits)
        lines[key] = [d for i, d in enumerate(digits) if i not in lead_ins]
        left_out += len(lead_ins)
    return replace(draft, lines=lines, lead_ins=draft.lead_ins + left_out)


def without_remnant_lines(draft: Draft, image_size: tuple[int, int]) -> Draft:
    """Lines of short bare bars, then one-mark lines at the image's side (see `remnants`)."""
    lines, left_out = dict(draft.lines), 0
    for find_remnants in (stray_bar_lines, functools.partial(side_remnant_lines, image_size=image_size)):
        for key in find_remnants(lines):
            del lines[key]
            left_out += 1
    return replace(draft, lines=lines, remnant_lines=draft.remnant_lines + left_out)


def without_noise(draft: Draft) -> Draft:
    noise = noise_note(draft.lines)
    return replace(draft, lines={}, notes=draft.notes + (noise,)) if noise else draft
