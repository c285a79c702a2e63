"""The debug view's stages after the networks: what the classifier saw, what it and the line recognizer decided,
and the reading drawn over the image."""

from dataclasses import replace

import numpy as np

from ..image.drawing import draw_reading, line_sheet, mosaic
from ..image.pipeline import candidates_stage
from ..results import Box, Digit, Line, Stage
from ..settings import ReaderSettings
from .cuts import NOT_A_DIGIT, TINY_SCAN_DIGIT_HEIGHT, mean_log_confidence
from .draft import Draft
from .line_views import FURTHER_WIDTHS, WIDTHS
from .number_finder import SMALLEST_LEGIBLE
from .prepare import SECOND_LOOK_BELOW, Prepared

LISTED = 6  # blobs or lines a caption explains one by one; a page of noise has hundreds, which no one reads


def final_stages(prepared: Prepared, draft: Draft, lines: tuple[Line, ...],
                 settings: ReaderSettings) -> tuple[Stage, ...]:
    analysis = prepared.analysis
    digits = [d for line in lines for d in line.digits]
    set_aside = [d for line_digits in draft.no_number.values() for d in line_digits] + \
        [d for line_digits, _ in draft.not_number.values() for d in line_digits] + \
        [d for group, _ in draft.apart for d in group] + [d for group in draft.struck for d in group] + \
        [d for d, _ in draft.signs] + [d for slashes in draft.slashes.values() for d, _ in slashes]
    return tuple(analysis.stages) + (
        Stage("model inputs", mosaic(analysis.model_inputs),
              "Every piece fitted to 20x20 and centred by mass in 28x28, as MNIST; wide blobs appear once whole "
              "and once per way of cutting them. " + (
                  "The scan is also read by its gray levels, the answers averaged." if prepared.tiny_scan else
                  f"A piece read less than {SECOND_LOOK_BELOW:.0%} sure is read again by its gray levels (the ink's "
                  "tone within a pixel of it, as MNIST's digits are gray), the two answers averaged.")),
        classification_stage(prepared, draft, settings),
        Stage("line recognizer", line_sheet([line.image for line in prepared.lines]),
              "Each line read whole by the line recognizer (CTC, no cuts) by its gray levels (the ink's tone within a "
              "pixel of the cleaned ink), at " + widths(WIDTHS) + " times its width, and at " + widths(FURTHER_WIDTHS)
              + " where those read differently, in the view shown here: the one whose text is the likeliest over all. "
              "Its reading is weighed against the contour "
              "reading: " + (listed([v.explanation for v in draft.verdicts], "lines") or "no lines")
              + "." if settings.read_lines else "Switched off: contour reading only."),
        Stage("reading", draw_reading(prepared.loaded.pixels, scaled_to_loaded(digits, prepared.loaded.scale),
                                      scaled_to_loaded(set_aside, prepared.loaded.scale)),
              (f"Read '{' / '.join(line.text for line in lines)}'; orange boxes are doubtful (confidence under "
               f"{settings.doubtful_below:.0%})." if lines else "No digit read.") + why_set_aside(draft)),
    )


def why_set_aside(draft: Draft) -> str:
    """The reading stage's account of each mark in red: what set it aside, and how sure that was."""
    return ((f" Red: {len(draft.no_number)} line(s) set aside as no part of the number, as the line recognizer "
             "reads no digit in them (clutter, noise, bars of a border, a row cut off by the crop)."
             if draft.no_number else "") +
            (" Red: " + "; ".join(set_aside_why(digits, chance) for digits, chance in draft.not_number.values())
             + "." if draft.not_number else "") +
            (" Red: " + "; ".join(group_apart_why(group, chance) for group, chance in draft.apart) + "."
             if draft.apart else "") +
            (" Red: " + "; ".join(f"'{''.join(str(d.label) for d in group)}', crossed out with one stroke of the "
                                  "pen, void" for group in draft.struck) + "." if draft.struck else "") +
            (" Red: " + "; ".join(f"'{digit.label}' at the end of its line, read as a sign ('$', '%') by the sign "
                                  f"judge ({chance:.0%})" for digit, chance in draft.signs) + "."
             if draft.signs else "") +
            (" Red: " + "; ".join(f"two '1's of a date, read as its slashes by the slash judge "
                                  f"({min(chance for _, chance in slashes):.0%} the less sure)"
                                  for slashes in draft.slashes.values()) + "." if draft.slashes else ""))


