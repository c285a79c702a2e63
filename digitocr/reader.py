"""`Reader`: the model loaded once, and `read(image)` from any accepted input to a `Reading`."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .drawing import draw_reading, mosaic
from .errors import DigitOcrError
from .loading import ImageSource, LoadedImage, load_image
from .model import DigitClassifier
from .pipeline import Analysis, analyse, candidates_stage
from .results import Box, Digit, Line, Reading, Stage
from .settings import ReaderSettings

NOT_A_DIGIT = "not a digit: the model's answer was flat"


@dataclass(frozen=True)
class Outcome:
    """One input of a batch: its reading, or the error that stopped it."""

    source: object
    reading: Reading | None = None
    error: DigitOcrError | None = None


class Reader:
    """Reads handwritten numbers. Thread-safe: it holds no per-call state, and Keras inference is re-entrant."""

    def __init__(self, model_path: str | Path | None = None, settings: ReaderSettings = ReaderSettings(),
                 classifier: DigitClassifier | None = None):
        self.classifier = classifier or DigitClassifier.load(model_path)
        self.settings = settings

    def load(self, source: ImageSource, settings: ReaderSettings | None = None) -> LoadedImage:
        settings = settings or self.settings
        return load_image(source, settings.max_pixels, settings.max_file_bytes, draft_side=settings.working_side)

    def read(self, source: ImageSource, settings: ReaderSettings | None = None, stages: bool = False) -> Reading:
        """Read the number in one image; `stages=True` keeps every pipeline stage's image for the debug view."""
        settings = settings or self.settings
        loaded = self.load(source, settings)
        analysis = analyse(loaded.pixels, loaded.original_size, loaded.scale, settings, stages)
        return self._finish(analysis, self.classifier.predict(analysis.model_inputs), loaded, settings, stages)

    def read_many(self, sources: Iterable[ImageSource], settings: ReaderSettings | None = None,
                  batch_size: int = 64) -> Iterator[Outcome]:
        """Read many images in order, classifying the digits of up to `batch_size` images in one model call."""
        settings = settings or self.settings
        pending: list[tuple[object, LoadedImage, Analysis]] = []
        for source in sources:
            try:
                loaded = self.load(source, settings)
                pending.append((source, loaded, analyse(loaded.pixels, loaded.original_size, loaded.scale, settings)))
            except DigitOcrError as error:
                yield from self._classify_pending(pending, settings)
                pending = []
                yield Outcome(source, error=error)
                continue
            if len(pending) >= batch_size:
                yield from self._classify_pending(pending, settings)
                pending = []
        yield from self._classify_pending(pending, settings)

    def _classify_pending(self, pending, settings) -> Iterator[Outcome]:
        if not pending:
            return
        inputs = np.concatenate([analysis.model_inputs for _, _, analysis in pending])
        probabilities = self.classifier.predict(inputs)
        start = 0
        for source, loaded, analysis in pending:
            count = len(analysis.model_inputs)
            yield Outcome(source, self._finish(analysis, probabilities[start:start + count], loaded, settings, False))
            start += count

    def _finish(self, analysis: Analysis, probabilities: np.ndarray, loaded: LoadedImage, settings: ReaderSettings,
                keep_stages: bool) -> Reading:
        kept_lines: dict[int, list[Digit]] = {}
        rejected = []
        for candidate, box, model_input, row in zip(analysis.candidates, analysis.boxes, analysis.model_inputs,
                                                   probabilities):
            label = int(np.argmax(row))
            confidence = float(row[label])
            if confidence < settings.reject_below:
                candidate.dropped = NOT_A_DIGIT
                rejected.append(candidate)
                continue
            kept_lines.setdefault(candidate.line, []).append(
                Digit(label, confidence, tuple(float(p) for p in row), box, 0, confidence < settings.doubtful_below,
                      model_input))
        lines = []
        for number, line_key in enumerate(sorted(kept_lines)):
            lines.append(Line(tuple(Digit(d.label, d.confidence, d.probabilities, d.box, number, d.doubtful,
                                          d.model_input) for d in kept_lines[line_key])))
        notes = list(analysis.notes)
        if not lines:
            notes.append("No digits were found in this image.")
        stages: tuple[Stage, ...] = ()
        if keep_stages:
            kept = [c for c in analysis.candidates if not c.dropped]
            verdict = candidates_stage(analysis.working, kept, analysis.segmentation.dropped + rejected,
                                       "classification")
            reading_digits = [d for line in lines for d in line.digits]
            stages = tuple(analysis.stages) + (
                Stage("model inputs", mosaic(analysis.model_inputs),
                      "Each candidate fitted to 20x20, centred by mass in 28x28, as MNIST (reading order)."),
                Stage("classification", verdict.image, verdict.caption + f" Flat answers (top probability under {settings.reject_below:.0%})"
                    " are not digits."),
                Stage("reading", draw_reading(loaded.pixels, _scaled_to_loaded(reading_digits, loaded.scale)),
                      f"Read '{' / '.join(line.text for line in lines) or 'nothing'}'; orange boxes are doubtful "
                      f"(confidence under {settings.doubtful_below:.0%})."),
            )
        return Reading(tuple(lines), loaded.original_size, tuple(notes), stages)


def _scaled_to_loaded(digits: list[Digit], scale: float) -> list[Digit]:
    """Digits with boxes in the decoded pixels' coordinates (which JPEG draft mode may have shrunk)."""
    if scale == 1.0:
        return digits
    return [Digit(d.label, d.confidence, d.probabilities,
                  Box(int(d.box.x * scale), int(d.box.y * scale), max(1, int(d.box.width * scale)),
                      max(1, int(d.box.height * scale))), d.line, d.doubtful) for d in digits]
