import pytest

from conftest import SAMPLES, blank_page, frames_for
from digitocr import ModelError, ReaderSettings
from digitocr.networks.ctc import BLANK
from digitocr.reader.confidence import (FEATURES, ConfidenceModel, ImageEvidence, LineEvidence, features,
                                       text_likelihood)
from digitocr.reader.number_finder import KEEP_FROM
from digitocr.results import Box, Digit, Reading


def digit(label: int, confidence: float) -> Digit:
    rest = (1 - confidence) / 9
    return Digit(label, confidence, tuple(confidence if i == label else rest for i in range(10)), Box(0, 0, 5, 9), 0,
                 confidence < 0.8)


def test_a_line_both_readers_read_alike_and_surely_is_trusted_more_than_a_disputed_doubtful_one(reader):
    model = reader.models.confidence
    frames = frames_for([BLANK, 4, BLANK, 2, BLANK], sure=0.98)
    sure_digits, doubtful_digits = (digit(4, 0.999), digit(2, 0.998)), (digit(4, 0.999), digit(7, 0.55))
    sure = LineEvidence(sure_digits, text_likelihood(frames, sure_digits), True, False, 0, 1.0)
    doubtful = LineEvidence(doubtful_digits, text_likelihood(frames, doubtful_digits), False, False, 1, 1.0)
    assert model.probability([sure]) > 0.8 and model.probability([doubtful]) < model.probability([sure]) - 0.3
    assert model.probability([sure, doubtful]) < model.probability([sure])
    assert features([sure], ImageEvidence()).shape == (len(FEATURES),) and model.probability([]) == 0.0


def test_a_sure_line_the_number_finder_doubts_belongs_to_the_number_goes_to_review(reader):
    """Doubted: kept at the least chance the number finder keeps a line at, a coin's toss."""
    model = reader.models.confidence
    frames = frames_for([BLANK, 4, BLANK, 2, BLANK], sure=0.995)
    digits = (digit(4, 0.999), digit(2, 0.998))
    lines = [LineEvidence(digits, text_likelihood(frames, digits), True, False, 0, chance)
             for chance in (0.99, KEEP_FROM)]
    review_below = ReaderSettings().review_below
    assert model.probability([lines[0]]) >= review_below > model.probability([lines[1]])


def test_a_reading_that_nearly_kept_a_part_it_set_aside_is_less_sure(reader):
    """A word nearly taken for digits, a row of the next cell nearly read: the same sure line is trusted less where
    the image holds a part that was nearly the number's."""
    model = reader.models.confidence
    frames = frames_for([BLANK, 4, BLANK, 2, BLANK], sure=0.995)
    digits = (digit(4, 0.999), digit(2, 0.998))
    line = [LineEvidence(digits, text_likelihood(frames, digits), True, True, 0, 0.99)]
    assert model.probability(line, ImageEvidence(likeliest_set_aside=0.45)) < model.probability(line) - 0.05


def test_a_line_read_differently_when_looked_at_a_little_wider_or_narrower_goes_to_review(reader):
    """Two sure digits, but the line read as another text at a fifth of its width more or less (a narrow hand's
    zeros taken for a word's loops): a person would look again, and so must a clerk."""
    model, review_below = reader.models.confidence, ReaderSettings().review_below
    frames = frames_for([BLANK, 4, BLANK, 2, BLANK], sure=0.998)
    digits = (digit(4, 0.999), digit(2, 0.998))
    steady, wavering = (LineEvidence(digits, text_likelihood(frames, digits), True, True, 0, 0.99, agree)
                        for agree in (True, False))
    assert model.probability([steady]) >= review_below > model.probability([wavering])


def test_a_sure_digit_the_classifier_reads_alone_needs_no_review_and_a_doubtful_one_does(reader):
    """A small scan of one digit, which no line recognizer reads: the classifier's answer is all the evidence."""
    model, review_below = reader.models.confidence, ReaderSettings().review_below
    assert model.probability([LineEvidence((digit(7, 0.9999),), None, False, False, 0, 1.0)]) >= review_below
    assert model.probability([LineEvidence((digit(7, 0.9),), None, False, False, 0, 1.0)]) < review_below


def test_nothing_found_is_never_sure():
    assert Reading((), (10, 10)).confidence == 0.0 and Reading((), (10, 10)).needs_review


def test_needs_review_follows_the_setting(reader):
    sample = SAMPLES / "4096_paper.png"
    assert not reader.read(sample, ReaderSettings(review_below=0.0)).needs_review
    assert reader.read(sample, ReaderSettings(review_below=1.01)).needs_review
    blank = reader.read(blank_page())
    assert blank.text == "" and blank.confidence == 0.0 and blank.needs_review


def test_a_missing_or_broken_confidence_model_is_refused_clearly(tmp_path):
    with pytest.raises(ModelError, match="calibrate"):
        ConfidenceModel.load(tmp_path / "none.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"weights": {"digits": 1.0}, "bias": 0}')
    with pytest.raises(ModelError, match="not a field confidence model"):
        ConfidenceModel.load(broken)
