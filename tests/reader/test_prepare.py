import numpy as np
import pytest

from conftest import SAMPLES, tiny_seven
from digitocr.reader.prepare import (SECOND_LOOK_BELOW, classifier_rows, doubtful_pieces, gray_rows,
                                     piece_probabilities, prepare)


def test_a_tiny_scan_is_read_by_its_piece_shifted_a_pixel_each_way_and_by_its_gray_levels_alike(reader):
    seven = tiny_seven()
    tiny, large = prepare(seven, reader.settings), prepare(SAMPLES / "4096_paper.png", reader.settings)
    rows = classifier_rows(tiny)
    assert len(rows) == 6 and np.array_equal(rows[1], np.roll(rows[0], 1, axis=0))
    assert np.array_equal(rows[5], tiny.gray_input) and rows[5].max() == pytest.approx(1.0)
    assert large.gray_input is None
    answers = reader.classifier.predict(rows)
    cut = answers[:5].mean(axis=0)
    assert np.allclose(piece_probabilities(tiny, answers), (cut + answers[5]) / 2)
    reading = reader.read(seven, stages=True)
    assert reading.digits[0].probabilities == pytest.approx(tuple((cut + answers[5]) / 2), abs=1e-5)
    assert "shifted a pixel" in next(stage.caption for stage in reading.stages if stage.name == "classification")


def test_a_pages_doubtful_pieces_are_also_read_by_their_gray_levels_alike(reader):
    page = prepare(SAMPLES / "315-2718_shadow.jpg", reader.settings)
    cut = reader.classifier.predict(classifier_rows(page))
    doubtful = doubtful_pieces(page, cut)
    assert 0 < len(doubtful) < len(cut)
    assert (cut[doubtful].max(axis=1) < SECOND_LOOK_BELOW).all()
    gray = gray_rows(page, doubtful)
    assert gray.shape == (len(doubtful), 28, 28) and not np.array_equal(gray, page.analysis.model_inputs[doubtful])
    expected = cut.copy()
    expected[doubtful] = (cut[doubtful] + reader.classifier.predict(gray)) / 2
    assert np.allclose(reader.piece_answers([page])[0], expected)
    assert not len(doubtful_pieces(prepare(tiny_seven(), reader.settings), cut[:1]))
