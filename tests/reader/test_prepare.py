import numpy as np
import pytest

from conftest import SAMPLES, tiny_seven
from digitocr.reader.prepare import classifier_rows, piece_probabilities, prepare


def test_a_tiny_scan_is_read_as_the_mean_answer_over_its_piece_shifted_a_pixel_each_way(reader):
    seven = tiny_seven()
    tiny, large = prepare(seven, reader.settings), prepare(SAMPLES / "4096_paper.png", reader.settings)
    rows = classifier_rows(tiny)
    assert len(rows) == 5 and np.array_equal(rows[1], np.roll(rows[0], 1, axis=0))
    assert classifier_rows(large) is large.analysis.model_inputs
    answers = reader.classifier.predict(rows)
    assert np.allclose(piece_probabilities(tiny, answers), answers.mean(axis=0, keepdims=True))
    reading = reader.read(seven, stages=True)
    assert reading.digits[0].probabilities == pytest.approx(tuple(answers.mean(axis=0)), abs=1e-5)
    assert "shifted a pixel" in next(stage.caption for stage in reading.stages if stage.name == "classification")
