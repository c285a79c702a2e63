import numpy as np
import pytest

from conftest import SAMPLES, tiny_seven
from digitocr.reader.prepare import classifier_rows, piece_probabilities, prepare


def test_a_tiny_scan_is_read_by_its_piece_shifted_a_pixel_each_way_and_by_its_gray_levels_alike(reader):
    seven = tiny_seven()
    tiny, large = prepare(seven, reader.settings), prepare(SAMPLES / "4096_paper.png", reader.settings)
    rows = classifier_rows(tiny)
    assert len(rows) == 6 and np.array_equal(rows[1], np.roll(rows[0], 1, axis=0))
    assert np.array_equal(rows[5], tiny.gray_input) and rows[5].max() == pytest.approx(1.0)
    assert classifier_rows(large) is large.analysis.model_inputs and large.gray_input is None
    answers = reader.classifier.predict(rows)
    cut = answers[:5].mean(axis=0)
    assert np.allclose(piece_probabilities(tiny, answers), (cut + answers[5]) / 2)
    reading = reader.read(seven, stages=True)
    assert reading.digits[0].probabilities == pytest.approx(tuple((cut + answers[5]) / 2), abs=1e-5)
    assert "shifted a pixel" in next(stage.caption for stage in reading.stages if stage.name == "classification")