def widths(shares: tuple[float, ...]) -> str:
    return ", ".join(f"{share:.2f}" for share in shares[:-1]) + f" and {shares[-1]:.2f}"


def listed(explanations: list[str], what: str) -> str:
    """The first LISTED explanations, then how many more `what` there are."""
    more = len(explanations) - LISTED
    return "; ".join(explanations[:LISTED]) + (f"; and {more} more {what}" if more > 0 else "")


def set_aside_why(digits: list[Digit], chance: float | None) -> str:
    """Why a line the number finder's step set aside is no part of the number (no chance: it is a speck)."""
    text = "".join(str(digit.label) for digit in digits)
    if chance is None:
        return f"'{text}' set aside: marks under {SMALLEST_LEGIBLE} pixels tall are too small for legible digits"
    return (f"'{text}' set aside, as the number finder gives it {chance:.0%} of being part of the number (unlike its "
            "digits in size, place or sureness, or a digit or two among other marks)")


def group_apart_why(digits: tuple[Digit, ...], chance: float) -> str:
    """Why a group at a line's end was set aside (see `word_groups`)."""
    text = "".join(str(digit.label) for digit in digits)
    return (f"'{text}', a space apart at the end of its line, set aside, as the word-group judge gives it "
            f"{chance:.0%} of being part of the number (unlike the rest of the line in size or shape, or marks no "
            "digit is made of)")


def classification_stage(prepared: Prepared, draft: Draft, settings: ReaderSettings) -> Stage:
    """The pieces kept as digits and those left out, with how each blob was cut."""
    analysis = prepared.analysis
    rejected = set(draft.rejected)
    kept = [analysis.pieces[i] for options, choice in draft.choices for i in options[choice] if i not in rejected]
    flat = [replace(analysis.pieces[i], dropped=NOT_A_DIGIT) for i in draft.rejected]
    verdict = candidates_stage(analysis.working, kept, analysis.segmentation.dropped + flat, "classification")
    cuts = []
    for number, (options, choice) in enumerate(draft.choices, start=1):
        if len(options) > 1:
            tried = ", ".join(f"{len(option)}: {np.exp(mean_log_confidence(draft.confidences, option)):.0%}"
                              for option in options)
            cuts.append(f"blob {number} read as {len(options[choice])} digit(s) (each way of cutting it tried, "
                        f"as pieces: mean confidence, {tried})")
    return Stage("classification", verdict.image, verdict.caption + (
        " A scan this small holds one digit: it is read as the mean answer for its piece and for the piece "
        f"shifted a pixel each way, and a mark at least {TINY_SCAN_DIGIT_HEIGHT:.0%} of its height keeps its "
        "best guess (doubtful) even where that answer is flat."
        if prepared.tiny_scan else f" Flat answers (top probability under {settings.reject_below:.0%}) are "
        "not digits. " + (listed(cuts, "blobs cut") + "." if cuts else "No blob needed cutting.")))


def scaled_to_loaded(digits: list[Digit], scale: float) -> list[Digit]:
    """Digits with boxes in the decoded pixels' coordinates (which JPEG draft mode may have shrunk)."""
    if scale == 1.0:
        return digits
    return [replace(d, box=Box(int(d.box.x * scale), int(d.box.y * scale), max(1, int(d.box.width * scale)),
                               max(1, int(d.box.height * scale)))) for d in digits]
