import json

import numpy as np
import pytest
from PIL import Image

from conftest import PROJECT, tampered_copy, SAMPLES
from digitocr import ModelError
from digitocr.image.lines import to_line_input
from digitocr.networks.ctc import BLANK
from digitocr.networks.line_recognizer import (BATCH_COLUMNS, DEFAULT_LINE_MODEL_PATH, LINE_HEIGHT, RIGHT_CONTEXT,
                                               LineRecognizer, batch_of_lines, width_batches)
from digitocr.networks.model_files import load_keras_model
from digitocr.networks.onnx_net import OnnxNet


def test_a_lines_reading_does_not_depend_on_the_lines_read_with_it(reader):
    line = to_line_input((np.asarray(Image.open(SAMPLES / "4096_paper.png").convert("L")) < 128).astype(np.uint8))
    alone = reader.line_recognizer.frames([line])[0]
    beside_a_longer_one = reader.line_recognizer.frames([line, np.zeros((LINE_HEIGHT, 400), np.float32)])[0]
    assert np.array_equal(alone, beside_a_longer_one)


def test_many_lines_are_read_in_batches_of_bounded_size_each_as_if_alone(reader):
    widths = [int(w) for w in np.random.default_rng(2).integers(8, 768, 60)]
    batches = width_batches(widths)
    assert sorted(i for batch in batches for i in batch) == list(range(60)) and len(batches) > 1
    assert all(len(batch) * (max(widths[i] for i in batch) + RIGHT_CONTEXT) <= BATCH_COLUMNS for batch in batches)
    lines = [np.random.default_rng(w).random((LINE_HEIGHT, w), dtype=np.float32) ** 4 for w in widths]
    together = reader.line_recognizer.frames(lines)
    for index in (0, 17, 59):
        assert np.array_equal(together[index], reader.line_recognizer.frames([lines[index]])[0])


def test_the_shipped_line_model_is_small_has_a_card_and_runs_without_tensorflow():
    assert DEFAULT_LINE_MODEL_PATH.resolve() == PROJECT / "LineReader.keras"
    assert DEFAULT_LINE_MODEL_PATH.stat().st_size < 5_000_000
    card = json.loads(DEFAULT_LINE_MODEL_PATH.with_suffix(".json").read_text())
    assert card["accuracy"]["synthetic_validation_fields_exact"] >= 0.72  # broad pens, small cents, tight crops
    lines = [np.random.default_rng(5).random((LINE_HEIGHT, width), dtype=np.float32) ** 4 for width in (40, 97)]
    frames = LineRecognizer.load().frames(lines)
    in_floats = OnnxNet.from_archive(DEFAULT_LINE_MODEL_PATH)(batch_of_lines(lines))[:, 0]
    expected = np.asarray(load_keras_model(DEFAULT_LINE_MODEL_PATH)(batch_of_lines(lines), training=False))[:, 0]
    assert [f.shape for f in frames] == [(10, BLANK + 1), (25, BLANK + 1)]
    assert np.allclose(in_floats, expected, atol=1e-5)


def test_a_changed_or_missing_line_model_is_refused(tmp_path):
    with pytest.raises(ModelError, match="No line model"):
        LineRecognizer.load(tmp_path / "none.keras")
    with pytest.raises(ModelError, match="checksum"):
        LineRecognizer.load(tampered_copy(DEFAULT_LINE_MODEL_PATH, tmp_path))
